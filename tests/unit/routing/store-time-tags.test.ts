/**
 * The tags rules read are read at store time, by the index-field reader, in the same pass and
 * from the same bytes as the index fields (IndexFields.extra), so routing never parses a file again.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IndexFieldsNeedMoreData, readIndexFieldsFromDataset, readIndexFieldsFromFile } from '../../../src-main/dicom/index-fields.ts';
import { readP10Header } from '../../../src-main/dicom/p10-reader.ts';
import { compileRules, routingFactsFor } from '../../../src-main/routing/rule-matcher.ts';
import type { Rule } from '../../../src-main/api/types/routing.ts';
import {
  FixtureTransferSyntax,
  SopClass,
  buildDataset,
  buildMetaHeader,
  buildP10File,
  type FixtureOptions,
  usElementOffset,
} from '../../helpers/dicom-fixtures.ts';
import { explicitLeElement, textValue, uidValue } from '../../helpers/element-encoding.ts';
import { useTempDir } from '../../helpers/temp-dir.ts';

const PATIENT_ID = 0x00100020;
const ACCESSION_NUMBER = 0x00080050;
const STUDY_DESCRIPTION = 0x00081030;
const PATIENT_SEX = 0x00100040;
const ROWS = 0x00280010;
const SPECIFIC_CHARACTER_SET = 0x00080005;
const PRIVATE_TEXT = 0x00091001; // LO "private <seed>" with edgeCases
const PRIVATE_BINARY = 0x00091002; // OB with edgeCases
const DEVICE_SERIAL_NUMBER = 0x00181000; // odd-length LO "SN12345" with edgeCases
const PROTOCOL_NAME = 0x00181030; // odd-length LO "ODD" with edgeCases

const EXTRA = [PATIENT_ID, ACCESSION_NUMBER, STUDY_DESCRIPTION, PATIENT_SEX, ROWS];

/** 512 bytes of 16-bit pixels are 256 pixels: the fixture writes a 16 × 16 frame. */
const instance: FixtureOptions = {
  patientId: 'PAT-7',
  accessionNumber: 'ACC-0042',
  studyDescription: 'CT HEAD W/O',
  patientSex: 'F',
  modality: 'CT',
  pixelDataBytes: 512,
  seed: 3,
};
const expectedExtra = { '00100020': 'PAT-7', '00080050': 'ACC-0042', '00081030': 'CT HEAD W/O', '00100040': 'F', '00280010': '16' };

const nativeSyntaxes = [
  ['Explicit VR Little Endian', FixtureTransferSyntax.ExplicitVRLittleEndian],
  ['Implicit VR Little Endian', FixtureTransferSyntax.ImplicitVRLittleEndian],
  ['Explicit VR Big Endian', FixtureTransferSyntax.ExplicitVRBigEndian],
] as const;
const allSyntaxes = [
  ...nativeSyntaxes,
  ['Deflated Explicit VR Little Endian', FixtureTransferSyntax.DeflatedExplicitVRLittleEndian],
] as const;

const tmp = useTempDir('store-time-tags-');

