// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { ByteRangeView, DigestChain, FileRef, InstanceSummary } from '../../../../src-main/api/contract.ts';
import type { CompareReport } from '../../../../src-main/api/types/compare-report.ts';
import InspectorView from '../../../../src-renderer/src/views/InspectorView.svelte';
import { instanceFocus } from '../../../../src-renderer/src/lib/instance-focus.svelte.ts';
import { forgetFocusedInstance } from '../fixtures.ts';
import { changesByKind, elementSpan } from './compare-report-fixtures.ts';
import { installTestBridge, type ViewTestBridge } from './view-test-bridge.ts';

const SOP = '1.2.826.0.1.3680043.8.498.4711';

function instance(instanceId: number, version: number): InstanceSummary {
  return {
    instanceId,
    sopInstanceUid: SOP,
    sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
    sopClassName: 'CT Image Storage',
    version,
    transferSyntaxUid: '1.2.840.10008.1.2.1',
    studyInstanceUid: '1.2.3',
    seriesInstanceUid: '1.2.3.4',
    seriesNumber: 1,
    instanceNumber: 7,
    modality: 'CT',
    callingAe: 'CT1',
    bytes: 4000,
    receivedAt: '2024-05-01T10:00:00.000Z',
    duplicateCount: 0,
    encodingNote: null,
  };
}

/** B's dataset starts 30 bytes later than A's (a longer meta group); the elements line up from there. */
const DIFFERING: CompareReport = {
  verdict: 'datasets-differ',
  summary: 'The datasets differ: 3 changes (2 value changed, 1 element removed).',
  files: {
    a: { path: '/store/v1.dcm', size: 4000, sha256: 'a'.repeat(64) },
    b: { path: '/store/v2.dcm', size: 4030, sha256: 'b'.repeat(64) },
  },
  regions: {
    preamble: { a: { present: true, allZero: true }, b: { present: true, allZero: true }, equal: true },
    prefix: { a: true, b: true },
    meta: {
      a: { offset: 132, length: 208, elementCount: 6 },
      b: { offset: 132, length: 238, elementCount: 6 },
      equal: false,
      differences: [
        {
          kind: 'value-changed',
          path: '(0002,0013)',
          keyword: 'ImplementationVersionName',
          a: { vr: 'SH', offset: 300, valueOffset: 308, valueLength: 16, value: '"OTHER"' },
          b: { vr: 'SH', offset: 300, valueOffset: 308, valueLength: 16, value: '"DICOMGATEWAY_01"' },
          description: '"OTHER" → "DICOMGATEWAY_01"',
        },
      ],
    },
    dataset: {
      a: {
        offset: 340,
        length: 3660,
        transferSyntaxUid: '1.2.840.10008.1.2.1',
        transferSyntax: 'Explicit VR Little Endian',
        offsetSpace: 'file',
      },
      b: {
        offset: 370,
        length: 3660,
        transferSyntaxUid: '1.2.840.10008.1.2.1',
        transferSyntax: 'Explicit VR Little Endian',
        offsetSpace: 'file',
      },
      bytesEqual: false,
      walked: true,
    },
  },
  transferSyntax: { a: '1.2.840.10008.1.2.1', b: '1.2.840.10008.1.2.1', changed: false },
  changes: changesByKind({
    'value-changed': [
      {
        kind: 'value-changed',
        path: '(0010,0010)',
        keyword: 'PatientName',
        a: elementSpan(1000, 'PN'),
        b: elementSpan(1030, 'PN'),
        description: '"DOE^JOHN" → "DOE^JANE"',
      },
      {
        kind: 'value-changed',
        path: '(0020,0013)',
        keyword: 'InstanceNumber',
        a: elementSpan(2100, 'IS', 2),
        b: elementSpan(2130, 'IS', 2),
        description: '"7" → "8"',
      },
    ],
    'element-removed': [
      {
        kind: 'element-removed',
        path: '(0009,1001)',
        a: elementSpan(1500, 'LO'),
        missingAt: { b: 1530 },
        description: 'only in A: "PRIVATE"',
      },
    ],
  }),
  changeCount: 3,
  firstDifference: { a: { offset: 308, atEnd: false }, b: { offset: 308, atEnd: false } },
};

/** A: byte i is i mod 256. B: the same bytes 30 later, except B's PatientName value (1038..1041) reads 0xEE. */
function byteOf(file: FileRef, offset: number): number {
  const isB = 'instanceId' in file ? file.instanceId === 2 : file.path.includes('b');
  if (!isB) return offset & 0xff;
  if (offset >= 1038 && offset < 1042) return 0xee;
  return (offset - 30) & 0xff;
}

