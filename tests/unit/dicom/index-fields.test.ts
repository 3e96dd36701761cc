import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  IndexFieldsNeedMoreData,
  UnreadableDatasetError,
  readIndexFieldsFromDataset,
  readIndexFieldsFromFile,
  type IndexFields,
} from '../../../src-main/dicom/index-fields.ts';
import { parseP10Header, readP10Header } from '../../../src-main/dicom/p10-reader.ts';
import {
  FixtureTransferSyntax,
  SopClass,
  buildDataset,
  buildMetaHeader,
  buildP10File,
  writeLargeP10File,
  type FixtureOptions,
  usElementOffset,
} from '../../helpers/dicom-fixtures.ts';
import { explicitBeElement, explicitLeElement, implicitLeElement, textValue, uidValue } from '../../helpers/element-encoding.ts';
import { useTempDir } from '../../helpers/temp-dir.ts';

const ExplicitLE = FixtureTransferSyntax.ExplicitVRLittleEndian;

const tmp = useTempDir('index-fields-');

/**
 * Every field given explicitly, so the expectation is the input itself, not a fixture default:
 * the fixture writes these values element by element and the reader must give them all back.
 */
const expectedPatient: IndexFields = {
  sopClassUid: SopClass.MR,
  sopInstanceUid: '1.2.826.0.1.3680043.2.1125.7.1.42',
  studyInstanceUid: '1.2.826.0.1.3680043.2.1125.7.2',
  seriesInstanceUid: '1.2.826.0.1.3680043.2.1125.7.3',
  patientName: 'DOE^JANE^Q',
  patientId: 'PAT-0042',
  patientBirthDate: '19811203',
  patientSex: 'F',
  accessionNumber: 'A1234567',
  studyDate: '20231130',
  studyTime: '081502.123',
  studyDescription: 'MR KNEE LEFT',
  seriesNumber: 7,
  seriesDescription: 'T1 SAG',
  modality: 'MR',
  instanceNumber: 23,
  numberOfFrames: 4,
};
const patient: FixtureOptions = { ...expectedPatient };

const syntaxes = Object.entries(FixtureTransferSyntax);

describe('readIndexFieldsFromDataset', () => {
  for (const [name, ts] of syntaxes) {
    it(`reads every index field from a ${name} dataset`, () => {
      expect(readIndexFieldsFromDataset(buildDataset({ ...patient, transferSyntaxUid: ts }), ts, true)).toEqual(expectedPatient);
    });
    it(`reads every index field from a ${name} dataset with an undefined-length sequence, private tags, an odd-length value and trailing padding`, () => {
      const dataset = buildDataset({ ...patient, transferSyntaxUid: ts, edgeCases: true });
      expect(readIndexFieldsFromDataset(dataset, ts, true)).toEqual(expectedPatient);
    });
  }

  it('reads a dataset that is a slice in the middle of a larger buffer (not from its backing store start)', () => {
    const dataset = buildDataset({ ...patient, edgeCases: true });
    const surrounding = Buffer.concat([Buffer.from('junk before'), dataset, Buffer.from('junk after')]);
    const slice = surrounding.subarray(11, 11 + dataset.length);
    expect(slice.byteOffset).not.toBe(0);
    expect(readIndexFieldsFromDataset(slice, ExplicitLE, true)).toEqual(expectedPatient);
  });

  it('leaves out fields the dataset has empty or lacks (Number of Frames absent, empty accession)', () => {
    const fields = readIndexFieldsFromDataset(
      buildDataset({ ...patient, numberOfFrames: undefined, accessionNumber: '' }),
      ExplicitLE,
      true,
    );
    expect(fields).toEqual({ ...expectedPatient, numberOfFrames: undefined, accessionNumber: undefined });
    expect('accessionNumber' in fields).toBe(false);
  });

  it('decodes names in UTF-8 (ISO_IR 192) and keeps only the alphabetic group of a person name', () => {
    const dataset = buildDataset({
      ...patient,
      specificCharacterSet: 'ISO_IR 192',
      patientName: 'Müller^Jörg=ミュラー^ヨルグ',
      studyDescription: 'Knie rechts – Übersicht',
    });
    const fields = readIndexFieldsFromDataset(dataset, ExplicitLE, true);
    expect(fields.patientName).toBe('Müller^Jörg');
    expect(fields.studyDescription).toBe('Knie rechts – Übersicht');
    expect(fields.specificCharacterSet).toBe('ISO_IR 192');
  });

  it('decodes Latin-1 (ISO_IR 100) names', () => {
    const dataset = buildDataset({ ...patient, specificCharacterSet: 'ISO_IR 100', patientName: 'Ångström^Zoë' });
    expect(readIndexFieldsFromDataset(dataset, ExplicitLE, true).patientName).toBe('Ångström^Zoë');
  });

  it('accepts a multi-valued ISO 2022 character set that dcmjs alone refuses, keeping its value', () => {
    const dataset = buildDataset({ ...patient, specificCharacterSet: '\\ISO 2022 IR 87', patientName: 'YAMADA^TARO' });
    const fields = readIndexFieldsFromDataset(dataset, ExplicitLE, true);
    expect(fields.specificCharacterSet).toBe('\\ISO 2022 IR 87');
    expect(fields.patientName).toBe('YAMADA^TARO');
  });

  it('accepts an unknown character set and reads on in the default repertoire', () => {
    const dataset = buildDataset({ ...patient, specificCharacterSet: 'ISO_IR 999', patientName: 'SMITH^ANN' });
    const fields = readIndexFieldsFromDataset(dataset, ExplicitLE, true);
    expect(fields.specificCharacterSet).toBe('ISO_IR 999');
    expect(fields.patientName).toBe('SMITH^ANN');
  });
});

