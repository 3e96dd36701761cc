import dimse from 'dcmjs-dimse';
import { describe, expect, it } from 'vitest';
import { IMAGE_STORAGE_SOP_CLASSES } from '../../../src-main/dicom/sop-class-kinds.ts';
import { compileRules, routingFactsFor } from '../../../src-main/routing/rule-matcher.ts';
import type { RoutingFacts } from '../../../src-main/routing/routing-types.ts';
import type { Rule, RuleMatch } from '../../../src-main/api/types/routing.ts';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const MR = '1.2.840.10008.5.1.4.1.1.4';
const BASIC_TEXT_SR = '1.2.840.10008.5.1.4.1.1.88.11';

function rule(name: string, match: RuleMatch, forward: string[] = [name], enabled = true): Rule {
  return { name, enabled, match, forward, studyQuietSeconds: undefined };
}

function facts(overrides: Partial<RoutingFacts> = {}): RoutingFacts {
  return {
    callingAe: 'MODALITY1',
    calledAe: 'GATEWAY',
    peerAddress: '10.1.2.3:40123',
    sopClassUid: CT,
    modality: 'CT',
    tags: {},
    ...overrides,
  };
}

/** Names of the rules that route `f`. */
function routed(rules: Rule[], f: RoutingFacts): string[] {
  return compileRules(rules)
    .route(f)
    .map((r) => r.rule.name);
}

function matches(match: RuleMatch, f: RoutingFacts): boolean {
  return routed([rule('r', match)], f).length === 1;
}

describe('rule order, empty matches and disabled rules', () => {
  it('routes through every matching rule, in rule order, with each rule’s destinations', () => {
    const rules = [
      rule('everything', {}, ['archive']),
      rule('ct', { modality: 'CT' }, ['pacs', 'ai']),
      rule('mr', { modality: 'MR' }, ['mri-pacs']),
    ];
    const result = compileRules(rules).route(facts({ modality: 'CT' }));
    expect(result).toEqual([
      { rule: rules[0], destinations: ['archive'] },
      { rule: rules[1], destinations: ['pacs', 'ai'] },
    ]);
    expect(routed([...rules].reverse(), facts({ modality: 'CT' }))).toEqual(['ct', 'everything']);
  });

  it('matches everything with an empty match', () => {
    expect(matches({}, facts({ modality: undefined, sopClassUid: BASIC_TEXT_SR }))).toBe(true);
  });

  it('skips a disabled rule even when it matches', () => {
    const rules = [rule('off', {}, ['a'], false), rule('on', {}, ['b'])];
    expect(routed(rules, facts())).toEqual(['on']);
  });

  it('requires every field a rule names to match', () => {
    const match: RuleMatch = { modality: 'CT', callingAe: 'MODALITY1', tags: { PatientID: 'P1' } };
    expect(matches(match, facts({ tags: { '00100020': 'P1' } }))).toBe(true);
    expect(matches(match, facts({ tags: { '00100020': 'P2' } }))).toBe(false);
    expect(matches(match, facts({ callingAe: 'OTHER', tags: { '00100020': 'P1' } }))).toBe(false);
  });

  it('hands out a copy of the destinations, so a caller cannot change the rule', () => {
    const rules = [rule('r', {}, ['pacs'])];
    compileRules(rules).route(facts())[0]!.destinations.push('oops');
    expect(rules[0]!.forward).toEqual(['pacs']);
  });
});

