/**
 * One schema per value: the same invalid AE title, UID or port is refused with the same words by
 * the config file, the CLI, the API and the renderer's forms. Each surface adds only where the
 * value was (a file and field, a flag, a command and argument, a form field).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiHost } from '../../../../src-main/api/gateway-api.ts';
import type { Destination } from '../../../../src-main/api/contract.ts';
import { compareCommand } from '../../../../src-main/cli/compare-command.ts';
import { sendCommand } from '../../../../src-main/cli/send-command.ts';
import { serveConfigFromArgs } from '../../../../src-main/cli/serve-command.ts';
import { loadConfigFile } from '../../../../src-main/config/load-config.ts';
import type { Gateway } from '../../../../src-main/gateway.ts';
import { NEW_DESTINATION, validateDestination } from '../../../../src-renderer/src/views/destinations/destination-form.ts';
import { emptyRuleDraft, validateRule } from '../../../../src-renderer/src/views/rules/rule-draft.ts';
import { validateSettings, type SettingsDraft } from '../../../../src-renderer/src/views/settings/settings-form.ts';
import { destination } from '../../../helpers/destination-fixtures.ts';

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'value-refusals-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const DESTINATION = { name: 'pacs', ae: 'PACS', host: '127.0.0.1', port: 11112 };

/** The config loader's refusal of `config` (written as JSON), one line per problem. */
async function configRefusal(config: object): Promise<string> {
  const file = join(work, `config-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify({ storage: join(work, 'store'), ...config }));
  try {
    loadConfigFile(file);
  } catch (err) {
    return (err as Error).message.replaceAll(`${file}: `, '');
  }
  throw new Error(`the config file was accepted: ${JSON.stringify(config)}`);
}

/** The API's refusal, as the renderer receives it (plain words, then the detail). */
async function apiRefusal(command: string, args: unknown): Promise<string> {
  // Arguments are checked before the gateway is asked anything: no gateway is needed to refuse them.
  const api = createApiHost({} as Gateway, { uploadDir: work });
  const refusal = await api.dispatch(command, args).then(
    () => undefined,
    (err: unknown) => err as { message: string; detail: string },
  );
  expect(refusal?.message).toBe('The request was not valid.');
  return refusal!.detail;
}

function cliRefusal(run: () => unknown): Promise<string> {
  return Promise.resolve()
    .then(run)
    .then(
      () => Promise.reject(new Error('the command line was accepted')),
      (err: unknown) => (err as Error).message,
    );
}

/** What a command that reports on stderr (compare) printed first. */
async function stderrOf(run: () => Promise<number>): Promise<string> {
  const written: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation(((text: string, done?: () => void) => {
    written.push(text);
    done?.();
    return true;
  }) as typeof process.stderr.write);
  try {
    expect(await run()).toBe(2);
  } finally {
    spy.mockRestore();
  }
  return written.join('').split('\n')[0]!;
}

function savedDestination(overrides: Partial<Destination>): { destination: Destination } {
  return { destination: destination('pacs', overrides) };
}

const SETTINGS: SettingsDraft = {
  aeTitle: 'GATEWAY',
  port: '11112',
  acceptUnknownSopClasses: false,
  allowedCallingAes: '',
  maxAssociations: '32',
  maxPduLength: '65536',
};

describe.each([
  ['too long', 'ABCDEFGHIJKLMNOPQ', 'must be an AE title of 1-16 characters, got "ABCDEFGHIJKLMNOPQ" (17 characters)'],
  ['with a DEL character', 'CT\u007f1', `must be an AE title without backslash or control characters, got ${JSON.stringify('CT\u007f1')}`],
  ['with a backslash', 'CT\\1', 'must be an AE title without backslash or control characters, got "CT\\\\1"'],
])('an AE title %s', (_case, ae, message) => {
  it('is refused by the config file with the message', async () => {
    expect(await configRefusal({ ae })).toBe(`ae: ${message}`);
  });

  it('is refused by the CLI with the message', async () => {
    expect(await cliRefusal(() => serveConfigFromArgs(['--ae', ae]))).toBe(`--ae: ${message}`);
    expect(await cliRefusal(() => sendCommand(['--to', 'PACS@127.0.0.1:104', '--calling-ae', ae, work]))).toBe(`--calling-ae: ${message}`);
  });

  it('is refused by the API with the message', async () => {
    expect(await apiRefusal('saveSettings', { settings: { aeTitle: ae } })).toBe(`saveSettings: settings.aeTitle: ${message}`);
    expect(await apiRefusal('saveDestination', savedDestination({ aeTitle: ae }))).toBe(`saveDestination: destination.aeTitle: ${message}`);
  });

  it('is refused by the Settings and Destinations forms with the message', () => {
    expect(validateSettings({ ...SETTINGS, aeTitle: ae }).aeTitle).toBe(message);
    expect(validateDestination({ ...NEW_DESTINATION, name: 'pacs', host: 'h', aeTitle: ae }, []).aeTitle).toBe(message);
  });
});

describe('a UID with a leading zero in a component', () => {
  const value = '1.2.03';
  const message = '"1.2.03" is not a valid UID: it has a component with a leading zero ("03")';

  it('is refused by the config file with the message', async () => {
    const rule = { name: 'r', match: { sopClass: [value] }, forward: ['pacs'] };
    expect(await configRefusal({ destinations: [DESTINATION], rules: [rule] })).toBe(`rules[0].match.sopClass[0]: ${message}`);
  });

  it('is refused by the CLI with the message', async () => {
    expect(await stderrOf(() => compareCommand(['--syntax-a', value, join(work, 'a'), join(work, 'b')]))).toBe(
      `compare: --syntax-a: ${message}`,
    );
  });

  it('is refused by the API with the message', async () => {
    expect(await apiRefusal('listSeries', { studyInstanceUid: value })).toBe(`listSeries: studyInstanceUid: ${message}`);
    const rule = { name: 'r', enabled: true, match: { sopClass: [value] }, forward: ['pacs'] };
    expect(await apiRefusal('saveRules', { rules: [rule] })).toBe(`saveRules: rules[0].match.sopClass[0]: ${message}`);
  });

  it('is refused by the Rules form with the message', () => {
    const draft = {
      ...emptyRuleDraft(),
      name: 'r',
      forward: ['pacs'],
      sopClassKind: 'list' as const,
      sopClassList: `1.2.840.10008.5.1.4.1.1.2, ${value}`,
    };
    expect(validateRule(draft, []).sopClassList).toBe(message);
  });
});

describe('a destination port out of range', () => {
  const message = 'must be a port number 1-65535, got 70000';

  it('is refused by the config file with the message', async () => {
    expect(await configRefusal({ destinations: [{ ...DESTINATION, port: 70000 }] })).toBe(`destinations[0].port: ${message}`);
  });

  it('is refused by the CLI with the message', async () => {
    expect(await cliRefusal(() => sendCommand(['--to', 'PACS@127.0.0.1:70000', work]))).toBe(`"PACS@127.0.0.1:70000": ${message}`);
  });

  it('is refused by the API with the message', async () => {
    expect(await apiRefusal('saveDestination', savedDestination({ port: 70000 }))).toBe(`saveDestination: destination.port: ${message}`);
  });

  it('is refused by the Destinations form with the message', () => {
    expect(validateDestination({ ...NEW_DESTINATION, name: 'pacs', host: 'h', aeTitle: 'PACS', port: '70000' }, []).port).toBe(message);
  });
});

describe('a listening port out of range', () => {
  const message = 'must be a port number 0-65535 (0: let the system choose), got 70000';

  it('is refused by the config file with the message', async () => {
    expect(await configRefusal({ port: 70000 })).toBe(`port: ${message}`);
  });

  it('is refused by the CLI with the message', async () => {
    expect(await cliRefusal(() => serveConfigFromArgs(['--port', '70000']))).toBe(`--port: ${message}`);
  });

  it('is refused by the API with the message', async () => {
    expect(await apiRefusal('saveSettings', { settings: { port: 70000 } })).toBe(`saveSettings: settings.port: ${message}`);
  });

  it('is refused by the Settings form with the message', () => {
    expect(validateSettings({ ...SETTINGS, port: '70000' }).port).toBe(message);
  });
});

describe('a destination host typed with its port', () => {
  const message = 'must be a host name or IP address without a port (the port is a value of its own), got "10.0.0.5:104"';

  it('is refused by the config file with the message', async () => {
    expect(await configRefusal({ destinations: [{ ...DESTINATION, host: '10.0.0.5:104' }] })).toBe(`destinations[0].host: ${message}`);
  });

  it('is refused by the API with the message', async () => {
    expect(await apiRefusal('saveDestination', savedDestination({ host: '10.0.0.5:104' }))).toBe(
      `saveDestination: destination.host: ${message}`,
    );
  });

  it('is refused by the Destinations form with the message', () => {
    expect(validateDestination({ ...NEW_DESTINATION, name: 'pacs', host: '10.0.0.5:104', aeTitle: 'PACS', port: '104' }, []).host).toBe(
      message,
    );
  });

  it('while an IPv6 address in brackets, as in a URL, is taken and kept without them', async () => {
    const file = join(work, 'ipv6.json');
    await writeFile(file, JSON.stringify({ storage: join(work, 'store'), destinations: [{ ...DESTINATION, host: '[fe80::1]' }] }));
    expect(loadConfigFile(file).destinations[0]!.host).toBe('fe80::1');
    expect(
      validateDestination({ ...NEW_DESTINATION, name: 'pacs', host: '[fe80::1]', aeTitle: 'PACS', port: '104' }, []).host,
    ).toBeUndefined();
  });
});
