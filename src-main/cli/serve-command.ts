/** `dicom-gateway serve`: the headless engine. */
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { assertUiBuilt, uiStaticDir } from '../api/ui-static-dir.ts';
import { storedUiToken, UI_TOKEN_FILE } from '../api/ui-token.ts';
import type { UiServer } from '../api/ws-server.ts';
import { loadConfigFile } from '../config/load-config.ts';
import { formatHostPort } from '../dicom/peer-address.ts';
import { SETTING_FLAGS, type FixedSettings } from '../config/setting-sources.ts';
import { EDITABLE_SETTINGS } from '../api/types/settings.ts';
import { DEFAULT_CONFIG, Gateway, ListenError, type GatewayConfig } from '../gateway.ts';
import { createLogger, type LogFormat, type Logger, type LogLevel } from '../log/logger.ts';
import { maxAssociations, maxPdu } from '../api/schemas/values.ts';
import { parseAeTitle, parseBoolean, parseCommandArgs } from './options.ts';
import { parseNumberFlag, parsePort } from './schema-flags.ts';
import { ExitCode, InputError, UsageError } from './usage-error.ts';
import { TlsConfigError } from '../tls/tls-config-error.ts';
import { BCP195_CIPHERS, type ListenerTls } from '../tls/tls-settings.ts';

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
  'ui-port': { type: 'string' },
  'tls-port': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-ca': { type: 'string' },
  'tls-require-client-cert': { type: 'string' },
  'rotate-ui-token': { type: 'boolean' },
} as const;

/**
 * The settings `serve` runs with: the embedded defaults, or the --config file (validated whole,
 * a ConfigError naming the field otherwise), then each flag given on top of that. What the file or
 * a flag sets is marked fixed; the gateway fills the rest from what the UI saved.
 */
export function serveConfigFromArgs(argv: string[]): {
  config: GatewayConfig;
  logLevel: LogLevel;
  logFormat: LogFormat;
  uiPort: number | undefined;
  rotateUiToken: boolean;
} {
  const { values } = parseCommandArgs(argv, OPTIONS, false);
  if (values.config === '') throw new UsageError('--config needs the path of a YAML or JSON config file');
  const config: GatewayConfig =
    values.config !== undefined ? loadConfigFile(values.config) : { ...DEFAULT_CONFIG, storage: resolve(DEFAULT_CONFIG.storage) };
  if (values.ae !== undefined) config.aeTitle = parseAeTitle(values.ae, '--ae');
  if (values.host !== undefined) config.host = values.host;
  if (values.port !== undefined) config.port = parsePort(values.port, '--port');
  if (values.storage !== undefined) config.storage = resolve(values.storage);
  if (values['max-pdu'] !== undefined) config.maxPduLength = parseNumberFlag(maxPdu, values['max-pdu'], '--max-pdu');
  if (values['allow-calling-ae']) {
    config.allowedCallingAes = values['allow-calling-ae'].flatMap((v) => v.split(',')).map((ae) => parseAeTitle(ae, '--allow-calling-ae'));
  }
  if (values['max-associations'] !== undefined)
    config.maxAssociations = parseNumberFlag(maxAssociations, values['max-associations'], '--max-associations');
  if (values['accept-unknown-sop-classes'] !== undefined) {
    config.acceptUnknownSopClasses = parseBoolean(values['accept-unknown-sop-classes'], '--accept-unknown-sop-classes');
  }
  const tls = tlsFromFlags(values, config.tls);
  if (tls) config.tls = tls;
  config.fixedSettings = { ...config.fixedSettings, ...fixedByFlags(values) };
  const logLevel = (values['log-level'] ?? 'info') as LogLevel;
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel))
    throw new UsageError(`--log-level must be debug, info, warn or error, not "${logLevel}"`);
  const logFormat = (values['log-format'] ?? 'text') as LogFormat;
  if (!['text', 'json'].includes(logFormat)) throw new UsageError(`--log-format must be text or json, not "${logFormat}"`);
  const uiPort = values['ui-port'] === undefined ? undefined : parsePort(values['ui-port'], '--ui-port');
  return { config, logLevel, logFormat, uiPort, rotateUiToken: values['rotate-ui-token'] === true };
}

/** The gateway settings given as flags: they win over the config file and what the UI saved. */
function fixedByFlags(values: Record<string, unknown>): FixedSettings {
  const fixed: FixedSettings = {};
  for (const key of EDITABLE_SETTINGS) {
    const flag = SETTING_FLAGS[key];
    if (values[flag.slice(2)] !== undefined) fixed[key] = { kind: 'flag', flag };
  }
  const tlsFlag = LISTENER_TLS_FLAGS.find((flag) => values[flag] !== undefined);
  if (tlsFlag) fixed.tls = { kind: 'flag', flag: `--${tlsFlag}` };
  return fixed;
}