describe('association fields', () => {
  it('match the calling and called AE titles, ignoring their padding', () => {
    expect(matches({ callingAe: 'CT_SCANNER' }, facts({ callingAe: ' CT_SCANNER  ' }))).toBe(true);
    expect(matches({ calledAe: { glob: 'GATE*' } }, facts({ calledAe: 'GATEWAY' }))).toBe(true);
    expect(matches({ calledAe: 'GATEWAY' }, facts({ calledAe: 'OTHER' }))).toBe(false);
  });

  it('match the peer address by host without the port, or by the whole HOST:PORT', () => {
    expect(matches({ peerAddress: '127.0.0.1' }, facts({ peerAddress: '127.0.0.1:5000' }))).toBe(true);
    expect(matches({ peerAddress: '127.0.0.1:5000' }, facts({ peerAddress: '127.0.0.1:5000' }))).toBe(true);
    expect(matches({ peerAddress: '127.0.0.1:5001' }, facts({ peerAddress: '127.0.0.1:5000' }))).toBe(false);
    expect(matches({ peerAddress: '127.0.0.1' }, facts({ peerAddress: '127.0.0.10:5000' }))).toBe(false);
    expect(matches({ peerAddress: { glob: '10.1.*' } }, facts({ peerAddress: '10.1.2.3:40123' }))).toBe(true);
    expect(matches({ peerAddress: { regex: '^192\\.168\\.' } }, facts({ peerAddress: '10.1.2.3:40123' }))).toBe(false);
  });

  it('match an IPv4-mapped IPv6 peer by its IPv4 address, and an IPv6 peer by its address', () => {
    expect(matches({ peerAddress: '127.0.0.1' }, facts({ peerAddress: '::ffff:127.0.0.1:5000' }))).toBe(true);
    expect(matches({ peerAddress: '::ffff:127.0.0.1' }, facts({ peerAddress: '::ffff:127.0.0.1:5000' }))).toBe(true);
    expect(matches({ peerAddress: '::1' }, facts({ peerAddress: '::1:5000' }))).toBe(true);
    expect(matches({ peerAddress: 'fe80::1' }, facts({ peerAddress: '[fe80::1]:104' }))).toBe(true);
  });
});

describe('sopClass', () => {
  it('"any" matches every SOP class', () => {
    expect(matches({ sopClass: 'any' }, facts({ sopClassUid: BASIC_TEXT_SR }))).toBe(true);
    expect(matches({ sopClass: 'any' }, facts({ sopClassUid: '1.2.3.4' }))).toBe(true);
  });

  it('"images" matches image storage SOP classes, retired ones and Enhanced US Volume included', () => {
    for (const uid of [
      CT,
      MR,
      '1.2.840.10008.5.1.4.1.1.6',
      '1.2.840.10008.5.1.4.1.1.6.2',
      '1.2.840.10008.5.1.4.1.1.77.1.6',
      '1.2.840.10008.5.1.4.1.1.7',
    ]) {
      expect(matches({ sopClass: 'images' }, facts({ sopClassUid: uid })), uid).toBe(true);
    }
    // A UI value padded with its NUL, as it may arrive.
    expect(matches({ sopClass: 'images' }, facts({ sopClassUid: `${MR}\0` }))).toBe(true);
  });

  it('"images" leaves out structured reports, documents, RT plans, presentation states, segmentations and parametric maps', () => {
    for (const uid of [
      BASIC_TEXT_SR,
      '1.2.840.10008.5.1.4.1.1.104.1', // Encapsulated PDF
      '1.2.840.10008.5.1.4.1.1.481.3', // RT Structure Set
      '1.2.840.10008.5.1.4.1.1.481.5', // RT Plan
      '1.2.840.10008.5.1.4.1.1.11.1', // Grayscale Softcopy Presentation State
      '1.2.840.10008.5.1.4.1.1.66.4', // Segmentation
      '1.2.840.10008.5.1.4.1.1.30', // Parametric Map
      '1.2.840.10008.5.1.4.1.1.9.1.1', // 12-lead ECG
      '1.2.3.4.5', // private
    ]) {
      expect(matches({ sopClass: 'images' }, facts({ sopClassUid: uid })), uid).toBe(false);
    }
  });

  it('"images" agrees with dcmjs-dimse: exactly its storage classes named "...Image..." are images', () => {
    const storageClasses = Object.entries(dimse.constants.StorageClass as Record<string, string>);
    expect(storageClasses.length).toBeGreaterThan(50);
    for (const [name, uid] of storageClasses) {
      expect(IMAGE_STORAGE_SOP_CLASSES.has(uid), `${name} ${uid}`).toBe(/Image/.test(name));
    }
  });

  it('a list matches exactly the SOP class UIDs it names', () => {
    expect(matches({ sopClass: [MR, CT] }, facts({ sopClassUid: CT }))).toBe(true);
    expect(matches({ sopClass: [MR] }, facts({ sopClassUid: CT }))).toBe(false);
    expect(matches({ sopClass: [CT] }, facts({ sopClassUid: `${CT}.1` }))).toBe(false);
  });

  it('refuses a list entry that is not a UID, and anything else than any, images or a list', () => {
    expect(() => compileRules([rule('sr', { sopClass: [CT, 'CT Image Storage'] })])).toThrow(
      'rules[0] "sr": match.sopClass[1]: "CT Image Storage" is not a SOP class UID: it has characters other than digits and dots',
    );
    expect(() => compileRules([rule('sr', { sopClass: 'image' as 'images' })])).toThrow(
      'rules[0] "sr": match.sopClass: expected "any", "images" or a list of SOP class UIDs, got "image"',
    );
    expect(() => compileRules([rule('sr', { sopClass: [] })])).toThrow(/^rules\[0\] "sr": match\.sopClass: an empty list matches nothing/);
  });
});

