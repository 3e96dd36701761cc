import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src-main/config/config-error.ts';
import { configFormatOf, loadConfigFile } from '../../../src-main/config/load-config.ts';
import type { Rule } from '../../../src-main/api/types/routing.ts';
import type { GatewayConfig } from '../../../src-main/gateway.ts';
import { useTempDir } from '../../helpers/temp-dir.ts';

/** The config file from issue 3, byte for byte as the issue gives it. */
const ISSUE_EXAMPLE = `ae: GATEWAY
port: 11112
storage: ./gateway-data
destinations:
  - name: pacs
    ae: PACS
    host: 127.0.0.1
    port: 11113
  - name: research
    ae: RESEARCH
    host: 127.0.0.1
    port: 11114
rules:
  - name: ct-to-pacs
    match: { modality: CT }
    forward: [pacs]
  - name: everything-to-research
    match: {}
    forward: [research]
queue:
  maxAttempts: 10
  backoffBaseSeconds: 5
  backoffMaxSeconds: 600
`;

/** The config without the record of which settings the file fixed (tested on its own). */
function withoutFixed(config: GatewayConfig): GatewayConfig {
  const { fixedSettings: _fixed, ...rest } = config;
  return rest;
}

const EXAMPLE_FILE = resolve(import.meta.dirname, '../../../resources/gateway.example.yaml');

/**
 * The defaults as the documentation states them rather than as the engine spells them: the example
 * file shows every optional gateway and queue field at its default, and its `research` destination
 * and `ct-to-pacs` rule leave every optional field out. The example's own test pins these values.
 */
function documentedDefaults() {
  const example = loadConfigFile(EXAMPLE_FILE);
  const { aeTitle, port, maxPduLength, allowedCallingAes, acceptUnknownSopClasses, maxAssociations, queue } = example;
  const { connectTimeoutMs, associationTimeoutMs, pduTimeoutMs } = example;
  return {
    gateway: { aeTitle, port, maxPduLength, allowedCallingAes, acceptUnknownSopClasses, maxAssociations, queue },
    timeouts: { connectTimeoutMs, associationTimeoutMs, pduTimeoutMs },
    destination: example.destinations[1]!,
    rule: example.rules[0]!,
  };
}

/** What the issue's file means, defaults included. */
function issueExampleConfig(dir: string): GatewayConfig {
  const defaults = documentedDefaults();
  const destination = (name: string, aeTitle: string, port: number) => ({
    ...defaults.destination,
    name,
    aeTitle,
    host: '127.0.0.1',
    port,
  });
  const rule = (name: string, match: Rule['match'], forward: string[]) => ({ ...defaults.rule, name, match, forward });
  return {
    ...defaults.gateway,
    ...defaults.timeouts,
    host: undefined,
    storage: join(dir, 'gateway-data'),
    destinations: [destination('pacs', 'PACS', 11113), destination('research', 'RESEARCH', 11114)],
    rules: [rule('ct-to-pacs', { modality: 'CT' }, ['pacs']), rule('everything-to-research', {}, ['research'])],
  };
}

const tmp = useTempDir('gateway-config-', 'test');

async function writeConfig(name: string, text: string): Promise<string> {
  const path = join(tmp.path, name);
  await writeFile(path, text);
  return path;
}