/** Offset of the first element after Number of Frames, (0028,0010) Rows. */
const rowsElementOffset = (dataset: Buffer, ts: string) => usElementOffset(dataset, ts, 0x00280010);

describe('readIndexFieldsFromDataset on a prefix', () => {
  for (const [name, ts] of syntaxes.filter(([, ts]) => ts !== FixtureTransferSyntax.DeflatedExplicitVRLittleEndian)) {
    it(`${name}: any prefix that reaches the element after Number of Frames is enough, wherever it ends (pixel data included)`, () => {
      const dataset = buildDataset({ ...patient, transferSyntaxUid: ts, edgeCases: true, pixelDataBytes: 600 });
      const enough = rowsElementOffset(dataset, ts) + 8;
      for (let cut = enough; cut < dataset.length; cut++) {
        expect(readIndexFieldsFromDataset(dataset.subarray(0, cut), ts, false), `prefix of ${cut} bytes`).toEqual(expectedPatient);
      }
    });

    it(`${name}: every shorter prefix asks for more data instead of guessing`, () => {
      const dataset = buildDataset({ ...patient, transferSyntaxUid: ts, edgeCases: true });
      const enough = rowsElementOffset(dataset, ts) + 8;
      for (let cut = 0; cut < enough; cut++) {
        expect(() => readIndexFieldsFromDataset(dataset.subarray(0, cut), ts, false), `prefix of ${cut} bytes`).toThrow(
          IndexFieldsNeedMoreData,
        );
      }
    });
  }

  it('Deflated: reads the fields from a prefix of the compressed stream and asks for more from a too short one', () => {
    const ts = FixtureTransferSyntax.DeflatedExplicitVRLittleEndian;
    const dataset = buildDataset({ ...patient, transferSyntaxUid: ts, edgeCases: true, pixelDataBytes: 256 * 1024 });
    expect(readIndexFieldsFromDataset(dataset.subarray(0, Math.floor(dataset.length / 2)), ts, false)).toEqual(expectedPatient);
    expect(() => readIndexFieldsFromDataset(dataset.subarray(0, 40), ts, false)).toThrow(IndexFieldsNeedMoreData);
  });
});