describe('modality', () => {
  it('matches exactly, by list, by glob or by regex', () => {
    expect(matches({ modality: 'CT' }, facts({ modality: 'CT' }))).toBe(true);
    expect(matches({ modality: ['MR', 'CT'] }, facts({ modality: 'CT' }))).toBe(true);
    expect(matches({ modality: { glob: 'C?' } }, facts({ modality: 'CR' }))).toBe(true);
    expect(matches({ modality: { regex: '^(MR|PT)$' } }, facts({ modality: 'CT' }))).toBe(false);
  });

  it('a missing modality matches only a matcher that accepts empty text', () => {
    expect(matches({ modality: 'CT' }, facts({ modality: undefined }))).toBe(false);
    expect(matches({ modality: '' }, facts({ modality: undefined }))).toBe(true);
  });
});

describe('tags', () => {
  it.each(['PatientID', '(0010,0020)', '0010,0020', '00100020', ' PatientID '])('names Patient ID as %j', (key) => {
    const compiled = compileRules([rule('r', { tags: { [key]: 'P1' } })]);
    expect(compiled.tagsNeeded).toEqual([0x00100020]);
    expect(compiled.route(facts({ tags: { '00100020': 'P1' } }))).toHaveLength(1);
    expect(compiled.route(facts({ tags: { '00100020': 'P2' } }))).toHaveLength(0);
  });

  it('names a private tag in lower-case hex, and matches its upper-case key', () => {
    const compiled = compileRules([rule('r', { tags: { '(0009,10ab)': { glob: 'private*' } } })]);
    expect(compiled.tagsNeeded).toEqual([0x000910ab]);
    expect(compiled.route(facts({ tags: { '000910AB': 'private 1' } }))).toHaveLength(1);
  });

  it('also finds a value keyed by keyword or by the rule’s own spelling', () => {
    expect(matches({ tags: { '(0010,0020)': 'P1' } }, facts({ tags: { PatientID: 'P1' } }))).toBe(true);
    expect(matches({ tags: { '(0010,0020)': 'P1' } }, facts({ tags: { '(0010,0020)': 'P1' } }))).toBe(true);
  });

  it('accepts a retired keyword with or without dcmjs’s RETIRED_ prefix', () => {
    // (0008,1000) Network ID is retired.
    expect(compileRules([rule('a', { tags: { NetworkID: 'x' } })]).tagsNeeded).toEqual([0x00081000]);
    expect(compileRules([rule('a', { tags: { RETIRED_NetworkID: 'x' } })]).tagsNeeded).toEqual([0x00081000]);
  });

  it('a missing element never matches, except a matcher that accepts empty text', () => {
    expect(matches({ tags: { AccessionNumber: { glob: '?*' } } }, facts({ tags: {} }))).toBe(false);
    expect(matches({ tags: { AccessionNumber: '' } }, facts({ tags: {} }))).toBe(true);
    expect(matches({ tags: { AccessionNumber: '' } }, facts({ tags: { '00080050': 'A1' } }))).toBe(false);
  });

  it('matches a multi-valued element when any value matches', () => {
    expect(matches({ tags: { ImageType: 'LOCALIZER' } }, facts({ tags: { '00080008': 'ORIGINAL\\PRIMARY\\LOCALIZER' } }))).toBe(true);
    expect(matches({ tags: { ImageType: 'AXIAL' } }, facts({ tags: { '00080008': 'ORIGINAL\\PRIMARY\\LOCALIZER' } }))).toBe(false);
  });
});

describe('tagsNeeded', () => {
  it('lists each tag enabled rules read, once, ascending; not the built-in facts, not disabled rules’ tags', () => {
    const compiled = compileRules([
      rule('a', { modality: 'CT', tags: { StudyDescription: { glob: '*HEAD*' }, PatientID: 'X' } }),
      rule('b', { tags: { '(0010,0020)': 'Y', AccessionNumber: { regex: '^A' } } }),
      rule('off', { tags: { ReferringPhysicianName: 'DR' } }, ['x'], false),
      rule('c', { callingAe: 'CT1', sopClass: 'images' }),
    ]);
    expect(compiled.tagsNeeded).toEqual([0x00080050, 0x00081030, 0x00100020]);
  });

  it('is empty when no rule reads a tag', () => {
    expect(compileRules([rule('a', { modality: 'CT' })]).tagsNeeded).toEqual([]);
    expect(compileRules([]).tagsNeeded).toEqual([]);
  });
});

