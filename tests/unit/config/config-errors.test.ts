import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src-main/config/config-error.ts';
import { configFromValue, loadConfigFile } from '../../../src-main/config/load-config.ts';
import { useTempDir } from '../../helpers/temp-dir.ts';

const PACS = { name: 'pacs', ae: 'PACS', host: '127.0.0.1', port: 11113 };
const RESEARCH = { name: 'research', ae: 'RESEARCH', host: '127.0.0.1', port: 11114 };

/** The ConfigError `value` causes when loaded as gateway.yaml. */
function errorFor(value: unknown): ConfigError {
  try {
    configFromValue(value, 'gateway.yaml', '/etc/gateway');
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`accepted: ${JSON.stringify(value)}`);
}

function withRule(match: unknown, extra: Record<string, unknown> = {}) {
  return { destinations: [PACS], rules: [{ name: 'r', match, forward: ['pacs'], ...extra }] };
}

describe('config validation names the field and says what is wrong', () => {
  it.each<[string, unknown, string]>([
    [
      'a destination port out of range',
      { destinations: [PACS, { ...RESEARCH, port: 70000 }] },
      'destinations[1].port: must be a port number 1-65535, got 70000',
    ],
    [
      'a listening port that is not a number',
      { port: 'http' },
      'port: must be a port number 0-65535 (0: let the system choose), got "http"',
    ],
    [
      'a quoted port',
      { port: '11112' },
      'port: must be a port number 0-65535 (0: let the system choose), got "11112" (text: remove the quotes)',
    ],
    ['a fractional port', { destinations: [{ ...PACS, port: 104.5 }] }, 'destinations[0].port: must be a port number 1-65535, got 104.5'],
    [
      'an invalid regular expression',
      withRule({ modality: { regex: '(ab' } }),
      'rules[0].match.modality.regex: invalid regular expression "(ab": Unterminated group',
    ],
    [
      "the issue's invalid regular expression",
      withRule({ modality: { regex: '([' } }),
      'rules[0].match.modality.regex: invalid regular expression "([": Unterminated character class',
    ],
    ['a misspelt queue field', { queue: { maxAtempts: 3 } }, 'queue.maxAtempts: unknown field (did you mean maxAttempts?)'],
    [
      'a misspelt destination field',
      { destinations: [{ ...PACS, aeTitle: 'X' }] },
      'destinations[0].aeTitle: unknown field (did you mean ae?)',
    ],
    [
      'a misspelt pattern key',
      withRule({ modality: { regexp: 'CT' } }),
      'rules[0].match.modality.regexp: unknown field (did you mean regex?)',
    ],
    [
      'a top-level AE title too long',
      { ae: 'THIS_AE_TITLE_IS_TOO_LONG' },
      'ae: must be an AE title of 1-16 characters, got "THIS_AE_TITLE_IS_TOO_LONG" (25 characters)',
    ],
    [
      'an empty destination AE title',
      { destinations: [{ ...PACS, ae: '  ' }] },
      'destinations[0].ae: must be an AE title of 1-16 characters, got "  " (0 characters)',
    ],
    [
      'a calling AE with a backslash',
      { destinations: [{ ...PACS, callingAe: 'A\\B' }] },
      'destinations[0].callingAe: must be an AE title without backslash or control characters, got "A\\\\B"',
    ],
    [
      'an allowed calling AE too long',
      { allowCallingAes: ['CT1', 'SEVENTEEN_CHARS_X'] },
      'allowCallingAes[1]: must be an AE title of 1-16 characters, got "SEVENTEEN_CHARS_X" (17 characters)',
    ],
    [
      'an AE title YAML read as a number',
      { ae: 1234 },
      'ae: must be an AE title (text of 1-16 characters), got 1234 (a number: put it in quotes)',
    ],
    [
      'an invalid SOP class UID',
      withRule({ sopClass: ['1.2.840.10008.5.1.4.1.1.2', '1.2.03'] }),
      'rules[0].match.sopClass[1]: "1.2.03" is not a valid UID: it has a component with a leading zero ("03")',
    ],
    [
      'a SOP class word that is not any or images',
      withRule({ sopClass: 'image' }),
      'rules[0].match.sopClass: must be "any", "images" or a list of SOP class UIDs, got "image"',
    ],
    [
      'a misspelt attribute keyword',
      withRule({ tags: { PatientId: 'X' } }),
      'rules[0].match.tags.PatientId: not a DICOM attribute keyword or a tag "(gggg,eeee)" (did you mean PatientID?)',
    ],
    [
      'a tag almost in tag form',
      withRule({ tags: { '(0010 0020)': 'X' } }),
      'rules[0].match.tags["(0010 0020)"]: not a tag; write it as "(0010,0020)"',
    ],
    [
      'a tag rules cannot read at store time',
      withRule({ tags: { PixelData: '*' } }),
      'rules[0]: match.tags.PixelData: (7FE0,0010) PixelData lies at or after Pixel Data (7FE0,0010); rules read only elements before pixel data',
    ],
    [
      'a matcher that is a number',
      withRule({ tags: { '(0020,0011)': 3 } }),
      'rules[0].match.tags["(0020,0011)"]: must be text, a list of text, { glob: "…" } or { regex: "…" }, got 3 (a number: put it in quotes)',
    ],
    [
      'a matcher with both glob and regex',
      withRule({ callingAe: { glob: 'CT*', regex: 'CT' } }),
      'rules[0].match.callingAe: must have either glob or regex, not both',
    ],
    ['an empty matcher list', withRule({ peerAddress: [] }), 'rules[0].match.peerAddress: must list at least one value'],
    [
      'a rule without match',
      { destinations: [PACS], rules: [{ name: 'r', forward: ['pacs'] }] },
      'rules[0].match: is required (write "match: {}" to match every instance)',
    ],
    ['a rule without destinations', withRule({}, { forward: [] }), 'rules[0].forward: must name at least one destination'],
    [
      'a rule forwarding to a missing destination',
      {
        destinations: [PACS, RESEARCH],
        rules: [
          { name: 'a', match: {}, forward: ['pacs'] },
          { name: 'b', match: {}, forward: ['research'] },
          { name: 'c', match: {}, forward: ['pacs2'] },
        ],
      },
      'rules[2].forward[0]: no destination named "pacs2" (known: pacs, research)',
    ],
    [
      'a rule forwarding when no destination exists',
      { rules: [{ name: 'a', match: {}, forward: ['pacs'] }] },
      'rules[0].forward[0]: no destination named "pacs" (the file defines no destinations)',
    ],
    [
      'a destination named twice',
      { destinations: [PACS, RESEARCH, { ...RESEARCH, port: 1 }] },
      'destinations[2].name: "research" is already the name of destinations[1]; names must be unique',
    ],
    [
      'a rule named twice',
      {
        destinations: [PACS],
        rules: [
          { name: 'r', match: {}, forward: ['pacs'] },
          { name: 'r', match: {}, forward: ['pacs'] },
        ],
      },
      'rules[1].name: "r" is already the name of rules[0]; names must be unique',
    ],
    [
      'a backoff cap below the base',
      { queue: { backoffBaseSeconds: 30, backoffMaxSeconds: 10 } },
      'queue.backoffMaxSeconds: must be at least backoffBaseSeconds (30), got 10',
    ],
    [
      'a backoff base above the default cap',
      { queue: { backoffBaseSeconds: 900 } },
      'queue.backoffBaseSeconds: must be at most backoffMaxSeconds (600, the default), got 900',
    ],
    ['zero attempts', { queue: { maxAttempts: 0 } }, 'queue.maxAttempts: must be a whole number of at least 1, got 0'],
    [
      'a zero timeout',
      { timeouts: { pduSeconds: 0 } },
      'timeouts.pduSeconds: must be a number of seconds greater than 0 and at most 2147483, got 0',
    ],
    [
      'a wait longer than a timer can hold',
      withRule({}, { studyQuietSeconds: 3_000_000 }),
      'rules[0].studyQuietSeconds: must be a number of seconds greater than 0 and at most 2147483, got 3000000',
    ],
    [
      'transcoding allowed as a word',
      { destinations: [{ ...PACS, allowTranscoding: 'yes' }] },
      'destinations[0].allowTranscoding: must be true or false, got "yes"',
    ],
    ['a flag written as yes', { destinations: [{ ...PACS, enabled: 'yes' }] }, 'destinations[0].enabled: must be true or false, got "yes"'],
    [
      'an empty value',
      { destinations: [{ ...PACS, host: null }] },
      'destinations[0].host: must be a host name or IP address, got nothing (an empty value)',
    ],
    ['a missing required field', { destinations: [{ name: 'pacs', ae: 'PACS', host: 'h' }] }, 'destinations[0].port: is required'],
    [
      'a list where a mapping belongs',
      { queue: [1] },
      'queue: must be a mapping of maxAttempts, backoffBaseSeconds, backoffMaxSeconds, batchSize, lingerSeconds, got a list',
    ],
    ['a file that is a list', [PACS], 'must be a mapping of settings (ae, port, storage, destinations, rules, queue, …), got a list'],
  ])('%s', (_what, value, message) => {
    const error = errorFor(value);
    expect(error.message).toBe(`gateway.yaml: ${message}`);
  });

  it('lists the allowed fields when an unknown one resembles none of them', () => {
    expect(errorFor({ destinations: [PACS], rules: [{ name: 'r', match: {}, forward: ['pacs'], priority: 1 }] }).message).toBe(
      'gateway.yaml: rules[0].priority: unknown field (allowed here: name, enabled, match, forward, studyQuietSeconds)',
    );
  });

  it('reports every problem in the file at once, one line each, with its field', () => {
    const error = errorFor({ prot: 104, destinations: [{ ...PACS, port: 0 }], queue: { batchSize: 'all' } });
    expect(error.problems).toEqual([
      { field: 'destinations[0].port', message: 'must be a port number 1-65535, got 0' },
      { field: 'queue.batchSize', message: 'must be a whole number of at least 1, got "all"' },
      { field: 'prot', message: 'unknown field (did you mean port?)' },
    ]);
    expect(error.message.split('\n')).toHaveLength(3);
    expect(error.message.split('\n').every((line) => line.startsWith('gateway.yaml: '))).toBe(true);
  });
});

describe('config syntax errors name the file and the line', () => {
  const tmp = useTempDir('gateway-config-errors-');

  it('refuses YAML that does not parse, with the line and column', async () => {
    const path = join(tmp.path, 'broken.yaml');
    await writeFile(path, 'ae: GATEWAY\ndestinations: [pacs\nport: 1\n');
    expect(() => loadConfigFile(path)).toThrow(
      new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid YAML: .* at line \\d+, column \\d+$`),
    );
  });

  it('refuses a YAML key given twice', async () => {
    const path = join(tmp.path, 'twice.yaml');
    await writeFile(path, 'port: 104\nport: 105\n');
    expect(() => loadConfigFile(path)).toThrow(`${path}: not valid YAML: Map keys must be unique at line 2, column 1`);
  });

  it('refuses a .json file that is not JSON, even if it would read as YAML', async () => {
    const path = join(tmp.path, 'gateway.json');
    await writeFile(path, 'port: 104\n');
    expect(() => loadConfigFile(path)).toThrow(ConfigError);
    expect(() => loadConfigFile(path)).toThrow(`${path}: not valid JSON: `);
  });
});
