import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openDatasetSource, openInput } from '../../../src-main/inspect/dataset-input.ts';
import type { DatasetWalk, ElementNode, ItemNode } from '../../../src-main/inspect/element-tree.ts';
import { walkDataset } from '../../../src-main/inspect/dataset-tree.ts';
import { buildP10File, FixtureTransferSyntax } from '../../helpers/dicom-fixtures.ts';
import { encodeDataset, EXPLICIT_LE, IMPLICIT_LE, nestedElements, p10File } from './dataset-builder.ts';
import { useTempDir } from '../../helpers/temp-dir.ts';

const tmp = useTempDir('walker-');
let counter = 0;

async function walkFile(
  bytes: Buffer,
  options: { hashValues?: boolean; stopAt?: number } = {},
): Promise<{ walk: DatasetWalk; path: string }> {
  const path = await tmp.file(`${++counter}.dcm`, bytes);
  const input = await openInput({ path });
  if (!input.encoding) throw new Error(`${path}: ${input.problem}`);
  const encoding = input.encoding;
  const source = await openDatasetSource(input);
  try {
    const walk = await walkDataset(source, {
      ...encoding,
      hashValues: options.hashValues ?? true,
      ...(options.stopAt !== undefined ? { stopAt: options.stopAt } : {}),
    });
    return { walk, path };
  } finally {
    await source.close();
  }
}

/** Every element, item at any depth, in file order. */
function flatten(elements: ElementNode[]): Array<ElementNode | ItemNode> {
  return elements.flatMap((e) => [e, ...(e.items ?? []).flatMap((item) => [item, ...flatten(item.elements)])]);
}

function byPath(walk: DatasetWalk, path: string): ElementNode | ItemNode {
  const found = flatten(walk.elements).find((n) => n.path === path);
  if (!found)
    throw new Error(
      `no ${path} in walk: ${flatten(walk.elements)
        .map((n) => n.path)
        .join(' ')}`,
    );
  return found;
}

