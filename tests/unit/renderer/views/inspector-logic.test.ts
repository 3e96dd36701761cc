import { describe, expect, it } from 'vitest';
import {
  differencesInFileOrder,
  groupDifferences,
  headline,
  verdictTitle,
} from '../../../../src-renderer/src/views/inspector/differences.ts';
import {
  describeSpan,
  differsAt,
  differsByElement,
  rowStart,
  spanAtOffset,
} from '../../../../src-renderer/src/views/inspector/hex-page.ts';
import { changesByKind, compareRegions, compareReport as report, elementSpan } from './compare-report-fixtures.ts';

describe('inspector differences', () => {
  it('says "Cannot compare" with the engine’s reason, without repeating "Not comparable"', () => {
    expect(verdictTitle(report({ verdict: 'not-comparable', summary: 'Not comparable: b.txt is not DICOM' }))).toBe(
      'Cannot compare: b.txt is not DICOM',
    );
  });

  it('lists a changed preamble, and orders differences by their offset in A, then in B', () => {
    const changes = changesByKind({
      'element-added': [
        { kind: 'element-added', path: '(0009,0010)', b: elementSpan(600, 'LO', 4), missingAt: { a: 580 }, description: '' },
      ],
      'value-changed': [
        { kind: 'value-changed', path: '(0008,0060)', a: elementSpan(400, 'CS', 2), b: elementSpan(420, 'CS', 2), description: '' },
      ],
    });
    const regions = compareRegions({ datasetAt: { a: 300, b: 320 }, preambleOfBAllZero: false });
    const groups = groupDifferences(report({ changes, regions }));
    // The dataset's differences first; the header's after them.
    expect(groups.map((g) => [g.key, g.items.length])).toEqual([
      ['value-changed', 1],
      ['element-added', 1],
      ['preamble', 1],
    ]);
    expect(groups[2]!.items[0]!.description).toBe('A: all zero, B: not all zero');
    const added = groups[1]!.items[0]!;
    expect([added.offsetA, added.presentA, added.offsetB, added.presentB, added.rangeA, added.rangeB]).toEqual([
      580,
      false,
      600,
      true,
      undefined,
      [600, 612],
    ]);
    expect(differencesInFileOrder(groups).map((d) => d.path)).toEqual(['preamble', '(0008,0060)', '(0009,0010)']);
  });

  it('headlines the change in words: the element by name, its value before and after, and how many more', () => {
    const changes = report({}).changes;
    const side = (offset: number, value: string) => ({ ...elementSpan(offset, 'PN'), value });
    changes['value-changed'].push({
      kind: 'value-changed',
      path: '(0010,0010)',
      keyword: 'PatientName',
      a: side(900, 'DOE^JANE'),
      b: side(900, 'DOE^JOHN'),
      description: '"DOE^JANE" → "DOE^JOHN"',
    });
    changes['element-removed'].push({
      kind: 'element-removed',
      path: '(0009,1001)',
      a: side(950, 'X'),
      missingAt: { b: 950 },
      description: 'only in A',
    });
    expect(headline(report({ changes, changeCount: 2 }))).toBe(
      'Patient Name (0010,0010) changed: DOE^JANE → DOE^JOHN (and 1 more difference)',
    );
    const removedOnly = report({}).changes;
    removedOnly['element-removed'].push(changes['element-removed'][0]!);
    expect(headline(report({ changes: removedOnly, changeCount: 1 }))).toBe('Element (0009,1001) removed in B');
    expect(headline(report({ verdict: 'identical-files' }))).toBeUndefined();
  });

  it('does not offer file offsets of a deflated dataset, which count inflated bytes', () => {
    const changes = changesByKind({
      'value-changed': [
        { kind: 'value-changed', path: '(0010,0010)', a: elementSpan(900, 'PN'), b: elementSpan(900, 'PN'), description: '' },
      ],
    });
    const regions = compareRegions({ datasetAt: { a: 300, b: 300 }, offsetSpaceOfA: 'inflated' });
    const [group] = groupDifferences(report({ changes, regions }));
    expect([group!.items[0]!.offsetA, group!.items[0]!.offsetB]).toEqual([undefined, 900]);
  });
});

describe('inspector hex page', () => {
  it('starts a row at a multiple of 16', () => {
    expect([rowStart(0), rowStart(15), rowStart(16), rowStart(1000)]).toEqual([0, 0, 16, 992]);
  });

  it('finds the span of a byte and describes it', () => {
    const spans = [
      { start: 0, end: 4, region: 'dataset' as const, part: 'tag' as const, path: '(0010,0010)', keyword: 'PatientName', vr: 'PN' },
      { start: 4, end: 6, region: 'dataset' as const, part: 'vr' as const, path: '(0010,0010)', keyword: 'PatientName', vr: 'PN' },
      { start: 8, end: 16, region: 'dataset' as const, part: 'value' as const, path: '(0010,0010)', keyword: 'PatientName', vr: 'PN' },
    ];
    expect(describeSpan(spanAtOffset(spans, 5))).toBe('(0010,0010) PatientName · PN · VR');
    expect(spanAtOffset(spans, 6)).toBeUndefined();
    expect(describeSpan(spanAtOffset(spans, 15))).toBe('(0010,0010) PatientName · PN · value');
  });

  it('flags only the bytes of a reported difference that differ from the same place in the other file’s element', () => {
    // A's element at 100..110, B's at 130..142 (two bytes longer); B's bytes are A's shifted by 30 except byte 104.
    const a = (offset: number) => offset & 0xff;
    const b = (offset: number) => (offset === 134 ? 0xee : (offset - 30) & 0xff);
    const pairs = [{ a: [100, 110] as [number, number], b: [130, 142] as [number, number] }];
    const flaggedA = [...Array(20).keys()].map((i) => 95 + i).filter((o) => differsByElement(o, a(o), 'a', pairs, b));
    expect(flaggedA).toEqual([104]);
    const flaggedB = [...Array(20).keys()].map((i) => 125 + i).filter((o) => differsByElement(o, b(o), 'b', pairs, a));
    expect(flaggedB).toEqual([134, 140, 141]);
    // An element only one file has differs entirely; a counterpart not loaded counts as differing.
    expect(differsByElement(200, 0, 'a', [{ a: [200, 204] }], b)).toBe(true);
    expect(differsByElement(100, a(100), 'a', pairs, () => undefined)).toBe(true);
  });

  it('compares position by position as a fallback', () => {
    const mine = Uint8Array.from([1, 2, 3]);
    expect([0, 1, 2].map((i) => differsAt(mine, Uint8Array.from([1, 9]), i))).toEqual([false, true, true]);
  });
});