describe('unreadable datasets', () => {
  it('refuses bytes that are not DICOM, naming the source and the transfer syntax', () => {
    const garbage = Buffer.from('This is a plain text file, certainly not a DICOM dataset at all.', 'latin1');
    expect(() => readIndexFieldsFromDataset(garbage, ExplicitLE, true, 'upload.txt')).toThrow(UnreadableDatasetError);
    expect(() => readIndexFieldsFromDataset(garbage, ExplicitLE, true, 'upload.txt')).toThrow(
      /^upload\.txt: no valid element at byte 0: .* \(read as Explicit VR Little Endian \(1\.2\.840\.10008\.1\.2\.1\)\)$/,
    );
  });

  it('refuses a complete dataset that ends inside a needed element', () => {
    const dataset = buildDataset(patient);
    const cut = dataset.indexOf(Buffer.from('DOE^JANE', 'latin1')) + 3;
    expect(() => readIndexFieldsFromDataset(dataset.subarray(0, cut), ExplicitLE, true, 'cut.dcm')).toThrow(
      /^cut\.dcm: element \(0010,0010\) at byte \d+ claims 10 bytes, more than the 3 left/,
    );
  });

  it('refuses an implicit VR dataset whose first element claims more bytes than there are', () => {
    const lying = Buffer.alloc(16);
    lying.writeUInt16LE(0x0008, 0);
    lying.writeUInt16LE(0x0016, 2);
    lying.writeUInt32LE(1_000_000, 4);
    expect(() => readIndexFieldsFromDataset(lying, FixtureTransferSyntax.ImplicitVRLittleEndian, true, 'lying.dcm')).toThrow(
      UnreadableDatasetError,
    );
  });

  it('refuses a deflated dataset that does not inflate', () => {
    const notDeflate = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x01, 0x02, 0x03]);
    expect(() =>
      readIndexFieldsFromDataset(notDeflate, FixtureTransferSyntax.DeflatedExplicitVRLittleEndian, true, 'bad-deflate.dcm'),
    ).toThrow(/^bad-deflate\.dcm: cannot inflate/);
  });

  it('refuses an empty dataset', () => {
    expect(() => readIndexFieldsFromDataset(Buffer.alloc(0), ExplicitLE, true, 'empty.dcm')).toThrow(/^empty\.dcm: the dataset is empty/);
  });
});

describe('readIndexFieldsFromFile', () => {
  it('reads the fields of a P10 file at the dataset offset the P10 reader found', async () => {
    for (const [name, ts] of syntaxes) {
      const path = join(tmp.path, `${name}.dcm`);
      await writeFile(path, buildP10File({ ...patient, transferSyntaxUid: ts, edgeCases: true }));
      const header = await readP10Header(path);
      expect(await readIndexFieldsFromFile(path, header.datasetOffset, header.transferSyntaxUid), name).toEqual(expectedPatient);
    }
  });

  it('reads a 200 MiB file without loading it (memory grows by far less than the file)', async () => {
    const path = join(tmp.path, 'large.dcm');
    await writeLargeP10File(path, {
      ...patient,
      transferSyntaxUid: FixtureTransferSyntax.ExplicitVRBigEndian,
      pixelDataBytes: 200 * 1024 * 1024,
      edgeCases: true,
    });
    const header = await readP10Header(path);
    const before = process.memoryUsage();
    const fields = await readIndexFieldsFromFile(path, header.datasetOffset, header.transferSyntaxUid);
    const after = process.memoryUsage();
    expect(fields).toEqual(expectedPatient);
    expect(after.rss - before.rss).toBeLessThan(16 * 1024 * 1024);
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(16 * 1024 * 1024);
    await rm(path);
  });

  it('grows its read when a large element sits before the needed fields', async () => {
    // 300 KiB private OB between SOP Instance UID and Patient Name: beyond the first 64 KiB read.
    const dataset = explicitLeDataset([
      explicitLeElement(0x00080016, 'UI', uidValue(SopClass.CT)),
      explicitLeElement(0x00080018, 'UI', uidValue('1.2.3.99')),
      explicitLeElement(0x00090010, 'LO', textValue('BIG BLOB')),
      explicitLeElement(0x00091000, 'OB', Buffer.alloc(300 * 1024, 0xab)),
      explicitLeElement(0x00100010, 'PN', textValue('LATE^NAME')),
      explicitLeElement(0x7fe00010, 'OW', Buffer.alloc(1024)),
    ]);
    const path = await tmp.file('late-fields.dcm', Buffer.concat([buildMetaHeader({ sopInstanceUid: '1.2.3.99' }), dataset]));
    const header = await readP10Header(path);
    const fields = await readIndexFieldsFromFile(path, header.datasetOffset, header.transferSyntaxUid);
    expect(fields).toEqual({ sopClassUid: SopClass.CT, sopInstanceUid: '1.2.3.99', patientName: 'LATE^NAME' });
  });

  it('reads a deflated file whose compressed dataset is larger than the first read', async () => {
    const ts = FixtureTransferSyntax.DeflatedExplicitVRLittleEndian;
    const plain = explicitLeDataset([
      explicitLeElement(0x00080016, 'UI', uidValue(SopClass.CT)),
      explicitLeElement(0x00090010, 'LO', textValue('NOISE')),
      explicitLeElement(0x00091000, 'OB', noise(200 * 1024)), // incompressible, so the compressed prefix must grow
      explicitLeElement(0x00100020, 'LO', textValue('ID-77 ')),
    ]);
    const path = await tmp.file('deflated-late.dcm', Buffer.concat([buildMetaHeader({ transferSyntaxUid: ts }), deflateRawSync(plain)]));
    const header = await readP10Header(path);
    expect(await readIndexFieldsFromFile(path, header.datasetOffset, header.transferSyntaxUid)).toEqual({
      sopClassUid: SopClass.CT,
      patientId: 'ID-77',
    });
  });

  it('names the file when its dataset is unreadable', async () => {
    const path = await tmp.file(
      'garbage.dcm',
      Buffer.concat([buildMetaHeader({}), Buffer.from('garbage garbage garbage garbage', 'latin1')]),
    );
    const header = await readP10Header(path);
    const error = await readIndexFieldsFromFile(path, header.datasetOffset, header.transferSyntaxUid).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UnreadableDatasetError);
    expect((error as UnreadableDatasetError).message.startsWith(path)).toBe(true);
    expect((error as UnreadableDatasetError).source).toBe(path);
  });

  it('names the file it cannot open', async () => {
    const path = join(tmp.path, 'missing.dcm');
    await expect(readIndexFieldsFromFile(path, 0, ExplicitLE)).rejects.toThrow(`${path}: cannot open (ENOENT)`);
  });
});

