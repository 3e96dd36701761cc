/**
 * Each variant is made from one source file, by DCMTK or by editing bytes, and the report must
 * name exactly that change, at the right tag path and offsets, and nothing else.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildP10Header } from '../../../src-main/dicom/p10-writer.ts';
import type { Change } from '../../../src-main/api/types/change-kinds.ts';
import { compareFiles } from '../../../src-main/inspect/compare-files.ts';
import type { CompareReport } from '../../../src-main/api/types/compare-report.ts';
import { CompareInputError } from '../../../src-main/inspect/dataset-input.ts';
import { runOrThrow } from '../../helpers/dcmtk.ts';
import { buildP10File, datasetRegion, FixtureTransferSyntax, SopClass } from '../../helpers/dicom-fixtures.ts';
import { encodeDataset, EXPLICIT_LE, IMPLICIT_LE, nestedElements, p10File, type El } from './dataset-builder.ts';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.ts';

let dir: string;
/** The fixture with edge cases, written once by DCMTK (`dcmconv -e`: undefined lengths kept, odd value padded, DCMTK meta). */
let source: string;
let sourceBytes: Buffer;

async function file(name: string, bytes: Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

/** dcmconv SOURCE OUT with options; returns OUT. */
async function dcmconv(name: string, input: string, options: string[]): Promise<string> {
  const out = join(dir, name);
  await runOrThrow('dcmconv', [...options, input, out]);
  return out;
}

/** A copy of `input` changed in place by dcmodify, keeping lengths undefined and trailing padding as they are. */
async function dcmodify(name: string, input: string, options: string[]): Promise<string> {
  const out = join(dir, name);
  await copyFile(input, out);
  await runOrThrow('dcmodify', ['-nb', '-le', '-p=', ...options, out]);
  return out;
}

function changeList(report: CompareReport): Change[] {
  return Object.values(report.changes).flat();
}

function kindsAndPaths(report: CompareReport): Array<[string, string]> {
  return changeList(report).map((c) => [c.kind, c.path]);
}

/** Offset of an explicit VR LE element header (tag then VR), found by its bytes alone. */
function headerOffsetOf(bytes: Buffer, tag: number, vr: string, from = 0): number {
  const pattern = Buffer.alloc(6);
  pattern.writeUInt16LE(tag >>> 16, 0);
  pattern.writeUInt16LE(tag & 0xffff, 2);
  pattern.write(vr, 4, 'latin1');
  const offset = bytes.indexOf(pattern, from);
  if (offset < 0) throw new Error(`no ${tag.toString(16)} ${vr} in file`);
  return offset;
}

beforeAll(async () => {
  dir = await makeTempDir('compare-');
  const fixture = await file('fixture.dcm', buildP10File({ edgeCases: true }));
  source = await dcmconv('source.dcm', fixture, ['-e']);
  sourceBytes = await readFile(source);
});

afterAll(async () => {
  await removeDir(dir);
});

describe('compareFiles verdicts', () => {
  it('confirms identical files by size and SHA-256, with no changes', async () => {
    const copy = join(dir, 'copy.dcm');
    await copyFile(source, copy);
    const report = await compareFiles(source, copy);
    expect(report.verdict).toBe('identical-files');
    expect(report.files.a.sha256).toBe(report.files.b.sha256);
    expect(report.files.a.size).toBe(sourceBytes.length);
    expect(report.changeCount).toBe(0);
    expect(report.firstDifference).toBeUndefined();
  });

  it('says the datasets are identical when another implementation rewrote only the meta group, listing the meta elements that differ', async () => {
    const plain = await file('plain.dcm', buildP10File({ seed: 7 }));
    const rewritten = await dcmconv('plain-dcmtk.dcm', plain, ['-e']);
    const report = await compareFiles(plain, rewritten);
    expect(report.verdict).toBe('identical-datasets');
    expect(report.changeCount).toBe(0);
    expect(report.regions?.dataset.bytesEqual).toBe(true);
    expect(report.regions?.meta.differences.map((d) => [d.kind, d.path])).toEqual([
      ['value-changed', '(0002,0000)'],
      ['value-changed', '(0002,0012)'],
      ['value-changed', '(0002,0013)'],
    ]);
    expect(report.regions?.meta.differences[2]?.b?.value).toContain('OFFIS_DCMTK');
    // The first byte to differ is the group length value, at 132 + 8 in both files.
    expect(report.firstDifference?.a).toMatchObject({ offset: 140, region: 'meta', path: '(0002,0000)', part: 'value' });
    expect(report.firstDatasetDifference).toBeUndefined();
  });

  it('says the datasets are identical when the gateway wrote its own meta group in front of the same dataset bytes', async () => {
    const plain = buildP10File({ seed: 8 });
    const a = await file('gw-a.dcm', plain);
    const gatewayHeader = buildP10Header({
      sopClassUid: SopClass.CT,
      sopInstanceUid: '1.2.3.4.5.6.7.8.9.3.8.1',
      transferSyntaxUid: FixtureTransferSyntax.ExplicitVRLittleEndian,
    });
    const b = await file('gw-b.dcm', Buffer.concat([gatewayHeader, datasetRegion(plain)]));
    const report = await compareFiles(a, b);
    expect(report.verdict).toBe('identical-datasets');
    expect(report.regions?.meta.differences.map((d) => d.path)).toEqual(['(0002,0000)', '(0002,0012)', '(0002,0013)']);
  });

  it('compares a bare dataset with a stated syntax against a Part-10 file', async () => {
    const raw = await file('raw.bin', datasetRegion(sourceBytes));
    const report = await compareFiles(source, { path: raw, datasetSyntax: FixtureTransferSyntax.ExplicitVRLittleEndian });
    expect(report.verdict).toBe('identical-datasets');
    expect(report.regions?.preamble.b.present).toBe(false);
    expect(report.regions?.meta.differences.every((d) => d.kind === 'element-removed')).toBe(true);
  });

  it('is not comparable when one file is not DICOM, and says which and why', async () => {
    const text = await file('notes.txt', Buffer.from('these are not the bytes you are looking for\n'.repeat(10)));
    const report = await compareFiles(source, text);
    expect(report.verdict).toBe('not-comparable');
    expect(report.summary).toContain(text);
    expect(report.summary).toContain('not a DICOM Part-10 file');
  });

  it('refuses a missing file as an input error naming it', async () => {
    const missing = join(dir, 'missing.dcm');
    await expect(compareFiles(source, missing)).rejects.toThrow(CompareInputError);
    await expect(compareFiles(source, missing)).rejects.toThrow(missing);
  });
});

describe('compareFiles names each kind of change once, where it happened', () => {
  it('DCMTK re-encoding: one length-encoding change at the sequence, for the sequence and its item', async () => {
    const reencoded = await dcmconv('reencoded.dcm', source, []);
    const bytes = await readFile(reencoded);
    const report = await compareFiles(source, reencoded);
    expect(report.verdict).toBe('datasets-differ');
    expect(kindsAndPaths(report)).toEqual([['length-encoding-changed', '(0008,1140)']]);
    const change = report.changes['length-encoding-changed'][0]!;
    expect(change.lengthEncoding).toEqual([
      { what: 'sequence', a: 'undefined', b: 'defined' },
      { what: 0, a: 'undefined', b: 'defined' },
    ]);
    expect(change.a?.offset).toBe(headerOffsetOf(sourceBytes, 0x00081140, 'SQ'));
    expect(change.b?.offset).toBe(headerOffsetOf(bytes, 0x00081140, 'SQ'));
    expect(change.a?.undefinedLength).toBe(true);
    expect(change.b?.undefinedLength).toBe(false);
    // The first differing byte is the sequence's length field (12-byte header: length at +8).
    expect(report.firstDatasetDifference?.a).toMatchObject({ offset: change.a!.offset + 8, path: '(0008,1140)', part: 'length' });
  });

  it('conversion to implicit VR: the transfer syntax change only, values compared decoded', async () => {
    const implicit = await dcmconv('implicit.dcm', source, ['+ti', '-e']);
    const report = await compareFiles(source, implicit);
    expect(kindsAndPaths(report)).toEqual([['transfer-syntax-changed', '(0002,0010)']]);
    expect(report.changes['transfer-syntax-changed'][0]!.description).toContain('cannot match');
    expect(report.transferSyntax).toEqual({
      a: FixtureTransferSyntax.ExplicitVRLittleEndian,
      b: FixtureTransferSyntax.ImplicitVRLittleEndian,
      changed: true,
    });
  });

  it('conversion to big endian: the transfer syntax change only, numbers and pixels compared decoded', async () => {
    const bigEndian = await dcmconv('big-endian.dcm', source, ['+tb', '-e']);
    const report = await compareFiles(source, bigEndian);
    expect(kindsAndPaths(report)).toEqual([['transfer-syntax-changed', '(0002,0010)']]);
  });

  it('conversion to deflated: the transfer syntax change only, the dataset inflated as a stream', async () => {
    const deflated = await dcmconv('deflated.dcm', source, ['+td', '-e']);
    const report = await compareFiles(source, deflated);
    expect(kindsAndPaths(report)).toEqual([['transfer-syntax-changed', '(0002,0010)']]);
    expect(report.regions?.dataset.b.offsetSpace).toBe('inflated');
  });

  it('private tags turned into UN by an implicit VR round trip: a VR change per private element, values equal', async () => {
    const implicit = await dcmconv('roundtrip-implicit.dcm', source, ['+ti', '-e']);
    const back = await dcmconv('roundtrip-explicit.dcm', implicit, ['+te', '-e']);
    const bytes = await readFile(back);
    const report = await compareFiles(source, back);
    expect(kindsAndPaths(report)).toEqual([
      ['vr-changed', '(0009,1001)'],
      ['vr-changed', '(0009,1002)'],
    ]);
    const [text, binary] = report.changes['vr-changed'];
    expect([text!.a?.vr, text!.b?.vr, text!.valueEqual]).toEqual(['LO', 'UN', true]);
    expect([binary!.a?.vr, binary!.b?.vr, binary!.valueEqual]).toEqual(['OB', 'UN', true]);
    expect(text!.a?.offset).toBe(headerOffsetOf(sourceBytes, 0x00091001, 'LO'));
    expect(text!.b?.offset).toBe(headerOffsetOf(bytes, 0x00091001, 'UN'));
  });

  it('one value changed by dcmodify -m: a value change at that element, showing both values', async () => {
    const modified = await dcmodify('modified.dcm', source, ['-m', '(0010,0010)=DOE^JANE']);
    const bytes = await readFile(modified);
    const report = await compareFiles(source, modified);
    expect(kindsAndPaths(report)).toEqual([['value-changed', '(0010,0010)']]);
    const change = report.changes['value-changed'][0]!;
    expect([change.a?.value, change.b?.value]).toEqual(['"DOE^JOHN"', '"DOE^JANE"']);
    expect(change.a?.offset).toBe(headerOffsetOf(sourceBytes, 0x00100010, 'PN'));
    expect(change.b?.offset).toBe(headerOffsetOf(bytes, 0x00100010, 'PN'));
    // "DOE^J" is common; the sixth value byte is the first to differ.
    expect(report.firstDatasetDifference?.a.offset).toBe(change.a!.valueOffset + 5);
    expect(report.firstDatasetDifference?.b.offset).toBe(change.b!.valueOffset + 5);
  });

  it('counts the changes of each kind in words: "2 values changed, 1 element removed"', async () => {
    const changed = await dcmodify('changed-twice.dcm', source, [
      '-m',
      '(0010,0010)=DOE^JANE',
      '-m',
      '(0010,0020)=OTHER',
      '-e',
      '(0010,0030)',
    ]);
    const report = await compareFiles(source, changed);
    expect(report.summary).toBe('The datasets differ: 3 changes (2 values changed, 1 element removed).');
  });

  it('one element removed by dcmodify -e: a removal at that element, and where it would be in the other file', async () => {
    const erased = await dcmodify('erased.dcm', source, ['-e', '(0010,0030)']);
    const bytes = await readFile(erased);
    const report = await compareFiles(source, erased);
    expect(kindsAndPaths(report)).toEqual([['element-removed', '(0010,0030)']]);
    const change = report.changes['element-removed'][0]!;
    expect(change.a?.offset).toBe(headerOffsetOf(sourceBytes, 0x00100030, 'DA'));
    expect(change.b).toBeUndefined();
    expect(change.missingAt?.b).toBe(headerOffsetOf(bytes, 0x00100040, 'CS'));
  });

  it('an element added: the same change seen from the other side', async () => {
    const erased = await dcmodify('erased-2.dcm', source, ['-e', '(0010,0030)']);
    const report = await compareFiles(erased, source);
    expect(kindsAndPaths(report)).toEqual([['element-added', '(0010,0030)']]);
  });

  it('trailing padding removed: one padding change at (FFFC,FFFC)', async () => {
    const unpadded = await dcmconv('unpadded.dcm', source, ['-e', '-p']);
    const report = await compareFiles(source, unpadded);
    expect(kindsAndPaths(report)).toEqual([['padding-changed', '(FFFC,FFFC)']]);
    const change = report.changes['padding-changed'][0]!;
    expect(change.a?.offset).toBe(headerOffsetOf(sourceBytes, 0xfffcfffc, 'OB'));
    expect(change.missingAt?.b).toBe((await readFile(unpadded)).length);
    expect(report.firstDatasetDifference?.b.atEnd).toBe(true);
  });

  it('odd-length values padded by DCMTK: a value-padding change at each such element, nothing else', async () => {
    const fixture = join(dir, 'fixture.dcm');
    const report = await compareFiles(fixture, source);
    const changes = changeList(report);
    expect(changes.map((c) => c.path)).toContain('(0018,1030)');
    for (const change of changes) {
      expect(change.kind).toBe('padding-changed');
      expect(change.a!.valueLength % 2).toBe(1);
      expect(change.b!.valueLength).toBe(change.a!.valueLength + 1);
    }
  });

  it('group lengths added by dcmconv +g: group-length-added for each group, nothing else', async () => {
    const withGroupLengths = await dcmconv('group-lengths.dcm', source, ['+g', '-e']);
    const report = await compareFiles(source, withGroupLengths);
    const changes = changeList(report);
    expect(changes.length).toBeGreaterThan(3);
    expect(changes.every((c) => c.kind === 'group-length-added' && /\(....,0000\)$/.test(c.path))).toBe(true);
    expect(changes.map((c) => c.path)).toContain('(0008,1140)[0]/(0008,0000)');
  });

  it('one encapsulated pixel fragment edited: a fragment change at that fragment only', async () => {
    const original = buildP10File({ transferSyntaxUid: FixtureTransferSyntax.JpegLossless, numberOfFrames: 3, pixelDataBytes: 300 });
    const a = await file('jpeg-a.dcm', original);
    const edited = Buffer.from(original);
    // Fragment 1 is the third item after the pixel data header: skip the empty offset table (8) and fragment 0 (8 + 100).
    const pixelHeader = headerOffsetOf(original, 0x7fe00010, 'OB');
    const fragment1Header = pixelHeader + 12 + 8 + 108;
    const editedAt = fragment1Header + 8 + 37;
    edited[editedAt]! ^= 0xff;
    const b = await file('jpeg-b.dcm', edited);
    const report = await compareFiles(a, b);
    expect(kindsAndPaths(report)).toEqual([['pixel-fragment-changed', '(7FE0,0010)/fragment[1]']]);
    const change = report.changes['pixel-fragment-changed'][0]!;
    expect([change.a?.offset, change.b?.offset]).toEqual([fragment1Header, fragment1Header]);
    expect([change.a?.valueLength, change.b?.valueLength]).toEqual([100, 100]);
    expect(report.firstDatasetDifference?.a).toMatchObject({ offset: editedAt, path: '(7FE0,0010)/fragment[1]', part: 'value' });
  });

  it('one native frame edited: a frame change at that frame only', async () => {
    const original = buildP10File({ numberOfFrames: 4, pixelDataBytes: 4 * 512 });
    const a = await file('frames-a.dcm', original);
    const edited = Buffer.from(original);
    const valueOffset = headerOffsetOf(original, 0x7fe00010, 'OW') + 12;
    edited[valueOffset + 2 * 512 + 3]! ^= 0x01;
    const b = await file('frames-b.dcm', edited);
    const report = await compareFiles(a, b);
    expect(kindsAndPaths(report)).toEqual([['pixel-frame-changed', '(7FE0,0010)/frame[2]']]);
    expect(report.changes['pixel-frame-changed'][0]!.a?.offset).toBe(valueOffset + 1024);
  });

  it('a value changed deep in nested sequences is named by its full path, not as a change of the sequences around it', async () => {
    const a = await file(
      'nested-a.dcm',
      p10File(encodeDataset(nestedElements(), EXPLICIT_LE), FixtureTransferSyntax.ExplicitVRLittleEndian),
    );
    const b = await file(
      'nested-b.dcm',
      p10File(
        encodeDataset(nestedElements({ description: 'FIRST STEP, LONGER' }), EXPLICIT_LE),
        FixtureTransferSyntax.ExplicitVRLittleEndian,
      ),
    );
    const report = await compareFiles(a, b);
    expect(kindsAndPaths(report)).toEqual([['value-changed', '(0040,0275)[0]/(0040,0007)']]);
  });

  it('nested sequences re-encoded with defined lengths: one length-encoding change per sequence, no value changes', async () => {
    const a = await file(
      'nested-u.dcm',
      p10File(encodeDataset(nestedElements(), EXPLICIT_LE), FixtureTransferSyntax.ExplicitVRLittleEndian),
    );
    const b = await file(
      'nested-d.dcm',
      p10File(
        encodeDataset(nestedElements({ undefinedLength: false, undefinedItems: false }), EXPLICIT_LE),
        FixtureTransferSyntax.ExplicitVRLittleEndian,
      ),
    );
    const report = await compareFiles(a, b);
    expect(kindsAndPaths(report)).toEqual([
      ['length-encoding-changed', '(0040,0275)'],
      ['length-encoding-changed', '(0040,0275)[0]/(0040,0008)'],
    ]);
    expect(report.changes['length-encoding-changed'][0]!.lengthEncoding).toHaveLength(3);
  });

  it('a private sequence written as UN (CP-246): one VR change at the sequence, its items compared and found equal', async () => {
    const items = [[{ tag: 0x00100020, vr: 'LO', value: 'INSIDE' }]];
    const asSequence: El[] = [
      { tag: 0x00100010, vr: 'PN', value: 'CP^246' },
      { tag: 0x00111001, vr: 'SQ', items },
    ];
    const asUnknown: El[] = [
      { tag: 0x00100010, vr: 'PN', value: 'CP^246' },
      { tag: 0x00111001, vr: 'UN', itemSyntax: IMPLICIT_LE, items },
    ];
    const a = await file('cp246-sq.dcm', p10File(encodeDataset(asSequence, EXPLICIT_LE), FixtureTransferSyntax.ExplicitVRLittleEndian));
    const b = await file('cp246-un.dcm', p10File(encodeDataset(asUnknown, EXPLICIT_LE), FixtureTransferSyntax.ExplicitVRLittleEndian));
    const report = await compareFiles(a, b);
    expect(kindsAndPaths(report)).toEqual([['vr-changed', '(0011,1001)']]);
    expect(report.changes['vr-changed'][0]).toMatchObject({ valueEqual: true, a: { vr: 'SQ' }, b: { vr: 'UN' } });
  });

  it('a truncated copy: the dataset is unreadable where it ends, and nothing after that is called a change', async () => {
    const cut = await file('truncated.dcm', sourceBytes.subarray(0, sourceBytes.length - 200));
    const report = await compareFiles(source, cut);
    expect(kindsAndPaths(report)).toEqual([['dataset-unreadable', '(7FE0,0010)/frame[0]']]);
    expect(report.changes['dataset-unreadable'][0]!.b?.offset).toBe(sourceBytes.length - 200);
  });
});
