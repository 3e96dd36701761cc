/**
 * `serve --config FILE`: reads a YAML or JSON config file, validates it completely before anything
 * starts, and turns it into a GatewayConfig with every default filled in. Any problem is a
 * ConfigError naming the file and the field.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, resolve } from 'node:path';
import { DEFAULT_CONFIG, type GatewayConfig } from '../gateway.ts';
import { DEFAULT_QUEUE_SETTINGS } from '../routing/routing-types.ts';
import type { Destination, Rule } from '../api/types/routing.ts';
import { ConfigError, type ConfigProblem } from './config-error.ts';
import { problemsFromIssues } from './config-issues.ts';
import { referenceProblems, ruleEngineProblems } from './config-references.ts';
import { SETTING_CONFIG_KEYS, type FixedSettings } from './setting-sources.ts';
import { EDITABLE_SETTINGS } from '../api/types/settings.ts';
import { configFileSchema, type ConfigFile, type DestinationEntry, type RuleEntry } from './config-schema.ts';
import { BCP195_CIPHERS, type ListenerTls } from '../tls/tls-settings.ts';
import type { DestinationTls } from '../api/types/routing.ts';

export type ConfigFormat = 'yaml' | 'json';

/** What a destination gets for each field the file leaves out. */
export const DESTINATION_DEFAULTS = {
  maxPduLength: DEFAULT_CONFIG.maxPduLength,
  connectTimeoutMs: DEFAULT_CONFIG.connectTimeoutMs,
  dimseTimeoutMs: DEFAULT_CONFIG.associationTimeoutMs,
  maxAssociations: 1,
  enabled: true,
  allowTranscoding: false,
} as const;

/** `.json` is read as JSON; anything else as YAML (which also reads JSON). */
export function configFormatOf(path: string): ConfigFormat {
  return extname(path).toLowerCase() === '.json' ? 'json' : 'yaml';
}

/** Reads and validates the config file at `path` (as the user typed it: messages name it so). */
export function loadConfigFile(path: string): GatewayConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const { code, message } = err as NodeJS.ErrnoException;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder, not a file' : message;
    throw new ConfigError(path, [{ field: '', message: `cannot read the config file (${reason})` }]);
  }
  const raw = parseConfigText(text, path, configFormatOf(path));
  return configFromValue(raw, path, dirname(resolve(path)));
}

/** The file's text as plain data; syntax errors name the line. An empty file is an empty config. */
export function parseConfigText(text: string, file: string, format: ConfigFormat): unknown {
  const body = text.replace(/^\uFEFF/, '');
  if (format === 'json') {
    try {
      return JSON.parse(body);
    } catch (err) {
      throw new ConfigError(file, [{ field: '', message: `not valid JSON: ${(err as Error).message}` }]);
    }
  }
  const doc = yaml().parseDocument(body, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    // The first line of a yaml error says what and where ("… at line 3, column 5:"); the rest is a code excerpt.
    const problems: ConfigProblem[] = doc.errors.map((e) => ({
      field: '',
      message: `not valid YAML: ${e.message.split('\n')[0]!.replace(/:$/, '')}`,
    }));
    throw new ConfigError(file, problems);
  }
  return doc.contents === null ? {} : doc.toJS({ maxAliasCount: 100 });
}

/**
 * Validates parsed config data and fills in the defaults. Relative paths in it (storage) are
 * relative to `baseDir`, the config file's folder, so the file means the same from any working folder.
 */
export function configFromValue(raw: unknown, file: string, baseDir: string): GatewayConfig {
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(file, problemsFromIssues(parsed.error.issues, configFileSchema));
  const problems = referenceProblems(parsed.data);
  if (problems.length > 0) throw new ConfigError(file, problems);
  const config = { ...toGatewayConfig(parsed.data, baseDir), fixedSettings: fixedByFile(parsed.data, file) };
  const ruleProblems = ruleEngineProblems(config.rules);
  if (ruleProblems.length > 0) throw new ConfigError(file, ruleProblems);
  return config;
}

/** The gateway settings the file states: they win over what the UI saved. */
function fixedByFile(file: ConfigFile, path: string): FixedSettings {
  const fixed: FixedSettings = {};
  for (const key of EDITABLE_SETTINGS) {
    const fileKey = SETTING_CONFIG_KEYS[key];
    if ((file as Record<string, unknown>)[fileKey] !== undefined) fixed[key] = { kind: 'config-file', file: path, key: fileKey };
  }
  if (file.tls !== undefined) fixed.tls = { kind: 'config-file', file: path, key: 'tls' };
  return fixed;
}