describe('extra tags read with the index fields', () => {
  for (const [name, ts] of allSyntaxes) {
    it(`${name}: reads text and US elements by tag, and leaves the index fields as they were`, () => {
      const dataset = buildDataset({ ...instance, transferSyntaxUid: ts, edgeCases: true });
      const withExtra = readIndexFieldsFromDataset(dataset, ts, true, 'dataset', EXTRA);
      const without = readIndexFieldsFromDataset(dataset, ts, true);
      expect(withExtra.extra).toEqual(expectedExtra);
      const { extra: _extra, ...fields } = withExtra;
      expect(fields).toEqual(without);
      expect('extra' in without).toBe(false);
    });
  }

  for (const [name, ts] of nativeSyntaxes) {
    it(`${name}: private text and unpadded odd-length values are read, binary OB is left out`, () => {
      const dataset = buildDataset({ ...instance, transferSyntaxUid: ts, edgeCases: true });
      const { extra } = readIndexFieldsFromDataset(dataset, ts, true, 'dataset', [
        PRIVATE_TEXT,
        PRIVATE_BINARY,
        DEVICE_SERIAL_NUMBER,
        PROTOCOL_NAME,
      ]);
      // In implicit VR the private element has no VR and no dictionary entry: read as UN, as Latin-1 text.
      expect(extra).toEqual({ '00091001': 'private 3', '00181000': 'SN12345', '00181030': 'ODD' });
    });
  }

  it('joins a multi-valued value with backslashes, without each value’s padding and insignificant leading spaces', () => {
    const dataset = buildDataset({
      ...instance,
      patientId: '  P1 \\ P2',
      studyDescription: 'HEAD\\NECK ',
      specificCharacterSet: '\\ISO 2022 IR 87',
    });
    const { extra } = readIndexFieldsFromDataset(dataset, FixtureTransferSyntax.ExplicitVRLittleEndian, true, 'dataset', [
      SPECIFIC_CHARACTER_SET,
      PATIENT_ID,
      STUDY_DESCRIPTION,
    ]);
    expect(extra).toEqual({ '00080005': '\\ISO 2022 IR 87', '00100020': 'P1\\P2', '00081030': 'HEAD\\NECK' });
  });

  it('decodes text in the dataset’s character set, and keeps a person name’s groups as written', () => {
    const dataset = buildDataset({
      ...instance,
      specificCharacterSet: 'ISO_IR 192',
      patientName: 'Müller^Jörg=ミュラー^ヨルグ',
      studyDescription: 'Knie – Übersicht',
    });
    const { extra } = readIndexFieldsFromDataset(dataset, FixtureTransferSyntax.ExplicitVRLittleEndian, true, 'dataset', [
      0x00100010,
      STUDY_DESCRIPTION,
    ]);
    expect(extra).toEqual({ '00100010': 'Müller^Jörg=ミュラー^ヨルグ', '00081030': 'Knie – Übersicht' });
  });

  it('gives an empty element as empty text, and leaves out elements the dataset lacks', () => {
    const dataset = buildDataset({ ...instance, accessionNumber: '' });
    const fields = readIndexFieldsFromDataset(dataset, FixtureTransferSyntax.ExplicitVRLittleEndian, true, 'dataset', [
      ACCESSION_NUMBER,
      0x00080090,
      0x00321060,
    ]);
    expect(fields.extra).toEqual({ '00080050': '' });
    const none = readIndexFieldsFromDataset(dataset, FixtureTransferSyntax.ExplicitVRLittleEndian, true, 'dataset', [0x00080090]);
    expect('extra' in none).toBe(false);
  });

  it('refuses extra tags at or after pixel data, and meta group tags', () => {
    const dataset = buildDataset(instance);
    for (const tag of [0x7fe00010, 0x7fe00008, 0xfffcfffc, 0x00020010]) {
      expect(() =>
        readIndexFieldsFromDataset(dataset, FixtureTransferSyntax.ExplicitVRLittleEndian, true, 'dataset', [PATIENT_ID, tag]),
      ).toThrow(/cannot be read at store time: only dataset elements before pixel data/);
    }
  });
});

/** Offset of Columns (0028,0011), the element right after Rows. */
const columnsOffset = (dataset: Buffer, ts: string) => usElementOffset(dataset, ts, 0x00280011);

describe('reading stops right after the last needed tag', () => {
  for (const [name, ts] of nativeSyntaxes) {
    it(`${name}: with Rows asked for, any prefix that reaches the element after Rows is enough and a shorter one asks for more`, () => {
      const dataset = buildDataset({ ...instance, transferSyntaxUid: ts, edgeCases: true, pixelDataBytes: 2048 });
      const enough = columnsOffset(dataset, ts) + 8;
      const expected = readIndexFieldsFromDataset(dataset, ts, true, 'dataset', [ROWS]);
      expect(expected.extra).toEqual({ '00280010': '32' });
      for (let cut = enough - 40; cut < dataset.length; cut++) {
        const prefix = dataset.subarray(0, cut);
        if (cut < enough)
          expect(() => readIndexFieldsFromDataset(prefix, ts, false, 'dataset', [ROWS]), `prefix of ${cut} bytes`).toThrow(
            IndexFieldsNeedMoreData,
          );
        else expect(readIndexFieldsFromDataset(prefix, ts, false, 'dataset', [ROWS]), `prefix of ${cut} bytes`).toEqual(expected);
      }
    });
  }

  it('names the extra tag it still waits for', () => {
    const ts = FixtureTransferSyntax.ExplicitVRLittleEndian;
    const dataset = buildDataset(instance);
    const atColumns = dataset.subarray(0, columnsOffset(dataset, ts));
    expect(() => readIndexFieldsFromDataset(atColumns, ts, false, 'dataset', [ROWS])).toThrow('ends before (0028,0010) was passed');
    // Without extra tags the same prefix is already enough: Number of Frames lies before Rows.
    expect(readIndexFieldsFromDataset(atColumns, ts, false).patientId).toBe('PAT-7');
  });

  it('reads the last element before pixel data from a prefix that ends inside pixel data', () => {
    const ts = FixtureTransferSyntax.ExplicitVRBigEndian;
    const dataset = buildDataset({ ...instance, transferSyntaxUid: ts, pixelDataBytes: 64 * 1024 });
    const pixelRepresentation = 0x00280103;
    const cut = dataset.length - 32 * 1024;
    expect(readIndexFieldsFromDataset(dataset.subarray(0, cut), ts, false, 'dataset', [pixelRepresentation, 0x00280100]).extra).toEqual({
      '00280103': '0',
      '00280100': '16',
    });
  });
});

