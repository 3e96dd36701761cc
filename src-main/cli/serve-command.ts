/** `dicom-gateway serve`: the headless engine. */
import { resolve } from 'node:path';
import { loadConfigFile } from '../config/load-config.ts';
import { DEFAULT_CONFIG, Gateway, type GatewayConfig } from '../gateway.ts';
import { createLogger, type LogFormat, type LogLevel } from '../log/logger.ts';
import { parseAeTitle, parseBoolean, parseCommandArgs, parsePort, parsePositiveInt } from './options.ts';
import { ExitCode, UsageError } from './usage-error.ts';

export const SERVE_USAGE =
  'dicom-gateway serve [--config FILE] [--ae GATEWAY] [--host ADDR] [--port 11112|0] [--storage DIR] [--max-pdu N]\n' +
  '                    [--allow-calling-ae AE[,AE...]] [--max-associations N] [--accept-unknown-sop-classes true|false]\n' +
  '                    [--log-level debug|info|warn|error] [--log-format text|json]';

const OPTIONS = {
  config: { type: 'string' },
  ae: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  storage: { type: 'string' },
  'max-pdu': { type: 'string' },
  'allow-calling-ae': { type: 'string', multiple: true },
  'max-associations': { type: 'string' },
  'accept-unknown-sop-classes': { type: 'string' },
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
} as const;

/**
 * The settings `serve` runs with: the embedded defaults, or the --config file (validated whole,
 * a ConfigError naming the field otherwise), then each flag given on top of that.
 */
export function serveConfigFromArgs(argv: string[]): { config: GatewayConfig; logLevel: LogLevel; logFormat: LogFormat } {
  const { values } = parseCommandArgs(argv, OPTIONS, false);
  if (values.config === '') throw new UsageError('--config needs the path of a YAML or JSON config file');
  const config: GatewayConfig = values.config !== undefined ? loadConfigFile(values.config) : { ...DEFAULT_CONFIG, storage: resolve(DEFAULT_CONFIG.storage) };
  if (values.ae !== undefined) config.aeTitle = parseAeTitle(values.ae, '--ae');
  if (values.host !== undefined) config.host = values.host;
  if (values.port !== undefined) config.port = parsePort(values.port, '--port');
  if (values.storage !== undefined) config.storage = resolve(values.storage);
  if (values['max-pdu'] !== undefined) config.maxPduLength = parsePositiveInt(values['max-pdu'], '--max-pdu');
  if (values['allow-calling-ae']) {
    config.allowedCallingAes = values['allow-calling-ae'].flatMap((v) => v.split(',')).map((ae) => parseAeTitle(ae, '--allow-calling-ae'));
  }
  if (values['max-associations'] !== undefined) config.maxAssociations = parsePositiveInt(values['max-associations'], '--max-associations');
  if (values['accept-unknown-sop-classes'] !== undefined) {
    config.acceptUnknownSopClasses = parseBoolean(values['accept-unknown-sop-classes'], '--accept-unknown-sop-classes');
  }
  const logLevel = (values['log-level'] ?? 'info') as LogLevel;
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) throw new UsageError(`--log-level must be debug, info, warn or error, not "${logLevel}"`);
  const logFormat = (values['log-format'] ?? 'text') as LogFormat;
  if (!['text', 'json'].includes(logFormat)) throw new UsageError(`--log-format must be text or json, not "${logFormat}"`);
  return { config, logLevel, logFormat };
}

export async function serveCommand(argv: string[]): Promise<number> {
  const { config, logLevel, logFormat } = serveConfigFromArgs(argv);
  const logger = createLogger({ level: logLevel, format: logFormat });
  const gateway = await Gateway.start(config, logger).catch((err: NodeJS.ErrnoException) => {
    const where = `${config.host ?? '0.0.0.0'}:${config.port}`;
    throw new Error(err.code === 'EADDRINUSE' ? `cannot listen on ${where}: the port is already in use` : `cannot start: ${err.message}`);
  });
  const { host, port } = gateway.address!;
  process.stdout.write(`DICOM listening on ${host}:${port}\n`);
  await new Promise<void>((resolveStop) => {
    const stop = (signal: string) => {
      logger.info('gateway.stopping', { signal });
      resolveStop();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await gateway.stop();
  return ExitCode.Ok;
}