describe('errors name the rule and the field', () => {
  it('a bad regular expression', () => {
    expect(() => compileRules([rule('ok', {}), rule('ct-to-pacs', { modality: { regex: '(CT' } })])).toThrow(
      /^rules\[1\] "ct-to-pacs": match\.modality\.regex: invalid regular expression "\(CT" \(.*Unterminated group.*\)$/,
    );
    expect(() => compileRules([rule('t', { tags: { PatientID: { regex: '[' } } })])).toThrow(
      /^rules\[0\] "t": match\.tags\.PatientID\.regex: invalid regular expression "\["/,
    );
  });

  it('a bad regular expression in a disabled rule too: the configuration is wrong either way', () => {
    expect(() => compileRules([rule('off', { callingAe: { regex: '*' } }, ['x'], false)])).toThrow(
      /^rules\[0\] "off": match\.callingAe\.regex: invalid/,
    );
  });

  it('an unknown keyword, with the keyword it probably means', () => {
    expect(() => compileRules([rule('pid', { tags: { PatientId: 'X' } })])).toThrow(
      'rules[0] "pid": match.tags.PatientId: unknown tag keyword "PatientId" (did you mean PatientID?); expected a DICOM keyword such as PatientID, or a tag such as (0010,0020)',
    );
    expect(() => compileRules([rule('pid', { tags: { NoSuchThing: 'X' } })])).toThrow(
      /^rules\[0\] "pid": match\.tags\.NoSuchThing: unknown tag keyword "NoSuchThing"; expected/,
    );
    expect(() => compileRules([rule('pid', { tags: { '(0010,002G)': 'X' } })])).toThrow(/match\.tags\.\(0010,002G\): unknown tag keyword/);
  });

  it('tags a rule cannot read at store time: pixel data and after, sequences, binary values, the meta group', () => {
    const problem = (key: string) => () => compileRules([rule('t', { tags: { [key]: 'X' } })]);
    expect(problem('PixelData')).toThrow(
      'rules[0] "t": match.tags.PixelData: (7FE0,0010) PixelData lies at or after Pixel Data (7FE0,0010)',
    );
    expect(problem('(FFFC,FFFC)')).toThrow(/\(FFFC,FFFC\) DataSetTrailingPadding lies at or after Pixel Data/);
    expect(problem('(7FE0,0008)')).toThrow(/lies at or after Pixel Data/);
    expect(problem('ReferencedImageSequence')).toThrow(
      'match.tags.ReferencedImageSequence: (0008,1140) ReferencedImageSequence is a sequence',
    );
    expect(problem('(0029,1010)')).not.toThrow(); // private, unknown VR: may be text
    expect(problem('EncapsulatedDocument')).toThrow(/\(0042,0011\) EncapsulatedDocument has binary VR OB/);
    expect(problem('TransferSyntaxUID')).toThrow(/\(0002,0010\) TransferSyntaxUID is in the file meta group/);
    expect(problem('(FFFE,E000)')).toThrow(/is an item or delimiter tag/);
    expect(problem('(0000,0100)')).toThrow(/is a command element/);
  });

  it('a field rules do not know', () => {
    expect(() => compileRules([rule('typo', { modalty: 'CT' } as RuleMatch)])).toThrow(
      'rules[0] "typo": match.modalty: unknown field; expected one of callingAe, calledAe, peerAddress, sopClass, modality, tags',
    );
  });
});

describe('routingFactsFor', () => {
  it('takes the association, the SOP class, the modality and the extra tags read at store time', () => {
    const f = routingFactsFor({ callingAe: 'CT1', calledAe: 'GW', peerAddress: '127.0.0.1:5000' }, CT, {
      modality: 'CT',
      patientId: 'P1',
      extra: { '00100020': 'P1' },
    });
    expect(f).toEqual({
      callingAe: 'CT1',
      calledAe: 'GW',
      peerAddress: '127.0.0.1:5000',
      sopClassUid: CT,
      modality: 'CT',
      tags: { '00100020': 'P1' },
    });
    expect(routingFactsFor({ callingAe: 'A', calledAe: 'B', peerAddress: 'h:1' }, CT, {}).tags).toEqual({});
  });
});