function element(walk: DatasetWalk, path: string): ElementNode {
  const found = byPath(walk, path);
  if (found.type !== 'element') throw new Error(`${path} is not an element`);
  return found;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('element walker', () => {
  it('records each element of an explicit VR LE file with offsets that point at its tag, VR and value bytes', async () => {
    const file = buildP10File({ edgeCases: true });
    const { walk } = await walkFile(file);
    expect(walk.problem).toBeUndefined();
    for (const node of walk.elements) {
      expect(file.readUInt16LE(node.headerOffset)).toBe(node.tag >>> 16);
      expect(file.readUInt16LE(node.headerOffset + 2)).toBe(node.tag & 0xffff);
      expect(file.toString('latin1', node.headerOffset + 4, node.headerOffset + 6)).toBe(node.vr);
      expect(node.valueOffset).toBe(node.headerOffset + node.headerLength);
    }
    const name = element(walk, '(0010,0010)');
    expect(name.vr).toBe('PN');
    expect(file.subarray(name.valueOffset, name.valueOffset + name.valueLength).toString('latin1')).toBe('DOE^JOHN');
    expect(name.valueHash).toBe(sha256(Buffer.from('DOE^JOHN')));
    const odd = element(walk, '(0018,1030)');
    expect(odd.valueLength).toBe(3);
    expect(walk.endOffset).toBe(file.length);
  });

  it('finds the delimiters of an undefined-length sequence and item and measures what lies between', async () => {
    const file = buildP10File({ edgeCases: true });
    const { walk } = await walkFile(file);
    const sequence = element(walk, '(0008,1140)');
    const item = byPath(walk, '(0008,1140)[0]') as ItemNode;
    expect(sequence.undefinedLength).toBe(true);
    expect(item.undefinedLength).toBe(true);
    expect(file.subarray(item.delimiterOffset!, item.delimiterOffset! + 4)).toEqual(Buffer.from([0xfe, 0xff, 0x0d, 0xe0]));
    expect(file.subarray(sequence.delimiterOffset!, sequence.delimiterOffset! + 4)).toEqual(Buffer.from([0xfe, 0xff, 0xdd, 0xe0]));
    expect(sequence.endOffset).toBe(sequence.delimiterOffset! + 8);
    expect(sequence.valueLength).toBe(sequence.delimiterOffset! - sequence.valueOffset);
    expect(item.elements.map((e) => e.path)).toEqual(['(0008,1140)[0]/(0008,1150)', '(0008,1140)[0]/(0008,1155)']);
  });

  it('names nested elements by path the same way whether lengths are defined or undefined', async () => {
    const undefinedWalk = (
      await walkFile(p10File(encodeDataset(nestedElements(), EXPLICIT_LE), FixtureTransferSyntax.ExplicitVRLittleEndian))
    ).walk;
    const definedWalk = (
      await walkFile(
        p10File(
          encodeDataset(nestedElements({ undefinedLength: false, undefinedItems: false }), EXPLICIT_LE),
          FixtureTransferSyntax.ExplicitVRLittleEndian,
        ),
      )
    ).walk;
    const paths = (w: DatasetWalk) => flatten(w.elements).map((n) => n.path);
    expect(paths(undefinedWalk)).toEqual([
      '(0008,0016)',
      '(0010,0010)',
      '(0040,0275)',
      '(0040,0275)[0]',
      '(0040,0275)[0]/(0040,0007)',
      '(0040,0275)[0]/(0040,0008)',
      '(0040,0275)[0]/(0040,0008)[0]',
      '(0040,0275)[0]/(0040,0008)[0]/(0008,0100)',
      '(0040,0275)[0]/(0040,0008)[0]/(0008,0102)',
      '(0040,0275)[1]',
      '(0040,0275)[1]/(0040,0007)',
      '(0028,0010)',
    ]);
    expect(paths(definedWalk)).toEqual(paths(undefinedWalk));
    expect(element(definedWalk, '(0040,0275)[0]/(0040,0007)').valueHash).toBe(
      element(undefinedWalk, '(0040,0275)[0]/(0040,0007)').valueHash,
    );
    expect(element(definedWalk, '(0040,0275)').undefinedLength).toBe(false);
    expect(element(definedWalk, '(0040,0275)').delimiterOffset).toBeUndefined();
  });

  it('takes implicit VRs from the dictionary, reads unknown private tags as UN, and recognises sequences', async () => {
    const elements = [
      ...nestedElements({ undefinedLength: false, undefinedItems: false }),
      // A private sequence of defined length: no dictionary entry, recognised by its first item.
      {
        tag: 0x00091010,
        vr: 'SQ',
        undefinedLength: false,
        undefinedItems: false,
        items: [[{ tag: 0x00100020, vr: 'LO', value: 'IN PRIVATE' }]],
      },
      { tag: 0x00091011, vr: 'LO', value: 'plain private' },
    ].sort((x, y) => x.tag - y.tag);
    const { walk } = await walkFile(p10File(encodeDataset(elements, IMPLICIT_LE), FixtureTransferSyntax.ImplicitVRLittleEndian));
    expect(walk.problem).toBeUndefined();
    expect(element(walk, '(0010,0010)').vr).toBe('PN');
    expect(element(walk, '(0010,0010)').vrInHeader).toBe(false);
    expect(element(walk, '(0040,0275)').items).toHaveLength(2);
    expect(element(walk, '(0009,1010)').vr).toBe('UN');
    expect(element(walk, '(0009,1010)[0]/(0010,0020)').value?.toString('latin1')).toBe('IN PRIVATE');
    expect(element(walk, '(0009,1011)').vr).toBe('UN');
    expect(element(walk, '(0009,1011)').items).toBeUndefined();
  });

  it('reads an undefined-length UN as implicit VR items (CP-246) inside an explicit VR dataset', async () => {
    const elements = [
      { tag: 0x00100010, vr: 'PN', value: 'CP^246' },
      { tag: 0x00111001, vr: 'UN', itemSyntax: IMPLICIT_LE, items: [[{ tag: 0x00100020, vr: 'LO', value: 'INSIDE' }]] },
      { tag: 0x00200013, vr: 'IS', value: '7' },
    ];
    const { walk } = await walkFile(p10File(encodeDataset(elements, EXPLICIT_LE), FixtureTransferSyntax.ExplicitVRLittleEndian));
    expect(walk.problem).toBeUndefined();
    const inside = element(walk, '(0011,1001)[0]/(0010,0020)');
    expect(inside.vrInHeader).toBe(false);
    expect(inside.value?.toString('latin1')).toBe('INSIDE');
    expect(element(walk, '(0020,0013)').value?.toString('latin1')).toBe('7 ');
  });

  it('decodes big endian values to the same fingerprints as little endian, frames included', async () => {
    const options = { pixelDataBytes: 512, numberOfFrames: 2 };
    const le = (await walkFile(buildP10File(options))).walk;
    const be = (await walkFile(buildP10File({ ...options, transferSyntaxUid: FixtureTransferSyntax.ExplicitVRBigEndian }))).walk;
    const rowsLe = element(le, '(0028,0010)');
    const rowsBe = element(be, '(0028,0010)');
    expect(rowsBe.valueHash).not.toBe(rowsLe.valueHash);
    expect(rowsBe.decodedHash).toBe(rowsLe.decodedHash);
    const pixelLe = element(le, '(7FE0,0010)');
    const pixelBe = element(be, '(7FE0,0010)');
    expect(pixelBe.frames?.map((f) => f.decodedHash)).toEqual(pixelLe.frames?.map((f) => f.decodedHash));
    expect(pixelBe.frames?.map((f) => f.valueHash)).not.toEqual(pixelLe.frames?.map((f) => f.valueHash));
    expect(element(be, '(0010,0010)').valueHash).toBe(element(le, '(0010,0010)').valueHash);
  });

  it('inflates a deflated dataset as a stream and counts offsets in inflated bytes', async () => {
    const options = { edgeCases: true, pixelDataBytes: 4096 };
    const plain = (await walkFile(buildP10File(options))).walk;
    const deflated = (await walkFile(buildP10File({ ...options, transferSyntaxUid: FixtureTransferSyntax.DeflatedExplicitVRLittleEndian })))
      .walk;
    expect(deflated.problem).toBeUndefined();
    const shape = (w: DatasetWalk) =>
      flatten(w.elements).map((n) => [n.path, n.headerOffset - w.startOffset, n.type === 'element' ? n.decodedHash : '']);
    expect(deflated.startOffset).toBe(0);
    expect(shape(deflated)).toEqual(shape(plain));
  });

  it('walks encapsulated pixel data fragment by fragment, the offset table first', async () => {
    const file = buildP10File({ transferSyntaxUid: FixtureTransferSyntax.JpegLossless, numberOfFrames: 3, pixelDataBytes: 300 });
    const { walk } = await walkFile(file);
    const pixel = element(walk, '(7FE0,0010)');
    expect(pixel.undefinedLength).toBe(true);
    expect(pixel.fragments?.map((f) => [f.path, f.valueLength])).toEqual([
      ['(7FE0,0010)/offset-table', 0],
      ['(7FE0,0010)/fragment[0]', 100],
      ['(7FE0,0010)/fragment[1]', 100],
      ['(7FE0,0010)/fragment[2]', 100],
    ]);
    for (const fragment of pixel.fragments!) {
      expect(file.subarray(fragment.headerOffset, fragment.headerOffset + 4)).toEqual(Buffer.from([0xfe, 0xff, 0x00, 0xe0]));
      expect(fragment.valueHash).toBe(sha256(file.subarray(fragment.valueOffset, fragment.valueOffset + fragment.valueLength)));
    }
    expect(file.subarray(pixel.delimiterOffset!, pixel.delimiterOffset! + 4)).toEqual(Buffer.from([0xfe, 0xff, 0xdd, 0xe0]));
  });

  it('splits native pixel data into frames from Rows, Columns, Bits Allocated and Number of Frames', async () => {
    const file = buildP10File({ numberOfFrames: 4, pixelDataBytes: 4 * 2 * 64 });
    const { walk } = await walkFile(file);
    const pixel = element(walk, '(7FE0,0010)');
    expect(pixel.frames?.map((f) => [f.path, f.valueOffset - pixel.valueOffset, f.valueLength])).toEqual([
      ['(7FE0,0010)/frame[0]', 0, 128],
      ['(7FE0,0010)/frame[1]', 128, 128],
      ['(7FE0,0010)/frame[2]', 256, 128],
      ['(7FE0,0010)/frame[3]', 384, 128],
    ]);
    expect(pixel.frames![2]!.valueHash).toBe(sha256(file.subarray(pixel.valueOffset + 256, pixel.valueOffset + 384)));
  });

  it('reports where a truncated file ends and marks the element it ends in', async () => {
    const file = buildP10File({ edgeCases: true, pixelDataBytes: 1000 });
    const cut = file.length - 300;
    const { walk } = await walkFile(file.subarray(0, cut));
    expect(walk.problem?.offset).toBe(cut);
    expect(walk.problem?.path).toBe('(7FE0,0010)/frame[0]');
    expect(walk.problem?.reason).toContain(`at byte ${cut}`);
    expect(element(walk, '(7FE0,0010)').truncated).toBe(true);
    expect(walk.elements.some((e) => e.tag === 0xfffcfffc)).toBe(false);
  });

  it('stops at the first header past stopAt, without hashing, for a byte-range view', async () => {
    const file = buildP10File({ edgeCases: true });
    const full = (await walkFile(file)).walk;
    const patient = element(full, '(0010,0010)');
    const { walk } = await walkFile(file, { hashValues: false, stopAt: patient.headerOffset + 1 });
    expect(walk.elements[walk.elements.length - 1]!.path).toBe('(0010,0010)');
    expect(walk.elements.filter((e) => e.valueHash)).toEqual([]);
  });
});
