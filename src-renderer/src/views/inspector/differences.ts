/**
 * Turns a CompareReport into what the Inspector lists: the verdict in plain words, and every
 * difference as one row (grouped by kind, and in file order for "next difference"), each knowing
 * where it is in file A and file B so the hex view can jump to it.
 */
import type { ChangeKind, ChangesByKind } from '../../../../src-main/api/contract.ts';
import type { CompareReport, Verdict } from '../../../../src-main/api/contract.ts';

/** Kinds as the list groups them: the engine's change kinds plus the two header regions. */
export type DifferenceGroupKey = 'preamble' | 'meta' | ChangeKind;

// The renderer must not bundle engine code, so the kinds are listed here; typing the map with
// Record<ChangeKind, …> makes the type check fail when the engine adds a kind.
const CHANGE_KIND_LABELS: Record<ChangeKind, string> = {
  'transfer-syntax-changed': 'Transfer syntax changed',
  'value-changed': 'Value changed',
  'element-added': 'Element added',
  'element-removed': 'Element removed',
  'vr-changed': 'VR changed',
  'length-encoding-changed': 'Length encoding changed',
  'group-length-added': 'Group length added',
  'group-length-removed': 'Group length removed',
  'padding-changed': 'Padding changed',
  'pixel-frame-changed': 'Pixel frame changed',
  'pixel-fragment-changed': 'Pixel fragment changed',
  'bytes-changed': 'Bytes changed (no element-level cause found)',
  'dataset-unreadable': 'Dataset unreadable',
};

// What a person checks first (the dataset) before what only the file's header holds.
const GROUP_ORDER: DifferenceGroupKey[] = [...(Object.keys(CHANGE_KIND_LABELS) as ChangeKind[]), 'meta', 'preamble'];

/** Groups about the file's header only: listed after the dataset's, and folded when the dataset differs too. */
export const HEADER_GROUPS: readonly DifferenceGroupKey[] = ['meta', 'preamble'];

const GROUP_LABELS: Record<DifferenceGroupKey, string> = {
  preamble: 'Preamble (first 128 bytes)',
  meta: 'File meta group (0002,xxxx)',
  ...CHANGE_KIND_LABELS,
};

export interface Difference {
  /** Stable within one report: the group and the position in it. */
  id: string;
  group: DifferenceGroupKey;
  path: string;
  keyword: string | undefined;
  vrA: string | undefined;
  vrB: string | undefined;
  /** Where the difference is (or, for an element only the other file has, where it would be) in each file. */
  offsetA: number | undefined;
  offsetB: number | undefined;
  /** Whether the offset is in the element (false: where a missing element would be). */
  presentA: boolean;
  presentB: boolean;
  /** Byte ranges the element covers, end exclusive, to mark in the hex view. */
  rangeA: [number, number] | undefined;
  rangeB: [number, number] | undefined;
  description: string;
}

export interface DifferenceGroup {
  key: DifferenceGroupKey;
  label: string;
  items: Difference[];
}

export function verdictTitle(report: CompareReport): string {
  return verdictWords(report.verdict, report.summary);
}

export function verdictWords(verdict: Verdict, summary: string): string {
  switch (verdict) {
    case 'identical-files':
      return 'Identical files';
    case 'identical-datasets':
      return 'Same dataset, different file meta';
    case 'datasets-differ':
      return 'Datasets differ';
    case 'not-comparable':
      return `Cannot compare: ${summary.replace(/^Not comparable:\s*/i, '')}`;
  }
}

/**
 * The change in words, for the verdict's headline: "Patient Name changed: DOE^JANE → DOE^JOHN",
 * "Private element (0009,1001) removed", with how many other differences there are.
 */
export function headline(report: CompareReport): string | undefined {
  if (report.verdict !== 'datasets-differ' && report.verdict !== 'identical-datasets') return undefined;
  const changes = report.changes as ChangesByKind;
  const first =
    changes['value-changed']?.[0] ??
    changes['element-added']?.[0] ??
    changes['element-removed']?.[0] ??
    changes['vr-changed']?.[0] ??
    Object.values(changes).flat()[0];
  const total = report.changeCount + (report.regions?.meta.differences.length ?? 0);
  const more = (shown: number) => (total > shown ? ` (and ${total - shown} more difference${total - shown === 1 ? '' : 's'})` : '');
  if (!first) {
    const meta = report.regions?.meta.differences[0];
    return meta ? `Only the file meta differs: ${elementName(meta.keyword, meta.path)} ${meta.description}${more(1)}` : undefined;
  }
  const name = elementName(first.keyword, first.path);
  switch (first.kind) {
    case 'value-changed':
      return first.a?.value !== undefined && first.b?.value !== undefined
        ? `${name} changed: ${first.a.value || '(empty)'} → ${first.b.value || '(empty)'}${more(1)}`
        : `${name} changed: ${first.description}${more(1)}`;
    case 'element-added':
      return `${name} added in B${more(1)}`;
    case 'element-removed':
      return `${name} removed in B${more(1)}`;
    default:
      return `${CHANGE_KIND_LABELS[first.kind]}: ${name}, ${first.description}${more(1)}`;
  }
}

