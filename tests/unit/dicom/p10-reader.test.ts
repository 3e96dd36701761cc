import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { P10FormatError } from '../../../src-main/dicom/p10-errors.ts';
import { MetaTag, parseP10Header, readP10Header, readP10HeaderSync } from '../../../src-main/dicom/p10-reader.ts';
import { formatTag } from '../../../src-main/dicom/tag-format.ts';
import {
  FIXTURE_IMPLEMENTATION_CLASS_UID,
  FixtureTransferSyntax,
  SopClass,
  buildDataset,
  buildMetaHeader,
  buildP10File,
  type FixtureOptions,
} from '../../helpers/dicom-fixtures.ts';
import { explicitLeElement, uidValue } from '../../helpers/element-encoding.ts';
import { useTempDir } from '../../helpers/temp-dir.ts';

const tmp = useTempDir('p10-reader-');

const opts: FixtureOptions = { sopClassUid: SopClass.MR, sopInstanceUid: '1.2.3.4.5.66', edgeCases: true, seed: 3 };

/** A meta group element (0002,xxxx), written here so the reader is tested against bytes it did not make. */
const metaElement = (elementNumber: number, vr: string, value: Buffer) => explicitLeElement(0x00020000 | elementNumber, vr, value);

function preambleAndPrefix(): Buffer {
  const prefix = Buffer.alloc(132);
  prefix.write('DICM', 128, 'latin1');
  return prefix;
}

/** The engine's reader (libuv's pool) and the header-reading thread's (synchronous calls) read the same. */
const READERS = [
  ['readP10Header', readP10Header],
  ['readP10HeaderSync', async (path: string) => readP10HeaderSync(path)],
] as const;

