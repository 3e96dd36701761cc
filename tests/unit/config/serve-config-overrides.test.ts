import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { serveConfigFromArgs } from '../../../src-main/cli/serve-command.ts';
import { UsageError } from '../../../src-main/cli/usage-error.ts';
import { ConfigError } from '../../../src-main/config/config-error.ts';
import { DEFAULT_CONFIG } from '../../../src-main/gateway.ts';
import { DEFAULT_QUEUE_SETTINGS } from '../../../src-main/routing/routing-types.ts';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.ts';

const FILE = `
ae: FILEGW
host: 10.1.2.3
port: 11112
storage: ./from-file
maxPdu: 16384
allowCallingAes: [CT1]
maxAssociations: 8
acceptUnknownSopClasses: false
destinations:
  - { name: pacs, ae: PACS, host: 127.0.0.1, port: 11113 }
rules:
  - { name: all, match: {}, forward: [pacs] }
queue: { maxAttempts: 3 }
`;

let dir: string;
let configPath: string;
beforeEach(async () => {
  dir = await makeTempDir('gateway-serve-config-');
  configPath = join(dir, 'gateway.yaml');
  await writeFile(configPath, FILE);
});
afterEach(async () => {
  await removeDir(dir);
});

describe('serve --config', () => {
  it("runs with the file's settings when no flag overrides them", () => {
    const { config } = serveConfigFromArgs(['--config', configPath]);
    expect(config).toMatchObject({
      aeTitle: 'FILEGW',
      host: '10.1.2.3',
      port: 11112,
      storage: join(dir, 'from-file'),
      maxPduLength: 16384,
      allowedCallingAes: ['CT1'],
      maxAssociations: 8,
      acceptUnknownSopClasses: false,
      queue: { ...DEFAULT_QUEUE_SETTINGS, maxAttempts: 3 },
    });
    expect(config.destinations.map((d) => d.name)).toEqual(['pacs']);
    expect(config.rules.map((r) => r.name)).toEqual(['all']);
  });

  it('lets --port 0 --storage DIR override the file, keeping the rest of it', () => {
    const storage = join(dir, 'flag-storage');
    const { config } = serveConfigFromArgs(['--config', configPath, '--port', '0', '--storage', storage]);
    expect(config).toMatchObject({ port: 0, storage, aeTitle: 'FILEGW', host: '10.1.2.3', maxPduLength: 16384 });
    expect(config.destinations).toHaveLength(1);
  });

  it('lets every flag override its field, whatever the order of --config among them', () => {
    const { config } = serveConfigFromArgs([
      '--ae',
      'FLAGGW',
      '--host',
      '127.0.0.1',
      '--max-pdu',
      '32768',
      '--allow-calling-ae',
      'MR1,US1',
      '--config',
      configPath,
      '--max-associations',
      '2',
      '--accept-unknown-sop-classes',
      'true',
      '--storage',
      'relative-store',
    ]);
    expect(config).toMatchObject({
      aeTitle: 'FLAGGW',
      host: '127.0.0.1',
      maxPduLength: 32768,
      allowedCallingAes: ['MR1', 'US1'],
      maxAssociations: 2,
      acceptUnknownSopClasses: true,
      port: 11112,
    });
    // A --storage flag is relative to the working folder, as without a config file.
    expect(config.storage).toBe(resolve('relative-store'));
  });

  it('marks the settings given as flags as fixed, over the ones the config file fixed', async () => {
    const { config } = serveConfigFromArgs(['--ae', 'FLAGGED', '--max-pdu', '32768', '--allow-calling-ae', 'CT1', '--log-level', 'debug']);
    expect(config.fixedSettings).toEqual({
      aeTitle: { kind: 'flag', flag: '--ae' },
      maxPduLength: { kind: 'flag', flag: '--max-pdu' },
      allowedCallingAes: { kind: 'flag', flag: '--allow-calling-ae' },
    });
  });

  it('runs on the embedded defaults with no config at all', () => {
    const { config } = serveConfigFromArgs([]);
    expect(config).toStrictEqual({ ...DEFAULT_CONFIG, storage: resolve(DEFAULT_CONFIG.storage), fixedSettings: {} });
    expect(config.destinations).toEqual([]);
    expect(config.rules).toEqual([]);
    expect(config.queue).toEqual({ maxAttempts: 10, backoffBaseSeconds: 5, backoffMaxSeconds: 600, batchSize: 100, lingerSeconds: 2 });
  });

  it('refuses a broken config with a ConfigError naming the file and field, before any flag is applied', async () => {
    await writeFile(configPath, 'queue: { maxAtempts: 3 }\n');
    expect(() => serveConfigFromArgs(['--config', configPath, '--port', '0'])).toThrow(ConfigError);
    expect(() => serveConfigFromArgs(['--config', configPath, '--port', '0'])).toThrow(
      `${configPath}: queue.maxAtempts: unknown field (did you mean maxAttempts?)`,
    );
  });

  it('refuses an empty --config as a usage error', () => {
    expect(() => serveConfigFromArgs(['--config', ''])).toThrow(UsageError);
  });
});
