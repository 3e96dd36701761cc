import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  detectDatasetSyntax,
  EXPLICIT_LITTLE_ENDIAN,
  IMPLICIT_LITTLE_ENDIAN,
  InvalidVrError,
  readElementHeader,
  UNDEFINED_LENGTH,
} from '../../../src-main/dicom/element-reader.ts';
import { readIndexFieldsFromDataset } from '../../../src-main/dicom/index-fields.ts';
import { parseP10Header } from '../../../src-main/dicom/p10-reader.ts';
import { CommandSet } from '../../../src-main/dicom/dimse-command.ts';
import { explicitLeElement, implicitLeElement, textValue, uidValue } from '../../helpers/element-encoding.ts';

const PYDICOM_FILES = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const EXPLICIT_BIG_ENDIAN = { explicitVr: true, littleEndian: false };

describe('readElementHeader', () => {
  it('reads a short-VR explicit header as 8 bytes with a 2-byte length', () => {
    const bytes = explicitLeElement(0x00100020, 'LO', textValue('ID1'), false);
    expect(readElementHeader(bytes, 0, EXPLICIT_LITTLE_ENDIAN)).toEqual({
      tag: 0x00100020,
      vr: 'LO',
      vrInHeader: true,
      headerLength: 8,
      length: 4,
    });
  });

  it('reads every VR it does not know with the 4-byte length form (PS3.5 7.1.2)', () => {
    const bytes = explicitLeElement(0x00091010, 'ZZ', Buffer.alloc(6), true);
    expect(readElementHeader(bytes, 0, EXPLICIT_LITTLE_ENDIAN)).toEqual({
      tag: 0x00091010,
      vr: 'ZZ',
      vrInHeader: true,
      headerLength: 12,
      length: 6,
    });
  });

  it('returns undefined when the bytes end before the 4-byte length of a long VR', () => {
    const bytes = explicitLeElement(0x7fe00010, 'OW', Buffer.alloc(0), true).subarray(0, 10);
    expect(readElementHeader(bytes, 0, EXPLICIT_LITTLE_ENDIAN)).toBeUndefined();
  });

  it('reads big endian tags and lengths', () => {
    const bytes = Buffer.from([0x00, 0x28, 0x00, 0x10, 0x55, 0x53, 0x00, 0x02, 0x01, 0x00]);
    expect(readElementHeader(bytes, 0, EXPLICIT_BIG_ENDIAN)).toEqual({
      tag: 0x00280010,
      vr: 'US',
      vrInHeader: true,
      headerLength: 8,
      length: 2,
    });
  });

  it('gives implicit VR elements the dictionary VR, and private creators LO', () => {
    expect(readElementHeader(implicitLeElement(0x00100010, textValue('A^B')), 0, IMPLICIT_LITTLE_ENDIAN)?.vr).toBe('PN');
    expect(readElementHeader(implicitLeElement(0x00090010, textValue('ACME')), 0, IMPLICIT_LITTLE_ENDIAN)?.vr).toBe('LO');
    expect(readElementHeader(implicitLeElement(0x00091001, textValue('x')), 0, IMPLICIT_LITTLE_ENDIAN)?.vr).toBe('UN');
  });

  it('reads items and delimiters as tag plus 4-byte length in explicit VR too, keeping undefined length', () => {
    const item = Buffer.from([0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff]);
    expect(readElementHeader(item, 0, EXPLICIT_LITTLE_ENDIAN)).toEqual({
      tag: 0xfffee000,
      vr: '',
      vrInHeader: false,
      headerLength: 8,
      length: UNDEFINED_LENGTH,
    });
  });

  it('refuses explicit VR bytes that are not two upper-case letters, naming tag and offset', () => {
    const bytes = implicitLeElement(0x00080008, textValue('DERIVED'));
    expect(() => readElementHeader(bytes, 0, EXPLICIT_LITTLE_ENDIAN)).toThrow(InvalidVrError);
    expect(() => readElementHeader(bytes, 0, EXPLICIT_LITTLE_ENDIAN)).toThrow(/\(0008,0008\) at byte 0 has no valid VR \(bytes 0800\)/);
  });
});