export async function serveCommand(argv: string[]): Promise<number> {
  const { config, logLevel, logFormat, uiPort, rotateUiToken } = serveConfigFromArgs(argv);
  const logger = createLogger({ level: logLevel, format: logFormat });
  const stopped = stopRequested(logger);
  // Checked before anything listens: a browser UI without its files would only answer 404.
  const staticDir = uiPort === undefined ? undefined : uiStaticDir();
  if (staticDir !== undefined) assertUiBuilt(staticDir);
  const gateway = await Gateway.start(config, logger).catch((err: NodeJS.ErrnoException) => {
    if (err instanceof TlsConfigError) throw new InputError(err.message);
    // The TLS port's failure names the TLS port; the plain one's is described below.
    if (err instanceof ListenError) throw new Error(err.message);
    const where = formatHostPort(config.host ?? '0.0.0.0', config.port);
    throw new Error(err.code === 'EADDRINUSE' ? `cannot listen on ${where}: the port is already in use` : `cannot start: ${err.message}`);
  });
  const { host, port } = gateway.address!;
  process.stdout.write(`DICOM listening on ${formatHostPort(host, port)}\n`);
  if (gateway.tlsAddress)
    process.stdout.write(`DICOM TLS listening on ${formatHostPort(gateway.tlsAddress.host, gateway.tlsAddress.port)}\n`);
  let ui: UiServer | undefined;
  if (uiPort !== undefined && staticDir !== undefined) {
    ui = await startBrowserUi(gateway, uiPort, staticDir, logger, rotateUiToken).catch(async (err: Error) => {
      await gateway.stop();
      throw err;
    });
    process.stdout.write(`UI listening on ${ui.url}\n`);
  }
  await stopped;
  await ui?.close();
  await gateway.stop();
  return ExitCode.Ok;
}

/**
 * Resolves at the first SIGTERM or SIGINT. Listened for from the start: a signal that came while
 * the gateway started, or just after it printed that it listens (a supervisor that waits for that
 * line may stop it at once), used to find no handler yet and end the process without its drain.
 * Each is listened for once: a second Ctrl-C during a long start (a journal replay) ends it at once.
 */
function stopRequested(logger: Logger): Promise<void> {
  return new Promise((resolveStop) => {
    const stop = (signal: string) => {
      logger.info('gateway.stopping', { signal });
      resolveStop();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

/** The browser UI on 127.0.0.1 only, driving this gateway; uploads land in <storage>/.uploads. */
async function startBrowserUi(
  gateway: Gateway,
  uiPort: number,
  staticDir: string,
  logger: Logger,
  rotateToken: boolean,
): Promise<UiServer> {
  const uploadDir = join(gateway.config.storage, '.uploads');
  // Uploads live only as long as the send or comparison that needed them: a new start begins empty.
  await rm(uploadDir, { recursive: true, force: true });
  // The API (and the inspector, renderer and schemas behind it) loads only for --ui-port, as ws does below.
  const { createApiHost } = await import('../api/gateway-api.ts');
  const host = createApiHost(gateway, { uploadDir });
  // One token per store: a page left open keeps working across restarts until the token is rotated.
  const { token, created } = await storedUiToken(gateway.config.storage, { rotate: rotateToken });
  if (created) logger.info('ui.token-created', { file: join(gateway.config.storage, UI_TOKEN_FILE), rotated: rotateToken });
  // The WebSocket server (and the ws package) only load for --ui-port: most serves have no browser UI.
  const { startUiServer, UI_HOST } = await import('../api/ws-server.ts');
  const ui = await startUiServer({ host, port: uiPort, staticDir, logger, token }).catch((err: NodeJS.ErrnoException) => {
    const where = `${UI_HOST}:${uiPort}`;
    throw new Error(
      err.code === 'EADDRINUSE'
        ? `cannot listen for the browser UI on ${where}: the port is already in use`
        : `cannot start the browser UI: ${err.message}`,
    );
  });
  logger.info('ui.listening', { host: UI_HOST, port: ui.port });
  return ui;
}

const LISTENER_TLS_FLAGS = ['tls-port', 'tls-cert', 'tls-key', 'tls-ca', 'tls-require-client-cert'] as const;

/** --tls-* flags on top of the config file's `tls:`; a TLS listener needs at least a port, a certificate and a key. */
function tlsFromFlags(
  values: Partial<Record<(typeof LISTENER_TLS_FLAGS)[number], string>>,
  fromFile: ListenerTls | undefined,
): ListenerTls | undefined {
  if (LISTENER_TLS_FLAGS.every((flag) => values[flag] === undefined)) return fromFile;
  const port = values['tls-port'] ?? (fromFile ? String(fromFile.port) : undefined);
  const cert = values['tls-cert'] ?? fromFile?.cert;
  const key = values['tls-key'] ?? fromFile?.key;
  if (port === undefined || cert === undefined || key === undefined) {
    throw new UsageError('a TLS listener needs --tls-port, --tls-cert and --tls-key (or tls: in the config file)');
  }
  const requireClientCert = values['tls-require-client-cert'];
  return {
    port: parsePort(port, '--tls-port'),
    cert: resolve(cert),
    key: resolve(key),
    ca: values['tls-ca'] !== undefined ? resolve(values['tls-ca']) : fromFile?.ca,
    passphrase: fromFile?.passphrase,
    requireClientCert:
      requireClientCert !== undefined
        ? parseBoolean(requireClientCert, '--tls-require-client-cert')
        : (fromFile?.requireClientCert ?? false),
    ciphers: fromFile?.ciphers ?? BCP195_CIPHERS,
  };
}