for (const [readerName, read] of READERS) {
  describe(`${readerName}: where the dataset starts`, () => {
    for (const [name, ts] of Object.entries(FixtureTransferSyntax)) {
      it(`${name}: the bytes at datasetOffset are exactly the dataset that was written`, async () => {
        const options = { ...opts, transferSyntaxUid: ts };
        const file = buildP10File(options);
        const header = await read(await tmp.file(`${readerName}-${name}.dcm`, file));
        expect(header.transferSyntaxUid).toBe(ts);
        expect(header.fileSize).toBe(file.length);
        expect(file.subarray(header.datasetOffset).equals(buildDataset(options))).toBe(true);
      });
    }

    it('reads a file with preamble and DICM, and reports every meta element with its offsets', async () => {
      const file = buildP10File(opts);
      const header = await read(await tmp.file('full.dcm', file));
      expect(header.hasPreamble).toBe(true);
      expect(header.hasPrefix).toBe(true);
      expect(header.preamble?.equals(Buffer.alloc(128))).toBe(true);
      expect(header.metaOffset).toBe(132);
      expect(header.mediaStorageSopClassUid).toBe(SopClass.MR);
      expect(header.mediaStorageSopInstanceUid).toBe('1.2.3.4.5.66');
      expect(header.implementationClassUid).toBe(FIXTURE_IMPLEMENTATION_CLASS_UID);
      expect(header.implementationVersionName).toBe('TEST_FIXTURE');
      expect(header.elements.map((e) => formatTag(e.tag))).toEqual([
        '(0002,0000)',
        '(0002,0001)',
        '(0002,0002)',
        '(0002,0003)',
        '(0002,0010)',
        '(0002,0012)',
        '(0002,0013)',
      ]);
      expect(header.groupLength).toBe(header.datasetOffset - 132 - 12);
      for (const element of header.elements) {
        expect(file.subarray(element.valueOffset, element.valueOffset + element.valueLength).equals(element.value)).toBe(true);
        expect(file.readUInt16LE(element.offset + 2)).toBe(element.tag & 0xffff);
      }
    });

    it('reads DICM without a preamble', async () => {
      const file = buildP10File(opts).subarray(128);
      const header = await read(await tmp.file('no-preamble.dcm', file));
      expect(header.hasPreamble).toBe(false);
      expect(header.hasPrefix).toBe(true);
      expect(header.preamble).toBeUndefined();
      expect(header.metaOffset).toBe(4);
      expect(file.subarray(header.datasetOffset).equals(buildDataset(opts))).toBe(true);
    });

    it('reads a bare meta group (no preamble, no DICM)', async () => {
      const file = buildP10File(opts).subarray(132);
      const header = await read(await tmp.file('bare-meta.dcm', file));
      expect(header.hasPreamble).toBe(false);
      expect(header.hasPrefix).toBe(false);
      expect(header.metaOffset).toBe(0);
      expect(file.subarray(header.datasetOffset).equals(buildDataset(opts))).toBe(true);
    });

    it('reads a meta group without (0002,0000) group length', async () => {
      const withLength = buildMetaHeader(opts);
      expect(withLength.readUInt16LE(134)).toBe(0x0000); // (0002,0000) is the first element, 12 bytes
      const file = Buffer.concat([withLength.subarray(0, 132), withLength.subarray(144), buildDataset(opts)]);
      const header = await read(await tmp.file('no-group-length.dcm', file));
      expect(header.groupLength).toBeUndefined();
      expect(header.elements[0]?.tag).toBe(MetaTag.FileMetaInformationVersion);
      expect(file.subarray(header.datasetOffset).equals(buildDataset(opts))).toBe(true);
    });

    for (const wrong of [0, 10, 100_000]) {
      it(`walks the meta group by tag when the group length is wrong (${wrong})`, async () => {
        const file = buildP10File(opts);
        file.writeUInt32LE(wrong, 140);
        const header = await read(await tmp.file(`wrong-group-length-${wrong}.dcm`, file));
        expect(header.groupLength).toBe(wrong);
        expect(file.subarray(header.datasetOffset).equals(buildDataset(opts))).toBe(true);
      });
    }

    it('reads a meta group larger than its first read (a 200 KiB private meta element)', async () => {
      const meta = Buffer.concat([
        metaElement(0x0001, 'OB', Buffer.from([0, 1])),
        metaElement(0x0002, 'UI', uidValue(SopClass.CT)),
        metaElement(0x0003, 'UI', uidValue('1.2.3')),
        metaElement(0x0010, 'UI', uidValue(FixtureTransferSyntax.ImplicitVRLittleEndian)),
        metaElement(0x0102, 'OB', Buffer.alloc(200 * 1024, 0x5a)), // (0002,0102) Private Information
      ]);
      const dataset = buildDataset({ transferSyntaxUid: FixtureTransferSyntax.ImplicitVRLittleEndian });
      const file = Buffer.concat([preambleAndPrefix(), meta, dataset]);
      const header = await read(await tmp.file('large-meta.dcm', file));
      expect(header.datasetOffset).toBe(132 + meta.length);
      expect(header.transferSyntaxUid).toBe(FixtureTransferSyntax.ImplicitVRLittleEndian);
      expect(file.subarray(header.datasetOffset).equals(dataset)).toBe(true);
    });

    it('trims the padding of a space-padded transfer syntax UID', async () => {
      const meta = Buffer.concat([
        metaElement(0x0001, 'OB', Buffer.from([0, 1])),
        metaElement(0x0010, 'UI', Buffer.from('1.2.840.10008.1.2.1 ', 'latin1')),
      ]);
      const header = parseP10Header(Buffer.concat([preambleAndPrefix(), meta, buildDataset()]), 'space-padded.dcm');
      expect(header.transferSyntaxUid).toBe('1.2.840.10008.1.2.1');
    });
  });

  describe(`${readerName}: refusals name the file`, () => {
    async function refusal(name: string, bytes: Buffer): Promise<P10FormatError> {
      const path = await tmp.file(name, bytes);
      const error = await read(path).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(P10FormatError);
      expect((error as P10FormatError).source).toBe(path);
      expect((error as P10FormatError).message.startsWith(`${path}: `)).toBe(true);
      return error as P10FormatError;
    }

    it('refuses a file with preamble and DICM but no meta group', async () => {
      const error = await refusal('no-meta.dcm', Buffer.concat([preambleAndPrefix(), buildDataset()]));
      expect(error.message).toMatch(/has no file meta group \(0002,xxxx\)$/);
    });

    it('refuses a bare dataset (no preamble, no DICM, no meta group)', async () => {
      const error = await refusal('bare-dataset.dcm', buildDataset());
      expect(error.message).toMatch(/not a DICOM Part-10 file/);
    });

    it('refuses a file whose meta group has no transfer syntax, naming the file', async () => {
      const meta = Buffer.concat([
        metaElement(0x0001, 'OB', Buffer.from([0, 1])),
        metaElement(0x0002, 'UI', uidValue(SopClass.CT)),
        metaElement(0x0003, 'UI', uidValue('1.2.3')),
      ]);
      const error = await refusal('no-ts.dcm', Buffer.concat([preambleAndPrefix(), meta, buildDataset()]));
      expect(error.message).toMatch(/has no Transfer Syntax UID \(0002,0010\)$/);
    });

    it('refuses a file that ends inside the meta group', async () => {
      const file = buildP10File(opts);
      const error = await refusal('truncated-meta.dcm', file.subarray(0, 180));
      expect(error.message).toMatch(/ends inside the file meta group/);
    });

    it('refuses an empty file', async () => {
      await refusal('empty.dcm', Buffer.alloc(0));
    });

    it('refuses a text file', async () => {
      await refusal('notes.txt', Buffer.from('just some notes, nothing to see here\n'.repeat(20), 'latin1'));
    });

    it('refuses a file it cannot open', async () => {
      const path = join(tmp.path, 'does-not-exist.dcm');
      await expect(read(path)).rejects.toThrow(`${path}: no such file or folder (ENOENT)`);
    });
  });
}

describe('parseP10Header on a prefix', () => {
  it('asks for more (rather than failing) when the prefix ends inside the meta group, and succeeds once it is whole', () => {
    const file = buildP10File(opts);
    const datasetOffset = parseP10Header(file).datasetOffset;
    for (let cut = 140; cut < datasetOffset + 2; cut++) {
      expect(() => parseP10Header(file.subarray(0, cut), 'prefix', false), `prefix of ${cut} bytes`).toThrow();
      expect(() => parseP10Header(file.subarray(0, cut), 'prefix', false), `prefix of ${cut} bytes`).not.toThrow(P10FormatError);
    }
    expect(parseP10Header(file.subarray(0, datasetOffset + 2), 'prefix', false).datasetOffset).toBe(datasetOffset);
  });
});

describe('formatTag', () => {
  it('writes tags as (GGGG,EEEE) in upper-case hex', () => {
    expect(formatTag(0x00020010)).toBe('(0002,0010)');
    expect(formatTag(0x7fe00010)).toBe('(7FE0,0010)');
    expect(formatTag(0xfffee0dd)).toBe('(FFFE,E0DD)');
  });
});