describe('readIndexFieldsFromDataset agrees with dcmjs', () => {
  // The index fields are read from the bytes directly where an element has its standard VR; what
  // they must give is what dcmjs's reader gives (its text per VR, trimming and decoders), shaped
  // as IndexFields documents. The oracle here is dcmjs reading the whole dataset at once.
  const FIELD_TAGS: Array<[number, keyof IndexFields, 'text' | 'name' | 'number', string]> = [
    [0x00080020, 'studyDate', 'text', 'DA'],
    [0x00080030, 'studyTime', 'text', 'TM'],
    [0x00080050, 'accessionNumber', 'text', 'SH'],
    [0x00080060, 'modality', 'text', 'CS'],
    [0x00081030, 'studyDescription', 'text', 'LO'],
    [0x0008103e, 'seriesDescription', 'text', 'LO'],
    [0x00100010, 'patientName', 'name', 'PN'],
    [0x00100020, 'patientId', 'text', 'LO'],
    [0x00100030, 'patientBirthDate', 'text', 'DA'],
    [0x00100040, 'patientSex', 'text', 'CS'],
    [0x00200011, 'seriesNumber', 'number', 'IS'],
    [0x00200013, 'instanceNumber', 'number', 'IS'],
    [0x00280008, 'numberOfFrames', 'number', 'IS'],
  ];
  const SYNTAXES: Array<[string, (tag: number, vr: string, value: Buffer) => Buffer]> = [
    [FixtureTransferSyntax.ExplicitVRLittleEndian, (tag, vr, value) => explicitLeElement(tag, vr, value)],
    [FixtureTransferSyntax.ImplicitVRLittleEndian, (tag, _vr, value) => implicitLeElement(tag, value)],
    ['1.2.840.10008.1.2.2', (tag, vr, value) => explicitBeElement(tag, vr, value)],
  ];
  const CHARSETS = [undefined, 'ISO_IR 100', 'ISO_IR 192', 'GB18030', 'ISO_IR 144', '\\ISO 2022 IR 87', 'NOT A CHARSET'];
  // Padding, separators, white space of every kind a Latin-1 or UTF-8 byte can make, digits and
  // number signs, letters, bytes that windows-1252 and Latin-1 read differently, broken UTF-8.
  const ALPHABET = [
    0x20, 0x00, 0x5c, 0x3d, 0x5e, 0x09, 0x0a, 0x0d, 0x0b, 0xa0, 0x85, 0x80, 0x9f, 0xff, 0x1b, 0x41, 0x7a, 0x30, 0x37, 0x2e, 0x2d, 0x2b,
    0x65, 0x45, 0xc3, 0xa9, 0xe3, 0x80,
  ];

  const dcmjs = createRequire(import.meta.url)('dcmjs') as {
    data: {
      ReadBufferStream: new (buffer: ArrayBuffer) => unknown;
      DicomMessage: { _read(stream: unknown, syntax: string, options: object): Record<string, { Value?: unknown[] }> };
    };
    log: { setLevel(level: string): void };
  };
  dcmjs.log.setLevel('silent');

  /** What dcmjs reads for the fields, shaped as IndexFields says: values joined by a backslash, padding dropped, a name's alphabetic group. */
  function dcmjsFields(dataset: Buffer, syntaxUid: string): IndexFields {
    const stream = new dcmjs.data.ReadBufferStream(new Uint8Array(dataset).buffer);
    const dict = dcmjs.data.DicomMessage._read(stream, syntaxUid, {
      ignoreErrors: true,
      untilTag: '00280008',
      includeUntilTagValue: true,
      stopOnGreaterTag: true,
    });
    const fields: Record<string, unknown> = {};
    for (const [tag, name, kind] of FIELD_TAGS) {
      const values = dict[tag.toString(16).padStart(8, '0').toUpperCase()]?.Value ?? [];
      const first = values[0];
      if (first === undefined || first === null) continue;
      if (kind === 'number') {
        const n = typeof first === 'number' ? first : Number(String(first).trim());
        if (Number.isFinite(n)) fields[name] = n;
        continue;
      }
      // A name written with another VR is text: its alphabetic group is the text before the first "=".
      const alphabetic = (): string =>
        typeof first === 'string' ? (first.split('=')[0] ?? '') : String((first as { Alphabetic?: string }).Alphabetic ?? '');
      const text = kind === 'name' ? alphabetic() : values.map((v) => String(v ?? '')).join('\\');
      const trimmed = text.replace(/[\0 ]+$/, '');
      if (trimmed !== '') fields[name] = trimmed;
    }
    return fields;
  }

  function withoutOthers(fields: IndexFields): IndexFields {
    const { specificCharacterSet: _c, sopClassUid: _a, sopInstanceUid: _b, studyInstanceUid: _s, seriesInstanceUid: _r, ...rest } = fields;
    return rest;
  }

  it('on random values of every field, in every syntax and character set, with the standard VR and others', () => {
    let seed = 0x2545f491;
    const random = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    let compared = 0;
    for (let round = 0; round < 1500; round++) {
      const [syntaxUid, element] = SYNTAXES[round % SYNTAXES.length]!;
      const charset = CHARSETS[random(CHARSETS.length)];
      const elements: Buffer[] = [];
      if (charset !== undefined) elements.push(element(0x00080005, 'CS', textValue(charset)));
      for (const [tag, , , vr] of FIELD_TAGS) {
        if (random(8) === 0) continue;
        const value = Buffer.from(Array.from({ length: random(14) }, () => ALPHABET[random(ALPHABET.length)]!));
        // One in six with a VR the field does not have: read through dcmjs, and it must still agree.
        const written = random(6) === 0 ? ['UN', 'LO', 'SH', 'CS', 'ST', 'DS'][random(6)]! : vr;
        elements.push(element(tag, written, value));
      }
      const dataset = Buffer.concat(elements);
      if (dataset.length === 0) continue;
      const ours = withoutOthers(readIndexFieldsFromDataset(dataset, syntaxUid, true));
      expect({ round, syntaxUid, charset, dataset: dataset.toString('hex'), fields: ours }).toEqual({
        round,
        syntaxUid,
        charset,
        dataset: dataset.toString('hex'),
        fields: dcmjsFields(dataset, syntaxUid),
      });
      compared++;
    }
    expect(compared).toBeGreaterThan(1400);
  });

  it("on pydicom's test files", async () => {
    const PYDICOM_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
    let compared = 0;
    for (const name of (await readdir(PYDICOM_FILES)).filter((n) => n.endsWith('.dcm'))) {
      const bytes = await readFile(join(PYDICOM_FILES, name));
      let header;
      let ours: IndexFields;
      try {
        header = parseP10Header(bytes, name);
        ours = readIndexFieldsFromDataset(bytes.subarray(header.datasetOffset), header.transferSyntaxUid, true, name);
      } catch {
        continue; // not a Part-10 file, or a dataset the index refuses: nothing to compare
      }
      if (ours.encodingMismatch !== undefined || header.transferSyntaxUid === '1.2.840.10008.1.2.1.99') continue;
      const dcmjsSyntax = ['1.2.840.10008.1.2', '1.2.840.10008.1.2.2'].includes(header.transferSyntaxUid)
        ? header.transferSyntaxUid
        : '1.2.840.10008.1.2.1';
      const { encodingMismatch: _m, extra: _e, ...fields } = withoutOthers(ours);
      expect({ name, fields }).toEqual({ name, fields: dcmjsFields(bytes.subarray(header.datasetOffset), dcmjsSyntax) });
      compared++;
    }
    expect(compared).toBeGreaterThan(50);
  });
});

// --- hand-built explicit VR LE datasets for layouts the fixture writer does not make ----------------

function explicitLeDataset(elements: Buffer[]): Buffer {
  return Buffer.concat(elements);
}

/** Deterministic bytes that deflate cannot shrink. */
function noise(length: number): Buffer {
  const out = Buffer.alloc(length);
  let x = 0x12345678;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
