import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../../../src-main/dicom/implementation.ts';
import { parseP10Header } from '../../../src-main/dicom/p10-reader.ts';
import { buildP10Header } from '../../../src-main/dicom/p10-writer.ts';
import { run } from '../../helpers/dcmtk.ts';
import { FixtureTransferSyntax, SopClass, buildDataset } from '../../helpers/dicom-fixtures.ts';
import { useTempDir } from '../../helpers/temp-dir.ts';

/** Hex with spaces and line breaks for reading; only the digits count. */
function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

describe('buildP10Header', () => {
  it('writes exactly the PS3.10 bytes: preamble, DICM, explicit VR LE meta group with group length, NUL-padded UIs and space-padded SH', () => {
    // The expectation is written by hand from PS3.10 §7.1 / PS3.5 §7.1.2, not computed.
    const expected = Buffer.concat([
      Buffer.alloc(128), // preamble, all zero
      hex('44 49 43 4d'), // "DICM"
      // (0002,0000) UL, length 4, value 166 = 14 + 34 + 14 + 28 + 52 + 24 bytes of the elements below
      hex('02 00 00 00  55 4c  04 00  a6 00 00 00'),
      // (0002,0001) OB, 2 reserved bytes, 32-bit length 2, version 00 01
      hex('02 00 01 00  4f 42  00 00  02 00 00 00  00 01'),
      // (0002,0002) UI, length 26: "1.2.840.10008.5.1.4.1.1.2" (25) + NUL
      hex(`02 00 02 00  55 49  1a 00
           31 2e 32 2e 38 34 30 2e 31 30 30 30 38 2e 35 2e 31 2e 34 2e 31 2e 31 2e 32 00`),
      // (0002,0003) UI, length 6: "1.2.3" + NUL
      hex('02 00 03 00  55 49  06 00  31 2e 32 2e 33 00'),
      // (0002,0010) UI, length 20: "1.2.840.10008.1.2.1" (19) + NUL
      hex(`02 00 10 00  55 49  14 00
           31 2e 32 2e 38 34 30 2e 31 30 30 30 38 2e 31 2e 32 2e 31 00`),
      // (0002,0012) UI, length 44: "2.25.302598485570690475450927131409596590711" (even, no pad)
      hex(`02 00 12 00  55 49  2c 00
           32 2e 32 35 2e 33 30 32 35 39 38 34 38 35 35 37 30 36 39 30 34 37 35 34 35 30 39 32 37 31
           33 31 34 30 39 35 39 36 35 39 30 37 31 31`),
      // (0002,0013) SH, length 16: "DICOMGATEWAY_01" (15) + space
      hex('02 00 13 00  53 48  10 00  44 49 43 4f 4d 47 41 54 45 57 41 59 5f 30 31 20'),
    ]);
    const header = buildP10Header({
      sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
      sopInstanceUid: '1.2.3',
      transferSyntaxUid: '1.2.840.10008.1.2.1',
    });
    expect(header.toString('hex')).toBe(expected.toString('hex'));
    // The hand-written bytes assume these identity values; a change of identity must be deliberate.
    expect(IMPLEMENTATION_CLASS_UID).toBe('2.25.302598485570690475450927131409596590711');
    expect(IMPLEMENTATION_VERSION_NAME).toBe('DICOMGATEWAY_01');
  });

  it('adds no padding to even-length UIDs', () => {
    const header = buildP10Header({ sopClassUid: '1.2', sopInstanceUid: '1.23', transferSyntaxUid: '1.2.840.10008.1.2' });
    // (0002,0002) UI length 4 "1.2" + NUL, then (0002,0003) UI length 4 "1.23" with nothing added
    expect(header.includes(hex('02 00 02 00 55 49 04 00 31 2e 32 00  02 00 03 00 55 49 04 00 31 2e 32 33  02 00 10 00'))).toBe(true);
  });

  it('is deterministic: the same fields give the same bytes, other fields other bytes', () => {
    const fields = { sopClassUid: SopClass.CT, sopInstanceUid: '1.2.3.4.5', transferSyntaxUid: FixtureTransferSyntax.ExplicitVRBigEndian };
    expect(buildP10Header(fields).equals(buildP10Header({ ...fields }))).toBe(true);
    expect(buildP10Header(fields).equals(buildP10Header({ ...fields, sopInstanceUid: '1.2.3.4.6' }))).toBe(false);
  });

  it('states a group length that the P10 reader confirms by walking the elements', () => {
    const header = buildP10Header({
      sopClassUid: SopClass.MR,
      sopInstanceUid: '1.2.3.4.5.6.7',
      transferSyntaxUid: FixtureTransferSyntax.JpegBaseline,
    });
    const parsed = parseP10Header(header);
    expect(parsed.datasetOffset).toBe(header.length);
    expect(parsed.groupLength).toBe(header.length - 132 - 12);
    expect(parsed.transferSyntaxUid).toBe(FixtureTransferSyntax.JpegBaseline);
    expect(parsed.mediaStorageSopClassUid).toBe(SopClass.MR);
    expect(parsed.mediaStorageSopInstanceUid).toBe('1.2.3.4.5.6.7');
    expect(parsed.implementationClassUid).toBe(IMPLEMENTATION_CLASS_UID);
    expect(parsed.implementationVersionName).toBe(IMPLEMENTATION_VERSION_NAME);
  });
});

describe('buildP10Header + a dataset, read by DCMTK', () => {
  const tmp = useTempDir('p10-writer-');

  for (const [name, ts] of Object.entries(FixtureTransferSyntax)) {
    it(`makes a ${name} file that dcmftest accepts and dcmdump reads without errors`, async () => {
      const sopInstanceUid = '1.2.826.0.1.3680043.2.1125.99.1';
      const path = join(tmp.path, `${name}.dcm`);
      const dataset = buildDataset({ transferSyntaxUid: ts, sopInstanceUid, sopClassUid: SopClass.CT });
      await writeFile(path, Buffer.concat([buildP10Header({ sopClassUid: SopClass.CT, sopInstanceUid, transferSyntaxUid: ts }), dataset]));
      expect((await run('dcmftest', [path])).stdout).toContain(`yes: ${path}`);
      const dump = await run('dcmdump', ['+E', path]);
      expect(dump.code).toBe(0);
      expect(dump.stderr).toBe('');
      expect(dump.stdout).toContain(`(0002,0003) UI [${sopInstanceUid}]`);
      expect(dump.stdout).toContain(`(0002,0012) UI [${IMPLEMENTATION_CLASS_UID}]`);
      expect(dump.stdout).toContain(`(0002,0013) SH [${IMPLEMENTATION_VERSION_NAME}]`);
      expect(dump.stdout).toContain(`(0008,0018) UI [${sopInstanceUid}]`);
      expect(dump.stdout).toMatch(/\(7fe0,0010\) O[BW] /);
    });
  }
});