describe('loading the config file', () => {
  it("accepts the issue's example exactly as written and fills in every default", async () => {
    const config = loadConfigFile(await writeConfig('gateway.yaml', ISSUE_EXAMPLE));
    expect(withoutFixed(config)).toStrictEqual(issueExampleConfig(tmp.path));
  });

  it('reads the same settings from the JSON equivalent', async () => {
    const json = {
      ae: 'GATEWAY',
      port: 11112,
      storage: './gateway-data',
      destinations: [
        { name: 'pacs', ae: 'PACS', host: '127.0.0.1', port: 11113 },
        { name: 'research', ae: 'RESEARCH', host: '127.0.0.1', port: 11114 },
      ],
      rules: [
        { name: 'ct-to-pacs', match: { modality: 'CT' }, forward: ['pacs'] },
        { name: 'everything-to-research', match: {}, forward: ['research'] },
      ],
      queue: { maxAttempts: 10, backoffBaseSeconds: 5, backoffMaxSeconds: 600 },
    };
    const config = loadConfigFile(await writeConfig('gateway.json', JSON.stringify(json, null, 2)));
    expect(withoutFixed(config)).toStrictEqual(issueExampleConfig(tmp.path));
  });

  it('marks the gateway settings the file states as fixed, naming the file and its key, and no others', async () => {
    const path = await writeConfig('fixed.yaml', 'ae: ROUTER\nmaxPdu: 32768\nallowCallingAes: [CT1]\n');
    expect(loadConfigFile(path).fixedSettings).toEqual({
      aeTitle: { kind: 'config-file', file: path, key: 'ae' },
      maxPduLength: { kind: 'config-file', file: path, key: 'maxPdu' },
      allowedCallingAes: { kind: 'config-file', file: path, key: 'allowCallingAes' },
    });
  });

  it('reads a file with another extension as YAML, which also reads JSON', async () => {
    const yamlConfig = loadConfigFile(await writeConfig('gateway.conf', ISSUE_EXAMPLE));
    const jsonConfig = loadConfigFile(await writeConfig('gateway.cfg', JSON.stringify({ ae: 'JSONGW', port: 104 })));
    expect(withoutFixed(yamlConfig)).toStrictEqual(issueExampleConfig(tmp.path));
    expect([jsonConfig.aeTitle, jsonConfig.port]).toEqual(['JSONGW', 104]);
    expect([configFormatOf('a.JSON'), configFormatOf('a.yml'), configFormatOf('a.yaml'), configFormatOf('a')]).toEqual([
      'json',
      'yaml',
      'yaml',
      'yaml',
    ]);
  });

  it("resolves a relative storage path against the config file's folder, not the working folder", async () => {
    await mkdir(join(tmp.path, 'etc'));
    const path = await writeConfig('etc/gateway.yaml', 'storage: ../data/store\n');
    expect(process.cwd()).not.toBe(join(tmp.path, 'etc'));
    expect(loadConfigFile(path).storage).toBe(join(tmp.path, 'data', 'store'));
    expect(loadConfigFile(await writeConfig('abs.yaml', 'storage: /srv/dicom\n')).storage).toBe('/srv/dicom');
  });

  it('gives the embedded defaults for an empty file, with the default storage in the working folder', async () => {
    const config = loadConfigFile(await writeConfig('empty.yaml', '# nothing set\n'));
    expect(withoutFixed(config)).toStrictEqual({
      ...issueExampleConfig(tmp.path),
      storage: resolve('gateway-data'),
      destinations: [],
      rules: [],
    });
    expect(config.fixedSettings).toEqual({});
  });

  it('loads the documented full example (resources/gateway.example.yaml) with every field', async () => {
    const config = loadConfigFile(EXAMPLE_FILE);
    expect(config).toMatchObject({
      aeTitle: 'GATEWAY',
      host: '0.0.0.0',
      port: 11112,
      storage: resolve(import.meta.dirname, '../../../resources/gateway-data'),
      maxPduLength: 65536,
      allowedCallingAes: [],
      maxAssociations: 32,
      acceptUnknownSopClasses: true,
      connectTimeoutMs: 30_000,
      associationTimeoutMs: 60_000,
      pduTimeoutMs: 60_000,
      queue: { maxAttempts: 10, backoffBaseSeconds: 5, backoffMaxSeconds: 600, batchSize: 100, lingerSeconds: 2 },
    });
    expect(config.destinations[0]).toStrictEqual({
      name: 'pacs',
      aeTitle: 'PACS',
      host: '10.0.0.5',
      port: 104,
      callingAe: 'GATEWAY',
      maxPduLength: 65536,
      connectTimeoutMs: 30_000,
      dimseTimeoutMs: 60_000,
      maxAssociations: 2,
      enabled: true,
      allowTranscoding: false,
    });
    expect(config.rules[1]).toStrictEqual({
      name: 'images-from-scanners',
      enabled: true,
      match: {
        callingAe: ['CT1', 'MR1'],
        calledAe: 'GATEWAY',
        peerAddress: { glob: '10.0.*' },
        sopClass: 'images',
        modality: { regex: '^(CT|MR)$' },
        tags: { InstitutionName: { glob: '*General*' }, '(0018,0015)': ['HEAD', 'BRAIN'] },
      },
      forward: ['pacs', 'research'],
      studyQuietSeconds: 120,
    });
    // `research` and `ct-to-pacs` set no optional field: they are the defaults the other tests build on.
    expect(config.destinations[1]).toStrictEqual({
      ...config.destinations[0],
      name: 'research',
      aeTitle: 'RESEARCH',
      host: 'research.example.org',
      port: 11114,
      callingAe: undefined,
      maxAssociations: 1,
    });
    expect(config.rules[0]).toStrictEqual({
      name: 'ct-to-pacs',
      enabled: true,
      match: { modality: 'CT' },
      forward: ['pacs'],
      studyQuietSeconds: undefined,
    });
    // The README shows the same example: the two must not drift apart.
    const readme = await readFile(resolve(import.meta.dirname, '../../../README.md'), 'utf8');
    expect(readme).toContain(await readFile(EXAMPLE_FILE, 'utf8'));
  });

  it('converts seconds to milliseconds, keeps fractions, and takes every optional field as given', async () => {
    const config = loadConfigFile(
      await writeConfig(
        'full.yaml',
        `
host: 127.0.0.1
maxPdu: 16384
allowCallingAes: [CT1, " MR1 "]
maxAssociations: 4
acceptUnknownSopClasses: false
timeouts: { connectSeconds: 2.5, associationSeconds: 10, pduSeconds: 0.25 }
destinations:
  - { name: d, ae: D, host: h, port: 1, callingAe: ME, maxPdu: 32768, connectTimeoutSeconds: 1, dimseTimeoutSeconds: 90,
      maxAssociations: 3, enabled: false, allowTranscoding: true }
rules:
  - name: r
    enabled: false
    match: { sopClass: [1.2.840.10008.5.1.4.1.1.2, "1.2.840.10008.5.1.4.1.1.4"], tags: { "(0009,10ab)": x, PatientID: ["1", "2"] } }
    forward: [d]
    studyQuietSeconds: 1.5
queue: { batchSize: 7 }
`,
      ),
    );
    expect(config).toMatchObject({
      host: '127.0.0.1',
      maxPduLength: 16384,
      allowedCallingAes: ['CT1', 'MR1'],
      maxAssociations: 4,
      acceptUnknownSopClasses: false,
      connectTimeoutMs: 2500,
      associationTimeoutMs: 10_000,
      pduTimeoutMs: 250,
      queue: { maxAttempts: 10, backoffBaseSeconds: 5, backoffMaxSeconds: 600, batchSize: 7, lingerSeconds: 2 },
    });
    expect(config.destinations[0]).toStrictEqual({
      name: 'd',
      aeTitle: 'D',
      host: 'h',
      port: 1,
      callingAe: 'ME',
      maxPduLength: 32768,
      connectTimeoutMs: 1000,
      dimseTimeoutMs: 90_000,
      maxAssociations: 3,
      enabled: false,
      allowTranscoding: true,
    });
    expect(config.rules[0]).toStrictEqual({
      name: 'r',
      enabled: false,
      forward: ['d'],
      studyQuietSeconds: 1.5,
      match: { sopClass: ['1.2.840.10008.5.1.4.1.1.2', '1.2.840.10008.5.1.4.1.1.4'], tags: { '(0009,10ab)': 'x', PatientID: ['1', '2'] } },
    });
  });

  it('refuses a file that does not exist, naming it', async () => {
    const path = join(tmp.path, 'missing.yaml');
    expect(() => loadConfigFile(path)).toThrow(ConfigError);
    expect(() => loadConfigFile(path)).toThrow(`${path}: cannot read the config file (no such file)`);
  });
});