function toGatewayConfig(file: ConfigFile, baseDir: string): GatewayConfig {
  const defaults = DEFAULT_CONFIG;
  return {
    aeTitle: file.ae ?? defaults.aeTitle,
    host: file.host ?? defaults.host,
    port: file.port ?? defaults.port,
    // The default is not written in the file, so it keeps its usual meaning: the working folder.
    storage: file.storage !== undefined ? resolve(baseDir, file.storage) : resolve(defaults.storage),
    maxPduLength: file.maxPdu ?? defaults.maxPduLength,
    allowedCallingAes: file.allowCallingAes ?? [...defaults.allowedCallingAes],
    acceptUnknownSopClasses: file.acceptUnknownSopClasses ?? defaults.acceptUnknownSopClasses,
    maxAssociations: file.maxAssociations ?? defaults.maxAssociations,
    connectTimeoutMs: milliseconds(file.timeouts?.connectSeconds) ?? defaults.connectTimeoutMs,
    associationTimeoutMs: milliseconds(file.timeouts?.associationSeconds) ?? defaults.associationTimeoutMs,
    pduTimeoutMs: milliseconds(file.timeouts?.pduSeconds) ?? defaults.pduTimeoutMs,
    destinations: (file.destinations ?? []).map((entry) => toDestination(entry, baseDir)),
    rules: (file.rules ?? []).map(toRule),
    queue: {
      maxAttempts: file.queue?.maxAttempts ?? DEFAULT_QUEUE_SETTINGS.maxAttempts,
      backoffBaseSeconds: file.queue?.backoffBaseSeconds ?? DEFAULT_QUEUE_SETTINGS.backoffBaseSeconds,
      backoffMaxSeconds: file.queue?.backoffMaxSeconds ?? DEFAULT_QUEUE_SETTINGS.backoffMaxSeconds,
      batchSize: file.queue?.batchSize ?? DEFAULT_QUEUE_SETTINGS.batchSize,
      lingerSeconds: file.queue?.lingerSeconds ?? DEFAULT_QUEUE_SETTINGS.lingerSeconds,
    },
    ...(file.tls && { tls: toListenerTls(file.tls, baseDir) }),
    ...(file.retentionDays !== undefined ? { retentionDays: file.retentionDays } : {}),
  };
}

/** Certificate and key paths, like storage, are relative to the config file's folder. */
function toListenerTls(entry: NonNullable<ConfigFile['tls']>, baseDir: string): ListenerTls {
  return {
    port: entry.port,
    cert: resolve(baseDir, entry.cert),
    key: resolve(baseDir, entry.key),
    ca: entry.ca === undefined ? undefined : resolve(baseDir, entry.ca),
    passphrase: entry.passphrase,
    requireClientCert: entry.requireClientCert ?? false,
    ciphers: entry.ciphers ?? BCP195_CIPHERS,
  };
}

function toDestinationTls(entry: NonNullable<DestinationEntry['tls']>, baseDir: string): DestinationTls {
  const path = (p: string | undefined) => (p === undefined ? undefined : resolve(baseDir, p));
  return {
    ca: path(entry.ca),
    cert: path(entry.cert),
    key: path(entry.key),
    passphrase: entry.passphrase,
    verifyServer: entry.verifyServer ?? true,
  };
}

function toDestination(entry: DestinationEntry, baseDir: string): Destination {
  return {
    name: entry.name,
    aeTitle: entry.ae,
    host: entry.host,
    port: entry.port,
    callingAe: entry.callingAe,
    maxPduLength: entry.maxPdu ?? DESTINATION_DEFAULTS.maxPduLength,
    connectTimeoutMs: milliseconds(entry.connectTimeoutSeconds) ?? DESTINATION_DEFAULTS.connectTimeoutMs,
    dimseTimeoutMs: milliseconds(entry.dimseTimeoutSeconds) ?? DESTINATION_DEFAULTS.dimseTimeoutMs,
    maxAssociations: entry.maxAssociations ?? DESTINATION_DEFAULTS.maxAssociations,
    enabled: entry.enabled ?? DESTINATION_DEFAULTS.enabled,
    allowTranscoding: entry.allowTranscoding ?? DESTINATION_DEFAULTS.allowTranscoding,
    ...(entry.tls && { tls: toDestinationTls(entry.tls, baseDir) }),
  };
}

function toRule(entry: RuleEntry): Rule {
  return {
    name: entry.name,
    enabled: entry.enabled ?? true,
    match: { ...entry.match },
    forward: [...entry.forward],
    studyQuietSeconds: entry.studyQuietSeconds,
  };
}

function milliseconds(seconds: number | undefined): number | undefined {
  return seconds === undefined ? undefined : Math.round(seconds * 1000);
}

/**
 * The YAML parser, loaded the first time a config file is read: `serve` without --config, `send`,
 * `echo` and the desktop app never need it, and loading it costs start-up time and memory.
 */
function yaml(): typeof import('yaml') {
  return createRequire(import.meta.url)('yaml') as typeof import('yaml');
}