function byteRange({ file, offset, length }: { file: FileRef; offset: number; length: number }): ByteRangeView {
  const size = 4000;
  const start = Math.min(offset, size);
  const end = Math.min(offset + length, size);
  let hex = '';
  for (let i = start; i < end; i++) hex += byteOf(file, i).toString(16).padStart(2, '0');
  return {
    offset: start,
    hex,
    fileSize: size,
    spans: [{ start, end, region: 'dataset', part: 'value', path: '(0010,0010)', keyword: 'PatientName', vr: 'PN' }],
  };
}

const CHAIN: DigestChain = {
  instanceId: 1,
  sopInstanceUid: SOP,
  received: 'c0ffee'.padEnd(64, '1'),
  stored: { sha256: 'c0ffee'.padEnd(64, '1'), verdict: 'identical' },
  sent: [
    {
      destination: 'PACS',
      sha256: 'c0ffee'.padEnd(64, '1'),
      sentAt: '2024-05-01T10:01:00.000Z',
      verdict: 'identical',
      state: 'sent',
      reason: null,
    },
    {
      destination: 'ARCHIVE',
      sha256: 'deadbeef'.padEnd(64, '2'),
      sentAt: '2024-05-01T10:02:00.000Z',
      verdict: 'changed',
      state: 'sent',
      reason: null,
    },
    { destination: 'BACKUP', sha256: null, sentAt: null, verdict: 'missing', state: 'retry-wait', reason: 'cannot connect: ECONNREFUSED' },
    {
      destination: 'CONVERTING',
      sha256: 'feedface'.padEnd(64, '3'),
      sentAt: '2024-05-01T10:03:00.000Z',
      verdict: 'changed',
      state: 'sent',
      reason: null,
      transcoded: 'transcoded: JPEG Baseline (Process 1) (1.2.840.10008.1.2.4.50) -> Implicit VR Little Endian (1.2.840.10008.1.2)',
    },
    {
      destination: 'STRICT',
      sha256: null,
      sentAt: null,
      verdict: 'missing',
      state: 'dead',
      reason: 'STRICT answered 0x0122 (SOP class not supported)',
    },
  ],
};

afterEach(() => cleanup());

function inspectorBridge(report: CompareReport = DIFFERING): ViewTestBridge {
  return installTestBridge()
    .answer('listStudies', [])
    .answer('listInstances', ({ sopInstanceUid }) => (sopInstanceUid === SOP ? [instance(1, 1), instance(2, 2)] : []))
    .answer('compareFiles', report)
    .answer('readByteRange', byteRange)
    .answer('digestChain', ({ instanceId }) => ({ ...CHAIN, instanceId }));
}

/** Finds both stored versions of the SOP instance and compares version 1 (A) with version 2 (B). */
/**
 * Finds the instance's versions by SOP Instance UID, takes version 1 as A and, unless B was chosen
 * otherwise (`versionAsB: false`), version 2 as B, and presses Compare.
 */
async function startComparison({ versionAsB = true } = {}): Promise<void> {
  await fireEvent.change(screen.getByLabelText('Search by'), { target: { value: 'sop' } });
  await fireEvent.input(screen.getByLabelText('UID to find'), { target: { value: SOP } });
  await fireEvent.click(screen.getByRole('button', { name: 'Find' }));
  await fireEvent.click(await screen.findByRole('button', { name: `Use ${SOP} version 1 as A` }));
  if (versionAsB) await fireEvent.click(screen.getByRole('button', { name: `Use ${SOP} version 2 as B` }));
  await fireEvent.click(screen.getByRole('button', { name: 'Compare A with B' }));
}

/** Compares versions 1 and 2 of the instance (DIFFERING unless the bridge answers otherwise). */
async function compareTwoVersions(): Promise<void> {
  await startComparison();
  await screen.findByRole('heading', { level: 2, name: 'Datasets differ' });
}

function readsOf(bridge: ViewTestBridge): { file: FileRef; offset: number; length: number }[] {
  return bridge.argsOf('readByteRange') as { file: FileRef; offset: number; length: number }[];
}

/** The offsets of the last page read for A and for B: where each hex pane now starts. */
function lastPageOffsets(bridge: ViewTestBridge): number[] {
  return readsOf(bridge)
    .slice(-2)
    .map((r) => r.offset);
}

