// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { InstanceSummary, SeriesSummary, StorageUsage, StudyRecord } from '../../../../src-main/api/contract.ts';
import StudiesView from '../../../../src-renderer/src/views/StudiesView.svelte';
import { installTestBridge, type ViewTestBridge } from './view-test-bridge.ts';

const STUDY: StudyRecord = {
  studyInstanceUid: '1.2.3.1',
  patientName: 'ROE^RICHARD',
  patientId: 'MR-77',
  patientBirthDate: null,
  patientSex: null,
  accessionNumber: 'ACC-1',
  studyDate: '20260301',
  studyDescription: 'MR knee left',
  modalities: 'MR',
  seriesCount: 1,
  instanceCount: 2,
  bytes: 2_000_000,
  firstReceivedAt: '2026-03-01T10:00:00Z',
  lastReceivedAt: '2026-03-01T10:01:00Z',
  callingAes: ['MR_SUITE'],
};
const SERIES: SeriesSummary[] = [
  {
    studyInstanceUid: '1.2.3.1',
    seriesInstanceUid: '1.2.3.1.1',
    seriesNumber: 1,
    seriesDescription: 'PD sag',
    modality: 'MR',
    instanceCount: 2,
    bytes: 2_000_000,
    lastReceivedAt: '2026-03-01T10:01:00Z',
    thumbnailInstanceId: 7,
  },
];
const instance = (id: number, n: number): InstanceSummary => ({
  instanceId: id,
  sopInstanceUid: `1.2.3.1.1.${n}`,
  sopClassUid: '1.2.840.10008.5.1.4.1.1.4',
  sopClassName: 'MR Image Storage',
  version: 1,
  transferSyntaxUid: '1.2.840.10008.1.2.1',
  studyInstanceUid: '1.2.3.1',
  seriesInstanceUid: '1.2.3.1.1',
  seriesNumber: 1,
  instanceNumber: n,
  modality: 'MR',
  callingAe: 'MR_SUITE',
  bytes: 1_000_000,
  receivedAt: '2026-03-01T10:00:00Z',
  duplicateCount: 0,
  encodingNote: null,
});
const USAGE: StorageUsage = { storage: '/data', studies: 1, instances: 2, bytes: 2_000_000, diskFreeBytes: 5e9, diskTotalBytes: 1e10 };

afterEach(() => cleanup());

function bridgeWithOneStudy(): ViewTestBridge {
  return installTestBridge()
    .answer('searchStudies', [STUDY])
    .answer('storageUsage', USAGE)
    .answer('listSeries', SERIES)
    .answer('listInstances', [instance(6, 1), instance(7, 2)])
    .answer('renderFrame', { ok: false, reason: 'the dataset is deflated, which the viewer does not inflate' });
}

async function openTheStudy(): Promise<HTMLElement> {
  await fireEvent.click(await screen.findByRole('button', { name: 'ROE, RICHARD' }));
  return screen.findByRole('region', { name: /ROE, RICHARD/ });
}