describe('readIndexFieldsFromFile with extra tags', () => {
  it('reads them from a P10 file in each syntax', async () => {
    for (const [name, ts] of allSyntaxes) {
      const path = join(tmp.path, `${name.replaceAll(' ', '-')}.dcm`);
      await writeFile(path, buildP10File({ ...instance, transferSyntaxUid: ts, edgeCases: true }));
      const header = await readP10Header(path);
      expect((await readIndexFieldsFromFile(path, header.datasetOffset, header.transferSyntaxUid, EXTRA)).extra, name).toEqual(
        expectedExtra,
      );
    }
  });

  it('grows its read when the extra tag lies past a large element beyond the first 64 KiB', async () => {
    const dataset = Buffer.concat([
      explicitLeElement(0x00080016, 'UI', uidValue(SopClass.CT)),
      explicitLeElement(0x00280008, 'IS', textValue('1')),
      explicitLeElement(0x00290010, 'LO', textValue('BIG BLOB')),
      explicitLeElement(0x00291000, 'OB', Buffer.alloc(300 * 1024, 0xab)),
      explicitLeElement(0x00321060, 'LO', textValue('LATE PROCEDURE')),
      explicitLeElement(0x7fe00010, 'OW', Buffer.alloc(1024)),
    ]);
    const path = await tmp.file('late-extra.dcm', Buffer.concat([buildMetaHeader({}), dataset]));
    const header = await readP10Header(path);
    const fields = await readIndexFieldsFromFile(path, header.datasetOffset, header.transferSyntaxUid, [0x00321060]);
    expect(fields).toEqual({ sopClassUid: SopClass.CT, numberOfFrames: 1, extra: { '00321060': 'LATE PROCEDURE' } });
  });
});

describe('rules on tags read at store time', () => {
  const rules: Rule[] = [
    {
      name: 'head-to-neuro',
      enabled: true,
      match: { tags: { StudyDescription: { glob: '*HEAD*' } } },
      forward: ['neuro'],
      studyQuietSeconds: undefined,
    },
    {
      name: 'female-by-tag',
      enabled: true,
      match: { tags: { '(0010,0040)': 'F', Rows: { regex: '^\\d+$' } } },
      forward: ['women'],
      studyQuietSeconds: undefined,
    },
    {
      name: 'accession-prefix',
      enabled: true,
      match: { tags: { '00080050': ['ACC-0042', 'ACC-0043'] } },
      forward: ['ris'],
      studyQuietSeconds: undefined,
    },
    { name: 'other-patient', enabled: true, match: { tags: { PatientID: 'NOT-HER' } }, forward: ['nobody'], studyQuietSeconds: undefined },
  ];

  for (const [name, ts] of allSyntaxes) {
    it(`${name}: route on the values read with the index fields, asking only for the tags the rules need`, () => {
      const compiled = compileRules(rules);
      expect(compiled.tagsNeeded).toEqual([ACCESSION_NUMBER, STUDY_DESCRIPTION, PATIENT_ID, PATIENT_SEX, ROWS]);
      const fields = readIndexFieldsFromDataset(
        buildDataset({ ...instance, transferSyntaxUid: ts }),
        ts,
        true,
        'dataset',
        compiled.tagsNeeded,
      );
      const facts = routingFactsFor({ callingAe: 'CT1', calledAe: 'GATEWAY', peerAddress: '127.0.0.1:4000' }, SopClass.CT, fields);
      expect(compiled.route(facts).map((r) => r.rule.name)).toEqual(['head-to-neuro', 'female-by-tag', 'accession-prefix']);
    });
  }
});
