/**
 * The inspector's names and implicit VRs come from the full PS3.6 dictionary (dcmjs's copy), not a
 * hand-picked list: an implicit-VR file's less common elements show their names and are read with
 * their own VR (a sequence as a sequence).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceElements } from '../../../src-main/inspect/instance-elements.ts';
import { implicitVrOf, keywordOf } from '../../../src-main/inspect/tag-dictionary.ts';
import { encodeDataset, IMPLICIT_LE, p10File } from './dataset-builder.ts';

const SECONDARY_CAPTURE_DEVICE_ID = 0x00181010;
const PURPOSE_OF_REFERENCE_CODE_SEQUENCE = 0x0040a170;
const CODE_VALUE = 0x00080100;

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tag-dictionary-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('the inspector dictionary', () => {
  it('knows elements beyond the common image attributes, with their keyword and VR', () => {
    expect(keywordOf(SECONDARY_CAPTURE_DEVICE_ID)).toBe('SecondaryCaptureDeviceID');
    expect(implicitVrOf(SECONDARY_CAPTURE_DEVICE_ID)).toBe('LO');
    expect(keywordOf(PURPOSE_OF_REFERENCE_CODE_SEQUENCE)).toBe('PurposeOfReferenceCodeSequence');
    expect(implicitVrOf(PURPOSE_OF_REFERENCE_CODE_SEQUENCE)).toBe('SQ');
  });

  it('keeps its own rules for group lengths, private creators and private elements', () => {
    expect(keywordOf(0x00080000)).toBe('GroupLength');
    expect(implicitVrOf(0x00080000)).toBe('UL');
    expect(keywordOf(0x00090010)).toBe('PrivateCreator');
    expect(implicitVrOf(0x00090010)).toBe('LO');
    expect(keywordOf(0x00091001)).toBeUndefined();
    expect(implicitVrOf(0x00091001)).toBe('UN');
  });

  it('names the less common elements of an implicit-VR file and reads their sequences as sequences', async () => {
    const dataset = encodeDataset(
      [
        { tag: 0x00080018, vr: 'UI', value: '1.2.3.4' },
        { tag: SECONDARY_CAPTURE_DEVICE_ID, vr: 'LO', value: 'SN-0042' },
        { tag: PURPOSE_OF_REFERENCE_CODE_SEQUENCE, vr: 'SQ', items: [[{ tag: CODE_VALUE, vr: 'SH', value: 'P1' }]] },
      ],
      IMPLICIT_LE,
    );
    const file = join(work, 'implicit.dcm');
    await writeFile(file, p10File(dataset, '1.2.840.10008.1.2'));
    const rows = (await instanceElements(file)).rows.filter((r) => !r.meta);
    expect(rows.find((r) => r.tag === '(0018,1010)')).toMatchObject({ name: 'SecondaryCaptureDeviceID', vr: 'LO', value: 'SN-0042' });
    expect(rows.find((r) => r.tag === '(0040,A170)')).toMatchObject({ name: 'PurposeOfReferenceCodeSequence', vr: 'SQ' });
    expect(rows.find((r) => r.tag === '(0008,0100)')).toMatchObject({ name: 'CodeValue', value: 'P1', depth: 2 });
  });
});