/** "PatientName" → "Patient Name (0010,0010)"; a tag without a keyword keeps its path. */
function elementName(keyword: string | undefined, path: string): string {
  if (!keyword) return `Element ${path}`;
  return `${keyword.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')} ${path}`;
}

/** Every difference of the report, grouped by kind in a fixed order; empty groups left out. */
export function groupDifferences(report: CompareReport): DifferenceGroup[] {
  const byGroup = new Map<DifferenceGroupKey, Difference[]>();
  for (const difference of collect(report)) {
    const list = byGroup.get(difference.group) ?? [];
    list.push(difference);
    byGroup.set(difference.group, list);
  }
  return GROUP_ORDER.filter((key) => byGroup.has(key)).map((key) => ({ key, label: GROUP_LABELS[key], items: byGroup.get(key)! }));
}

/** The differences in file order (by their offset in A, then in B), for next/previous. */
export function differencesInFileOrder(groups: DifferenceGroup[]): Difference[] {
  const all = groups.flatMap((group) => group.items);
  const key = (d: Difference) => d.offsetA ?? d.offsetB ?? Number.MAX_SAFE_INTEGER;
  return all
    .filter((d) => d.offsetA !== undefined || d.offsetB !== undefined)
    .sort((x, y) => key(x) - key(y) || (x.offsetB ?? 0) - (y.offsetB ?? 0));
}

function collect(report: CompareReport): Difference[] {
  const found: Difference[] = [];
  const regions = report.regions;
  if (regions && !regions.preamble.equal) {
    found.push({
      id: 'preamble:0',
      group: 'preamble',
      path: 'preamble',
      keyword: undefined,
      vrA: undefined,
      vrB: undefined,
      offsetA: regions.preamble.a.present ? 0 : undefined,
      offsetB: regions.preamble.b.present ? 0 : undefined,
      presentA: regions.preamble.a.present,
      presentB: regions.preamble.b.present,
      rangeA: regions.preamble.a.present ? [0, 128] : undefined,
      rangeB: regions.preamble.b.present ? [0, 128] : undefined,
      description: describePreambles(regions.preamble.a, regions.preamble.b),
    });
  }
  regions?.meta.differences.forEach((meta, index) => {
    found.push({
      id: `meta:${index}`,
      group: 'meta',
      path: meta.path,
      keyword: meta.keyword,
      vrA: meta.a?.vr,
      vrB: meta.b?.vr,
      offsetA: meta.a?.offset,
      offsetB: meta.b?.offset,
      presentA: meta.a !== undefined,
      presentB: meta.b !== undefined,
      rangeA: meta.a ? [meta.a.offset, meta.a.valueOffset + meta.a.valueLength] : undefined,
      rangeB: meta.b ? [meta.b.offset, meta.b.valueOffset + meta.b.valueLength] : undefined,
      description: meta.description,
    });
  });
  const inflatedA = regions?.dataset.a.offsetSpace === 'inflated';
  const inflatedB = regions?.dataset.b.offsetSpace === 'inflated';
  for (const kind of Object.keys(CHANGE_KIND_LABELS) as ChangeKind[]) {
    (report.changes as ChangesByKind)[kind]?.forEach((change, index) => {
      // A deflated dataset's offsets count inflated bytes: they are not places in the file.
      const isDatasetOffset = (offset: number | undefined, side: 'a' | 'b') =>
        offset !== undefined && regions !== undefined && offset >= regions.dataset[side].offset;
      const usable = (offset: number | undefined, side: 'a' | 'b') =>
        offset !== undefined &&
        !((side === 'a' ? inflatedA : inflatedB) && kind !== 'transfer-syntax-changed' && isDatasetOffset(offset, side))
          ? offset
          : undefined;
      let offsetA = usable(change.a?.offset ?? change.missingAt?.a, 'a');
      let offsetB = usable(change.b?.offset ?? change.missingAt?.b, 'b');
      if (kind === 'bytes-changed' && offsetA === undefined && offsetB === undefined && report.firstDatasetDifference) {
        offsetA = report.firstDatasetDifference.a.offset;
        offsetB = report.firstDatasetDifference.b.offset;
      }
      found.push({
        id: `${kind}:${index}`,
        group: kind,
        path: change.path,
        keyword: change.keyword,
        vrA: change.a?.vr,
        vrB: change.b?.vr,
        offsetA,
        offsetB,
        presentA: change.a !== undefined,
        presentB: change.b !== undefined,
        rangeA: change.a && offsetA !== undefined ? [change.a.offset, Math.max(change.a.endOffset, change.a.offset + 1)] : undefined,
        rangeB: change.b && offsetB !== undefined ? [change.b.offset, Math.max(change.b.endOffset, change.b.offset + 1)] : undefined,
        description: change.description,
      });
    });
  }
  return found;
}

function describePreambles(a: { present: boolean; allZero: boolean }, b: { present: boolean; allZero: boolean }): string {
  const describe = (side: { present: boolean; allZero: boolean }) => (!side.present ? 'none' : side.allZero ? 'all zero' : 'not all zero');
  return `A: ${describe(a)}, B: ${describe(b)}`;
}