describe('StudiesView', () => {
  it('searches with only the fields filled in, as plain data a bridge can clone', async () => {
    const bridge = bridgeWithOneStudy();
    render(StudiesView, { active: true });
    await screen.findByRole('table', { name: 'Studies found' });
    await fireEvent.input(screen.getByLabelText('Patient name or ID'), { target: { value: ' roe ' } });
    await fireEvent.input(screen.getByLabelText('Modality'), { target: { value: 'MR' } });
    await fireEvent.submit(screen.getByRole('form', { name: 'Search studies' }));
    await waitFor(() => expect(bridge.argsOf('searchStudies').at(-1)).toEqual({ patient: 'roe', modality: 'MR' }));
    for (const args of bridge.argsOf('searchStudies')) expect(() => structuredClone(args)).not.toThrow();
    expect(screen.getByLabelText('Disk usage').textContent).toMatch(/1 study, 2 instances, 2\.00 MB stored · 5\.00 GB free/);
  });

  it('shows the answer to the latest search even when the search made on opening answers after it', async () => {
    const JPEG: StudyRecord = { ...STUDY, studyInstanceUid: '1.2.3.2', patientName: 'JPEG^JOE', patientId: 'XA-5' };
    let answerOpening: (studies: StudyRecord[]) => void = () => undefined;
    const bridge = bridgeWithOneStudy().answer('searchStudies', (args) =>
      args.patient === 'jpeg' ? [JPEG] : new Promise<StudyRecord[]>((resolve) => (answerOpening = resolve)),
    );
    render(StudiesView, { active: true });
    await waitFor(() => expect(bridge.argsOf('searchStudies')).toHaveLength(1));
    await fireEvent.input(screen.getByLabelText('Patient name or ID'), { target: { value: 'jpeg' } });
    expect((screen.getByRole('button', { name: 'Search' }) as HTMLButtonElement).disabled).toBe(false);
    await fireEvent.submit(screen.getByRole('form', { name: 'Search studies' }));
    await screen.findByRole('button', { name: 'JPEG, JOE' });
    answerOpening([STUDY, JPEG]);
    await waitFor(() => expect(screen.getByText(/\bfound$/).textContent).toBe('1 study found'));
    expect(screen.queryByRole('button', { name: 'ROE, RICHARD' })).toBeNull();
  });

  it('opens a study to its series (thumbnail or why not) and the instances of the series', async () => {
    bridgeWithOneStudy();
    render(StudiesView, { active: true });
    const detail = await openTheStudy();
    expect((await within(detail).findByText('No preview')).title).toBe('the dataset is deflated, which the viewer does not inflate');
    const rows = within(within(detail).getByRole('table', { name: 'Instances of the series' })).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(within(detail).getByRole('button', { name: 'View image of instance 2' })).toBeTruthy();
  });

  it("asks for a closed study's thumbnails no more: the next study's are asked as soon as a render is free", async () => {
    const KNEE_SERIES = [1, 2, 3, 4, 5, 6].map((n) => ({
      ...SERIES[0]!,
      seriesInstanceUid: `1.2.3.1.${n}`,
      seriesNumber: n,
      thumbnailInstanceId: 100 + n,
    }));
    const OTHER: StudyRecord = { ...STUDY, studyInstanceUid: '1.2.3.9', patientName: 'DOE^JANE', patientId: 'CT-9' };
    const OTHER_SERIES = [{ ...SERIES[0]!, studyInstanceUid: '1.2.3.9', seriesInstanceUid: '1.2.3.9.1', thumbnailInstanceId: 900 }];
    const unanswered: Array<() => void> = [];
    const bridge = bridgeWithOneStudy()
      .answer('searchStudies', [STUDY, OTHER])
      .answer('listSeries', (args) => (args.studyInstanceUid === OTHER.studyInstanceUid ? OTHER_SERIES : KNEE_SERIES))
      .answer('renderFrame', () => new Promise((resolve) => unanswered.push(() => resolve({ ok: false, reason: 'compressed' }))));
    const asked = () => bridge.argsOf('renderFrame').map((args) => (args as { instanceId: number }).instanceId);
    render(StudiesView, { active: true });
    await openTheStudy();
    await waitFor(() => expect(asked()).toEqual([101, 102]));
    await fireEvent.click(screen.getByRole('button', { name: 'DOE, JANE' }));
    await screen.findByRole('region', { name: /DOE, JANE/ });
    for (const answer of unanswered.splice(0)) answer();
    await waitFor(() => expect(asked()).toEqual([101, 102, 900]));
  });

  it('deletes only after confirmation: Cancel is focused, Esc cancels, Delete study calls the engine once', async () => {
    const bridge = bridgeWithOneStudy().answer('deleteStudy', { studyInstanceUid: '1.2.3.1', instances: 2, bytes: 2_000_000, jobs: 1 });
    render(StudiesView, { active: true });
    const detail = await openTheStudy();
    await fireEvent.click(within(detail).getByRole('button', { name: 'Delete study…' }));
    const confirm = await screen.findByRole('alertdialog', { name: 'Delete this study?' });
    expect(confirm.textContent).toMatch(/2 instances \(2\.00 MB\) are removed/);
    await waitFor(() => expect(document.activeElement?.textContent).toBe('Cancel'));
    await fireEvent.keyDown(confirm, { key: 'Escape' });
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(bridge.argsOf('deleteStudy')).toEqual([]);

    await fireEvent.click(within(detail).getByRole('button', { name: 'Delete study…' }));
    await fireEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Delete study' }));
    await waitFor(() => expect(bridge.argsOf('deleteStudy')).toEqual([{ studyInstanceUid: '1.2.3.1' }]));
    expect(await screen.findByText(/Deleted the study of ROE, RICHARD: 2 instances, 2\.00 MB, 1 queue job\./)).toBeTruthy();
  });

  it('shows the engine’s refusal to delete a study being sent, and keeps it', async () => {
    bridgeWithOneStudy().fail('deleteStudy', {
      message: 'This study is being sent to a destination right now.',
      detail: 'deleteStudy: study 1.2.3.1 is being forwarded now',
    });
    render(StudiesView, { active: true });
    const detail = await openTheStudy();
    await fireEvent.click(within(detail).getByRole('button', { name: 'Delete study…' }));
    await fireEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Delete study' }));
    expect(await screen.findByText('This study is being sent to a destination right now.')).toBeTruthy();
    expect(screen.getByRole('region', { name: /ROE, RICHARD/ })).toBeTruthy();
  });
});