describe('detectDatasetSyntax', () => {
  it('finds implicit VR under a declared explicit syntax', () => {
    const head = implicitLeElement(0x00080008, textValue('DERIVED'));
    expect(detectDatasetSyntax(head, EXPLICIT_LITTLE_ENDIAN)).toEqual({ syntax: IMPLICIT_LITTLE_ENDIAN, contradicts: true });
  });

  it('finds explicit VR under a declared implicit syntax', () => {
    const head = explicitLeElement(0x00080016, 'UI', uidValue('1.2.3'), false);
    expect(detectDatasetSyntax(head, IMPLICIT_LITTLE_ENDIAN)).toEqual({ syntax: EXPLICIT_LITTLE_ENDIAN, contradicts: true });
  });

  it('keeps the declared syntax when the first element agrees with it', () => {
    expect(detectDatasetSyntax(explicitLeElement(0x00080016, 'UI', uidValue('1.2.3'), false), EXPLICIT_LITTLE_ENDIAN).contradicts).toBe(
      false,
    );
    expect(detectDatasetSyntax(implicitLeElement(0x00080016, uidValue('1.2.3')), IMPLICIT_LITTLE_ENDIAN).contradicts).toBe(false);
  });
});

describe('the readers built on it agree on a VR they do not know', () => {
  it('index fields step over an unknown-VR element by its 4-byte length and read what follows', () => {
    const dataset = Buffer.concat([
      explicitLeElement(0x00080016, 'UI', uidValue('1.2.840.10008.5.1.4.1.1.7'), false),
      explicitLeElement(0x00080018, 'UI', uidValue('1.2.3.4'), false),
      // Its 2-byte "length" bytes are the reserved zeros: a reader taking them as the length loses its place.
      explicitLeElement(0x00091010, 'ZZ', Buffer.from('ABCDEFGH', 'latin1'), true),
      explicitLeElement(0x00100020, 'LO', textValue('PID-7'), false),
    ]);
    const fields = readIndexFieldsFromDataset(dataset, '1.2.840.10008.1.2.1', true);
    expect(fields.patientId).toBe('PID-7');
    expect(fields.sopInstanceUid).toBe('1.2.3.4');
    expect(fields.encodingMismatch).toBeUndefined();
  });

  it('the meta group reader steps over an unknown-VR meta element by its 4-byte length', () => {
    const meta = Buffer.concat([
      explicitLeElement(0x00020002, 'UI', uidValue('1.2.840.10008.5.1.4.1.1.7'), false),
      explicitLeElement(0x00020009, 'ZZ', Buffer.alloc(4), true),
      explicitLeElement(0x00020010, 'UI', uidValue('1.2.840.10008.1.2.1'), false),
    ]);
    const file = Buffer.concat([
      Buffer.alloc(128),
      Buffer.from('DICM', 'latin1'),
      meta,
      explicitLeElement(0x00080016, 'UI', uidValue('1.2'), false),
    ]);
    const header = parseP10Header(file);
    expect(header.elements.map((e) => [e.tag, e.vr, e.valueLength])).toEqual([
      [0x00020002, 'UI', 26],
      [0x00020009, 'ZZ', 4],
      [0x00020010, 'UI', 20],
    ]);
    expect(header.datasetOffset).toBe(132 + meta.length);
  });

  it('reads a command set UID as sent', () => {
    const command = Buffer.concat([
      implicitLeElement(0x00000002, uidValue('1.2.840.10008.5.1.4.1.1.7')),
      implicitLeElement(0x00001000, uidValue('/1.2')),
    ]);
    expect(CommandSet.decode(command).text(0x00001000)).toBe('/1.2');
  });
});

describe('SC_rgb_jpeg.dcm (implicit VR dataset declared JPEG Baseline)', () => {
  it('index fields are read in the encoding the bytes show, and the contradiction is flagged', async () => {
    const bytes = await readFile(`${PYDICOM_FILES}/SC_rgb_jpeg.dcm`);
    const header = parseP10Header(bytes);
    expect(header.transferSyntaxUid).toBe('1.2.840.10008.1.2.4.50');
    const fields = readIndexFieldsFromDataset(bytes.subarray(header.datasetOffset), header.transferSyntaxUid, true, 'SC_rgb_jpeg.dcm');
    expect(fields.sopInstanceUid).toBe(header.mediaStorageSopInstanceUid);
    expect(fields.modality).toBe('OT');
    expect(fields.encodingMismatch).toBe(
      'encoding contradicts transfer syntax: the dataset is implicit VR little endian, the declared syntax is JPEG Baseline (Process 1) (1.2.840.10008.1.2.4.50)',
    );
  });
});