function byteCell(sideName: 'A' | 'B', offset: number): HTMLElement {
  const cell = document.querySelector(`[data-side="${sideName}"] [data-offset="${offset}"]`);
  if (!cell) throw new Error(`byte ${offset} of ${sideName} is not shown`);
  return cell as HTMLElement;
}

describe('InspectorView', () => {
  it('compares two stored versions and shows the verdict before anything else', async () => {
    const bridge = inspectorBridge();
    render(InspectorView, { active: true });
    await compareTwoVersions();
    expect(bridge.argsOf('listInstances')).toContainEqual({ sopInstanceUid: SOP });
    expect(bridge.argsOf('compareFiles')).toEqual([{ a: { instanceId: 1 }, b: { instanceId: 2 } }]);
    const verdict = screen.getByRole('heading', { level: 2, name: 'Datasets differ' });
    const differences = screen.getByRole('heading', { level: 2, name: '4 differences' });
    const hex = screen.getByRole('heading', { level: 2, name: 'Bytes' });
    // Document order: the verdict precedes the list, which precedes the bytes.
    expect(verdict.compareDocumentPosition(differences) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(differences.compareDocumentPosition(hex) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(screen.getByText(DIFFERING.summary)).toBeTruthy();
  });

  it.each([
    ['identical-files', 'The files are identical: same size and SHA-256.', 'Identical files'],
    [
      'identical-datasets',
      'The datasets are identical byte for byte; the files differ in the meta group (1 element).',
      'Same dataset, different file meta',
    ],
    [
      'not-comparable',
      'Not comparable: /tmp/b.txt is not a DICOM file (no DICM prefix)',
      'Cannot compare: /tmp/b.txt is not a DICOM file (no DICM prefix)',
    ],
  ] as const)('words the %s verdict plainly', async (verdict, summary, words) => {
    inspectorBridge({ ...DIFFERING, verdict, summary, changes: changesByKind({}), changeCount: 0 });
    render(InspectorView, { active: true });
    await startComparison();
    expect(await screen.findByRole('heading', { level: 2, name: words })).toBeTruthy();
  });

  it('headlines the change in words and groups the differences by kind, the dataset first, each with path, VR and offsets', async () => {
    inspectorBridge();
    render(InspectorView, { active: true });
    await compareTwoVersions();
    const groups = screen.getAllByRole('button', { expanded: true }).map((button) => button.textContent?.replace(/\s+/g, ' ').trim());
    // The dataset's differences first and open; the file meta's folded below them.
    expect(groups).toEqual(['▾ Value changed 2', '▾ Element removed 1']);
    expect(screen.getByRole('button', { name: /File meta group/ }).getAttribute('aria-expanded')).toBe('false');
    // The verdict headlines the change in words.
    expect(document.querySelector('.verdict-headline')!.textContent).toMatch(/^Patient Name \(0010,0010\) changed: /);
    const patientName = screen.getByText('(0010,0010)').closest('button')!;
    expect(within(patientName).getByText('PatientName')).toBeTruthy();
    expect(within(patientName).getByText('PN')).toBeTruthy();
    expect(within(patientName).getByText('A 1000 · B 1030')).toBeTruthy();
    const removed = screen.getByText('(0009,1001)').closest('button')!;
    expect(within(removed).getByText('A 1500 · B (1530)')).toBeTruthy();

    await fireEvent.click(screen.getByRole('button', { name: /Value changed/ }));
    expect(screen.queryByText('(0010,0010)')).toBeNull();
    expect(screen.getByRole('button', { name: /Value changed/ }).getAttribute('aria-expanded')).toBe('false');
  });

  it('opens the hex view at the first difference, and at a difference when it is clicked, with both sides aligned on it', async () => {
    const bridge = inspectorBridge();
    render(InspectorView, { active: true });
    await compareTwoVersions();
    // First difference in file order: the meta element at 300 in both files.
    await waitFor(() => expect(readsOf(bridge)).toContainEqual({ file: { instanceId: 1 }, offset: 288, length: 512 }));
    expect(readsOf(bridge)).toContainEqual({ file: { instanceId: 2 }, offset: 288, length: 512 });

    await fireEvent.click(screen.getByText('(0010,0010)').closest('button')!);
    await waitFor(() =>
      expect(readsOf(bridge).slice(-2)).toEqual([
        { file: { instanceId: 1 }, offset: 992, length: 512 },
        { file: { instanceId: 2 }, offset: 1022, length: 512 },
      ]),
    );
    // Both PatientName elements sit in the same column; B's changed value bytes are marked as differing.
    await waitFor(() => expect(byteCell('A', 1000).className).toContain('marked'));
    expect(byteCell('B', 1030).className).toContain('marked');
    for (const offset of [1008, 1009, 1010, 1011]) expect(byteCell('A', offset).className).toContain('differs');
    expect(byteCell('A', 1012).className).not.toContain('differs');
    expect(byteCell('B', 1038).className).toContain('differs');
    expect(byteCell('A', 1008).title).toBe('byte 1008 (0x3f0): (0010,0010) PatientName · PN · value');
  });

  it('goes to the next and previous difference in file order', async () => {
    const bridge = inspectorBridge();
    render(InspectorView, { active: true });
    await compareTwoVersions();
    const next = screen.getByRole('button', { name: 'Next difference' });
    const previous = screen.getByRole('button', { name: 'Previous' });
    expect(screen.getByText('1 of 4')).toBeTruthy();
    expect((previous as HTMLButtonElement).disabled).toBe(true);

    await fireEvent.click(next);
    expect(screen.getByText('2 of 4')).toBeTruthy();
    await fireEvent.click(next);
    await waitFor(() => expect(readsOf(bridge).at(-2)).toEqual({ file: { instanceId: 1 }, offset: 1488, length: 512 }));
    expect(readsOf(bridge).at(-1)).toEqual({ file: { instanceId: 2 }, offset: 1518, length: 512 });
    expect(screen.getByText('(0009,1001)').closest('button')!.getAttribute('aria-current')).toBe('true');
    await fireEvent.click(next);
    expect(screen.getByText('4 of 4')).toBeTruthy();
    expect((next as HTMLButtonElement).disabled).toBe(true);

    await fireEvent.click(previous);
    await fireEvent.click(previous);
    expect(screen.getByText('2 of 4')).toBeTruthy();
    await waitFor(() => expect(readsOf(bridge).at(-2)).toEqual({ file: { instanceId: 1 }, offset: 992, length: 512 }));
    await fireEvent.click(screen.getByRole('button', { name: 'First difference' }));
    expect(screen.getByText('1 of 4')).toBeTruthy();
  });

  it('keeps the same element in the same row of both panes after a value grew, even for an element only B has and no place given in A', async () => {
    // PatientName is 4 bytes longer in B; everything after it is 4 bytes later in B.
    const grown: CompareReport = {
      ...DIFFERING,
      regions: undefined,
      changes: changesByKind({
        'value-changed': [
          {
            kind: 'value-changed',
            path: '(0010,0010)',
            keyword: 'PatientName',
            a: elementSpan(1000, 'PN', 8),
            b: elementSpan(1000, 'PN', 12),
            description: '',
          },
          {
            kind: 'value-changed',
            path: '(0020,0013)',
            keyword: 'InstanceNumber',
            a: elementSpan(1300, 'IS', 2),
            b: elementSpan(1304, 'IS', 2),
            description: '',
          },
        ],
        'element-added': [{ kind: 'element-added', path: '(0009,1002)', b: elementSpan(1204, 'LO'), description: 'only in B' }],
      }),
      changeCount: 3,
    };
    const bridge = inspectorBridge(grown);
    render(InspectorView, { active: true });
    await compareTwoVersions();
    const next = screen.getByRole('button', { name: 'Next difference' });
    const shown = () => lastPageOffsets(bridge);
    await waitFor(() => expect(shown()).toEqual([992, 992]));
    // The added element (B 1204) would be at A 1200: A's row starts at 1200, B's at 1204.
    await fireEvent.click(next);
    await waitFor(() => expect(shown()).toEqual([1200, 1204]));
    await fireEvent.click(next);
    await waitFor(() => expect(shown()).toEqual([1296, 1300]));
  });

  it('opens a compared stored instance in the Instance view, A or B', async () => {
    inspectorBridge();
    forgetFocusedInstance();
    render(InspectorView, { active: true });
    await compareTwoVersions();
    await fireEvent.click(screen.getByRole('button', { name: 'Open B in the Instance view' }));
    expect(instanceFocus.current).toEqual({ instanceId: 2, label: 'CT Image Storage · series 1 · instance 7' });
    await fireEvent.click(screen.getByRole('button', { name: 'Open A in the Instance view' }));
    expect(instanceFocus.current?.instanceId).toBe(1);
  });

  it('turns the page on both sides with PageDown and PageUp', async () => {
    const bridge = inspectorBridge();
    render(InspectorView, { active: true });
    await compareTwoVersions();
    const grid = screen.getByRole('region', { name: /Hex view of A and B/ });
    await waitFor(() => expect(readsOf(bridge).at(-1)?.offset).toBe(288));
    await fireEvent.keyDown(grid, { key: 'PageDown' });
    await waitFor(() => expect(lastPageOffsets(bridge)).toEqual([800, 800]));
    await fireEvent.keyDown(grid, { key: 'PageUp' });
    await fireEvent.keyDown(grid, { key: 'PageUp' });
    await waitFor(() => expect(lastPageOffsets(bridge)).toEqual([0, 0]));
  });

  it('shows the digest chain of a stored instance with a verdict per hop, a transcoded hop as such, why a hop is not sent, and the full SHA-256 on hover', async () => {
    const bridge = inspectorBridge();
    render(InspectorView, { active: true });
    await compareTwoVersions();
    const chain = (await screen.findByRole('heading', { name: 'Digest chain of A' })).closest('section')!;
    await within(chain).findByText('Received');
    const verdictOf = (label: string) => within(chain).getByText(label).closest('li')!.querySelector('[data-verdict]')!.textContent;
    expect(verdictOf('Stored on disk')).toBe('✓ identical');
    expect(verdictOf('Sent to PACS')).toBe('✓ identical');
    expect(verdictOf('Sent to ARCHIVE')).toBe('✗ changed');
    // Converted on purpose for a destination that allows it: said as such, with both syntaxes.
    expect(verdictOf('Sent to CONVERTING')).toBe('bytes changed (transcoded)');
    expect(within(chain).getByText('Sent to CONVERTING').closest('li')!.textContent).toContain(
      'transcoded: JPEG Baseline (Process 1) (1.2.840.10008.1.2.4.50) -> Implicit VR Little Endian (1.2.840.10008.1.2)',
    );
    expect(verdictOf('Sent to BACKUP')).toBe('– missing');
    expect(within(chain).getByText('Sent to BACKUP').closest('li')!.textContent).toContain(
      'not sent yet: waiting to retry after “cannot connect: ECONNREFUSED”',
    );
    // A dead-lettered destination is not "not sent yet": it will not be, and the reason says why.
    expect(verdictOf('Sent to STRICT')).toBe('✗ will not be sent');
    expect(within(chain).getByText('Sent to STRICT').closest('li')!.textContent).toContain(
      'will not be sent: STRICT answered 0x0122 (SOP class not supported)',
    );
    const archiveSha = within(chain).getByText('Sent to ARCHIVE').closest('li')!.querySelector('code')!;
    expect(archiveSha.textContent).toBe('deadbeef22222222…');
    expect(archiveSha.title).toBe('deadbeef'.padEnd(64, '2'));
    expect(bridge.argsOf('digestChain')).toEqual([{ instanceId: 1 }, { instanceId: 2 }]);
  });

  it('compares with a file chosen from disk, through the bridge’s path for it', async () => {
    const bridge = inspectorBridge();
    bridge.droppedPaths = ['/uploads/b-modified.dcm'];
    render(InspectorView, { active: true });
    const input = screen.getByLabelText('Choose file B from disk') as HTMLInputElement;
    const file = new File([new Uint8Array(200)], 'b-modified.dcm');
    Object.defineProperty(input, 'files', { value: [file], configurable: true });
    await fireEvent.change(input);
    expect(await screen.findByText('/uploads/b-modified.dcm')).toBeTruthy();
    await startComparison({ versionAsB: false });
    await screen.findByRole('heading', { level: 2, name: 'Datasets differ' });
    expect(bridge.argsOf('compareFiles')).toEqual([{ a: { instanceId: 1 }, b: { path: '/uploads/b-modified.dcm' } }]);
    // Only the stored side has a digest chain.
    expect(await screen.findByRole('heading', { name: 'Digest chain of A' })).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Digest chain of B' })).toBeNull();
  });

  it('shows a comparison that failed where it happened, with the detail', async () => {
    inspectorBridge().fail('compareFiles', {
      message: 'File B could not be read.',
      detail: "ENOENT: no such file or directory, open '/uploads/gone.dcm'",
    });
    render(InspectorView, { active: true });
    await startComparison();
    expect(await screen.findByText('File B could not be read.')).toBeTruthy();
    expect(screen.getByText(/ENOENT/)).toBeTruthy();
  });
});
