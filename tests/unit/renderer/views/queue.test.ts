// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobAttempt, JobSummary, JobUpdated, QueueCount, StudyAwaitingQuiet } from '../../../../src-main/api/contract.ts';
import QueueView from '../../../../src-renderer/src/views/QueueView.svelte';
import { instanceFocus } from '../../../../src-renderer/src/lib/instance-focus.svelte.ts';
import { forgetFocusedInstance, study } from '../fixtures.ts';
import { installTestBridge } from './view-test-bridge.ts';

/** Job `jobId` of PACS: CT instance 100 + jobId of Jane Doe's study, queued and never tried yet. */
function job(jobId: number, change: Partial<JobSummary> = {}): JobSummary {
  return {
    // What is sent where, and by which rule.
    jobId,
    instanceId: 100 + jobId,
    studyInstanceUid: '1.2.3',
    destination: 'PACS',
    rule: 'ct-to-pacs',
    subject: {
      patientName: 'DOE^JANE',
      patientId: 'P-1',
      studyDate: '20240131',
      studyDescription: 'CT Chest',
      modality: 'CT',
      seriesNumber: 2,
      instanceNumber: jobId,
      sopClassName: 'CT Image Storage',
    },
    // Where it stands: no attempt, no delivery, no answer yet.
    state: 'queued',
    updatedAt: '2024-05-01T10:00:00.000Z',
    attempts: 0,
    deliveries: 0,
    lastStatus: null,
    lastError: null,
    nextAttemptAt: null,
    sentTransferSyntaxUid: null,
    ...change,
  };
}

/** A 'job-updated' event for job `jobId` of PACS (its instance 100 + jobId, as job() has it). */
function jobUpdate(jobId: number, change: Partial<JobUpdated> & Pick<JobUpdated, 'state' | 'attempts'>): JobUpdated {
  return {
    jobId,
    instanceId: 100 + jobId,
    sopInstanceUid: `1.2.3.${jobId}`,
    destination: 'PACS',
    error: undefined,
    nextAttemptAt: undefined,
    ...change,
  };
}

const DEAD = job(7, { state: 'dead', attempts: 10, lastError: 'PACS answered 0xA700 (Out of resources)', lastStatus: 0xa700 });
const WAITING = job(8, {
  state: 'retry-wait',
  attempts: 2,
  nextAttemptAt: '2024-05-01T10:05:00.000Z',
  lastError: 'cannot connect: ECONNREFUSED',
});
const QUEUED = job(9, { destination: 'ARCHIVE' });

const COUNTS: QueueCount[] = [
  { destination: 'PACS', state: 'dead', count: 1 },
  { destination: 'PACS', state: 'retry-wait', count: 1 },
  { destination: 'ARCHIVE', state: 'queued', count: 1 },
];

afterEach(() => cleanup());

function bridgeWithJobs(jobs: JobSummary[] = [QUEUED, WAITING, DEAD]) {
  return installTestBridge()
    .answer('listJobs', (args) =>
      jobs.filter((j) => (!args.state || j.state === args.state) && (!args.destination || j.destination === args.destination)),
    )
    .answer('queueCounts', COUNTS)
    .answer('listDestinations', [])
    .answer('studiesAwaitingQuiet', []);
}

function rowOf(jobId: number): HTMLElement {
  const row = document.querySelector(`[data-job-id="${jobId}"]`);
  if (!row) throw new Error(`no row for job ${jobId}`);
  return row as HTMLElement;
}

describe('QueueView', () => {
  it('shows counts per destination and state, and the jobs', async () => {
    const bridge = bridgeWithJobs();
    render(QueueView, { active: true });
    await waitFor(() => expect(document.querySelectorAll('[data-job-id]')).toHaveLength(3));
    const counts = screen.getByRole('table', { name: 'Jobs per destination and state' });
    const pacs = within(counts).getByRole('rowheader', { name: 'PACS' }).closest('tr')!;
    expect(within(pacs).getByRole('button', { name: 'Show 1 dead letter jobs for PACS' })).toBeTruthy();
    expect(within(rowOf(7)).getByText('PACS answered 0xA700 (Out of resources)')).toBeTruthy();
    expect(within(rowOf(7)).getByText('Dead letter')).toBeTruthy();
    expect(bridge.argsOf('listJobs')).toEqual([{ limit: 10_000 }]);
  });

  it('passes the state and destination filters to listJobs, and the dead letter preset', async () => {
    const bridge = bridgeWithJobs();
    render(QueueView, { active: true });
    await waitFor(() => expect(document.querySelectorAll('[data-job-id]')).toHaveLength(3));

    await fireEvent.change(screen.getByLabelText('Destination'), { target: { value: 'PACS' } });
    await waitFor(() => expect(document.querySelectorAll('[data-job-id]')).toHaveLength(2));
    await fireEvent.change(screen.getByLabelText('State'), { target: { value: 'retry-wait' } });
    await waitFor(() => expect(document.querySelectorAll('[data-job-id]')).toHaveLength(1));
    await fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Dead letter' }));
    await waitFor(() => expect(document.querySelectorAll('[data-job-id]')).toHaveLength(1));
    expect(rowOf(7)).toBeTruthy();

    expect(bridge.argsOf('listJobs')).toEqual([
      { limit: 10_000 },
      { limit: 10_000, destination: 'PACS' },
      { limit: 10_000, state: 'retry-wait', destination: 'PACS' },
      { limit: 10_000 },
      { limit: 10_000, state: 'dead' },
    ]);
    expect(screen.getByRole('button', { name: 'Dead letter' }).getAttribute('aria-pressed')).toBe('true');
  });

  it('filters to a destination and state from its count', async () => {
    const bridge = bridgeWithJobs();
    render(QueueView, { active: true });
    await fireEvent.click(await screen.findByRole('button', { name: 'Show 1 waiting to retry jobs for PACS' }));
    await waitFor(() => expect(bridge.argsOf('listJobs').at(-1)).toEqual({ limit: 10_000, state: 'retry-wait', destination: 'PACS' }));
  });

  it('retries a dead job and cancels a waiting one through their commands', async () => {
    const bridge = bridgeWithJobs().answer('retryJob', { retried: true }).answer('cancelJob', { cancelled: true });
    render(QueueView, { active: true });
    await waitFor(() => expect(document.querySelectorAll('[data-job-id]')).toHaveLength(3));
    // Only what the engine allows is offered: a queued job cannot be retried.
    expect((within(rowOf(9)).getByRole('button', { name: 'Retry job 9' }) as HTMLButtonElement).disabled).toBe(true);

    await fireEvent.click(within(rowOf(7)).getByRole('button', { name: 'Retry job 7' }));
    await waitFor(() => expect(within(rowOf(7)).getByText('Queued')).toBeTruthy());
    await fireEvent.click(within(rowOf(8)).getByRole('button', { name: 'Cancel job 8' }));
    await waitFor(() => expect(within(rowOf(8)).getByText('Cancelled')).toBeTruthy());
    expect(bridge.argsOf('retryJob')).toEqual([{ jobId: 7 }]);
    expect(bridge.argsOf('cancelJob')).toEqual([{ jobId: 8 }]);
  });

  it('retries all dead jobs of a destination', async () => {
    const bridge = bridgeWithJobs().answer('retryDead', { retried: 1, permanent: [] });
    render(QueueView, { active: true });
    await fireEvent.click(await screen.findByRole('button', { name: 'Retry all dead for PACS' }));
    await waitFor(() => expect(bridge.argsOf('retryDead')).toEqual([{ destination: 'PACS', evenIfPermanent: false }]));
    expect(await screen.findByText('1 job queued again.')).toBeTruthy();
  });

  it('"Retry all dead" says first when the destination refused jobs for good, and retries them only on "Retry anyway"', async () => {
    const bridge = bridgeWithJobs().answer('retryDead', ({ evenIfPermanent }) =>
      evenIfPermanent
        ? { retried: 1, permanent: [{ reason: 'PACS answered 0x0122 (SOP class not supported)', count: 1 }] }
        : { retried: 0, permanent: [{ reason: 'PACS answered 0x0122 (SOP class not supported)', count: 1 }] },
    );
    render(QueueView, { active: true });
    await fireEvent.click(await screen.findByRole('button', { name: 'Retry all dead for PACS' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Retrying cannot succeed for 1 of the dead jobs for PACS');
    expect(alert.textContent).toContain('1 × PACS answered 0x0122 (SOP class not supported)');
    await fireEvent.click(within(alert).getByRole('button', { name: 'Retry anyway' }));
    await waitFor(() =>
      expect(bridge.argsOf('retryDead')).toEqual([
        { destination: 'PACS', evenIfPermanent: false },
        { destination: 'PACS', evenIfPermanent: true },
      ]),
    );
    expect(await screen.findByText('1 job queued again.')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('"Retry now" sends the waiting jobs of a destination without waiting for their backoff', async () => {
    const bridge = bridgeWithJobs().answer('retryDestinationNow', { retried: 1 });
    render(QueueView, { active: true });
    await fireEvent.click(await screen.findByRole('button', { name: /Retry now: send the waiting jobs for PACS/ }));
    await waitFor(() => expect(bridge.argsOf('retryDestinationNow')).toEqual([{ destination: 'PACS' }]));
    expect(await screen.findByText('1 waiting job for PACS sent now.')).toBeTruthy();
  });

  it('updates a row from a job-updated event, and adds a new job that passes the filters', async () => {
    const bridge = bridgeWithJobs();
    render(QueueView, { active: true });
    await waitFor(() => expect(document.querySelectorAll('[data-job-id]')).toHaveLength(3));
    bridge.emit('job-updated', jobUpdate(8, { state: 'sending', attempts: 3 }));
    bridge.emit('job-updated', jobUpdate(8, { state: 'sent', attempts: 3 }));
    bridge.emit('job-updated', jobUpdate(12, { destination: 'ARCHIVE', state: 'queued', attempts: 0 }));
    await waitFor(() => expect(within(rowOf(8)).getByText('Sent')).toBeTruthy());
    expect(within(rowOf(8)).getByText('3')).toBeTruthy();
    expect(within(rowOf(8)).queryByText('Connection refused')).toBeNull();
    expect(rowOf(12)).toBeTruthy();
    expect(document.querySelectorAll('[data-job-id]')).toHaveLength(4);
  });

  it("says a job's last result in words: the engine's error alone (it names its status), a status without one as its meaning", async () => {
    const sent = job(3, { state: 'sent', attempts: 1, deliveries: 1, lastStatus: 0x0000 });
    const coerced = job(4, { state: 'sent', attempts: 1, deliveries: 1, lastStatus: 0xb007 });
    bridgeWithJobs([sent, coerced, WAITING, DEAD]);
    render(QueueView, { active: true });
    await waitFor(() => expect(document.querySelectorAll('[data-job-id]')).toHaveLength(4));
    expect(within(rowOf(3)).getByText('Success (0x0000)')).toBeTruthy();
    expect(within(rowOf(4)).getByText('Warning: stored with coercion or elements discarded (0xB007)')).toBeTruthy();
    expect(within(rowOf(7)).getByText('PACS answered 0xA700 (Out of resources)')).toBeTruthy();
    expect(within(rowOf(8)).getByText('Connection refused')).toBeTruthy();
    expect(screen.getByRole('columnheader', { name: 'Last result' })).toBeTruthy();
  });

  it("names a connection problem by its cause, what to check and the engine's text behind it, the next attempt under the state", async () => {
    const longAddress = job(10, {
      ...WAITING,
      jobId: 10,
      lastError: 'cannot connect to OFFSITE-BACKUP@offsite-pacs.hospital.example:11112: ECONNREFUSED',
    });
    bridgeWithJobs([longAddress]);
    render(QueueView, { active: true });
    const result = await waitFor(() => within(rowOf(10)).getByText('Connection refused'));
    expect(result.getAttribute('title')).toBe(
      'The destination refused the connection. Check that it is switched on and that the port is right.\n' +
        'cannot connect to OFFSITE-BACKUP@offsite-pacs.hospital.example:11112: ECONNREFUSED',
    );
    const state = within(rowOf(10)).getByText('Waiting to retry').closest('[role="cell"]')!;
    expect(state.textContent).toMatch(/Next \d/);
  });

  it('says "bytes changed (transcoded)" for a job sent as a converted dataset, listed or announced, and nothing for a copy sent as stored', async () => {
    const converted = job(3, { state: 'sent', attempts: 1, deliveries: 1, sentTransferSyntaxUid: '1.2.840.10008.1.2' });
    const asStored = job(4, { state: 'sent', attempts: 1, deliveries: 1 });
    const bridge = bridgeWithJobs([converted, asStored, WAITING]);
    render(QueueView, { active: true });
    await waitFor(() => expect(document.querySelectorAll('[data-job-id]')).toHaveLength(3));
    expect(rowOf(3).textContent).toContain('Bytes changed (transcoded to Implicit VR Little Endian)');
    expect(rowOf(4).textContent).not.toContain('transcoded');
    bridge.emit('job-updated', jobUpdate(8, { state: 'sent', attempts: 3, sentTransferSyntaxUid: '1.2.840.10008.1.2.4.50' }));
    await waitFor(() => expect(rowOf(8).textContent).toContain('Bytes changed (transcoded to JPEG Baseline'));
  });

  it('shows the attempts of a job with times, outcome, status, error and backoff', async () => {
    const attempts: JobAttempt[] = [
      {
        attempt: 1,
        startedAt: '2024-05-01T10:00:00.000Z',
        finishedAt: '2024-05-01T10:00:01.250Z',
        outcome: 'retry',
        status: null,
        error: 'cannot connect: ECONNREFUSED',
        backoffMs: 5000,
      },
      {
        attempt: 2,
        startedAt: '2024-05-01T10:00:06.000Z',
        finishedAt: '2024-05-01T10:00:06.400Z',
        outcome: 'retry',
        status: 0xa700,
        error: 'Out of resources',
        backoffMs: 10_000,
      },
    ];
    const bridge = bridgeWithJobs().answer('jobAttempts', attempts);
    render(QueueView, { active: true });
    await waitFor(() => expect(document.querySelectorAll('[data-job-id]')).toHaveLength(3));
    await fireEvent.click(within(rowOf(8)).getByRole('button', { name: 'Attempts of job 8' }));
    const table = await screen.findByRole('table', { name: 'Attempts of job 8' });
    expect(bridge.argsOf('jobAttempts')).toEqual([{ jobId: 8 }]);
    expect(within(table).getByText('cannot connect: ECONNREFUSED')).toBeTruthy();
    expect(within(table).getByText('0xA700')).toBeTruthy();
    expect(within(table).getByText('1.3 s')).toBeTruthy();
    expect(within(table).getByText('10.0 s')).toBeTruthy();
    expect(within(table).getByText('5.0 s')).toBeTruthy();
  });

  it('keeps the attempts panel working across a retry, also for attempts an older index numbered twice', async () => {
    let attempts: JobAttempt[] = [
      {
        attempt: 1,
        startedAt: '2024-05-01T10:00:00.000Z',
        finishedAt: '2024-05-01T10:00:01.000Z',
        outcome: 'dead',
        status: 0x0122,
        error: 'SOP class refused',
        backoffMs: null,
      },
    ];
    const bridge = bridgeWithJobs()
      .answer('jobAttempts', () => structuredClone(attempts))
      .answer('retryJob', { retried: true });
    render(QueueView, { active: true });
    await waitFor(() => expect(document.querySelectorAll('[data-job-id]')).toHaveLength(3));
    await fireEvent.click(within(rowOf(7)).getByRole('button', { name: 'Attempts of job 7' }));
    await screen.findByRole('table', { name: 'Attempts of job 7' });
    await fireEvent.click(within(rowOf(7)).getByRole('button', { name: 'Retry job 7' }));
    // Before attempts were numbered across retries, the attempt after a retry was number 1 again.
    attempts = [
      ...attempts,
      {
        attempt: 1,
        startedAt: '2024-05-01T11:00:00.000Z',
        finishedAt: '2024-05-01T11:00:01.000Z',
        outcome: 'sent',
        status: 0,
        error: null,
        backoffMs: null,
      },
    ];
    bridge.emit('job-updated', jobUpdate(7, { state: 'sent', attempts: 2 }));
    await waitFor(() => expect(within(screen.getByRole('table', { name: 'Attempts of job 7' })).getAllByRole('row')).toHaveLength(3));
    expect(within(screen.getByRole('table', { name: 'Attempts of job 7' })).getByText('sent')).toBeTruthy();
  });

  it('names whose images each job carries: patient, study, modality and image, also in the attempts panel', async () => {
    bridgeWithJobs().answer('jobAttempts', []);
    render(QueueView, { active: true });
    await waitFor(() => expect(document.querySelectorAll('[data-job-id]')).toHaveLength(3));
    const dead = rowOf(7);
    expect(dead.textContent).toContain('DOE, JANE (P-1)');
    expect(dead.textContent).toContain('CT Chest · CT');
    expect(dead.textContent).toContain('CT Image Storage, series 2, image 7');
    expect(dead.textContent).toContain('PACS answered 0xA700 (Out of resources)');
    await fireEvent.click(within(dead).getByRole('button', { name: 'Attempts of job 7' }));
    const panel = await screen.findByRole('region', { name: /Job 7/ });
    expect(panel.textContent).toContain('DOE, JANE (P-1)');
    expect(panel.textContent).not.toContain('Instance 107');
  });

  it("opens a job's instance in the Instance view from its row; a job whose instance is gone offers nothing to open", async () => {
    bridgeWithJobs([DEAD, job(5, { subject: null })]);
    forgetFocusedInstance();
    render(QueueView, { active: true });
    await waitFor(() => expect(document.querySelectorAll('[data-job-id]')).toHaveLength(2));
    await fireEvent.click(within(rowOf(7)).getByRole('button', { name: 'Open the instance of job 7' }));
    expect(instanceFocus.current).toEqual({ instanceId: 107, label: 'DOE, JANE (P-1) · CT Image Storage, series 2, image 7' });
    expect(within(rowOf(5)).queryByRole('button', { name: 'Open the instance of job 5' })).toBeNull();
  });

  it('by study: one row per study and destination says whether all of it was sent, and why not', async () => {
    const other = { ...job(1).subject!, patientName: 'ROE^RICHARD', patientId: 'P-2', studyDescription: 'MR Knee', modality: 'MR' };
    bridgeWithJobs([
      job(1, { studyInstanceUid: '9.9', destination: 'ARCHIVE', state: 'sent', subject: other }),
      job(2, { studyInstanceUid: '9.9', destination: 'ARCHIVE', state: 'sent', subject: other }),
      job(3, { state: 'sent' }),
      job(4, { state: 'dead', lastError: 'PACS refused: SOP class not supported' }),
    ]);
    render(QueueView, { active: true });
    await waitFor(() => expect(document.querySelectorAll('[data-job-id]')).toHaveLength(4));
    await fireEvent.click(screen.getByRole('button', { name: 'By study' }));
    const table = await screen.findByRole('table', { name: 'Jobs by study' });
    const rows = Array.from(table.querySelectorAll('[data-study-group]'));
    expect(rows).toHaveLength(2);
    const roe = rows.find((r) => r.textContent!.includes('ROE, RICHARD'))!;
    expect(roe.textContent).toContain('ARCHIVE');
    expect(roe.textContent).toContain('All 2 sent');
    const doe = rows.find((r) => r.textContent!.includes('DOE, JANE'))!;
    expect(doe.textContent).toContain('1 of 2 will not be sent');
    expect(doe.textContent).toContain('PACS refused: SOP class not supported');
    await fireEvent.click(within(doe as HTMLElement).getByRole('button', { name: /Show the jobs of DOE, JANE/ }));
    await waitFor(() => expect(document.querySelectorAll('[data-job-id]')).toHaveLength(2));
  });

  it('by study: a study dead for want of a connection reads by its cause, what to check in its tooltip', async () => {
    const error = 'cannot connect to PACS@pacs.hospital.example:104: ECONNREFUSED';
    bridgeWithJobs([job(4, { state: 'dead', lastError: error })]);
    render(QueueView, { active: true });
    await waitFor(() => expect(document.querySelectorAll('[data-job-id]')).toHaveLength(1));
    await fireEvent.click(screen.getByRole('button', { name: 'By study' }));
    const table = await screen.findByRole('table', { name: 'Jobs by study' });
    const reason = within(table).getByText('Connection refused');
    expect(reason.closest('[role="cell"]')!.getAttribute('title')).toBe(
      `The destination refused the connection. Check that it is switched on and that the port is right.\n${error}`,
    );
  });

  it('says how many jobs it lists, of which study, and that it lists only the newest 10,000 when there are more', async () => {
    const many = Array.from({ length: 10_000 }, (_, i) => job(i + 1, { state: 'sent' }));
    bridgeWithJobs(many);
    render(QueueView, { active: true });
    const countLine = () => document.querySelector('.count-line')!.textContent!.replace(/\s+/g, ' ').trim();
    await waitFor(() => expect(countLine()).toBe('10,000 jobs (the newest 10,000)'));
    await fireEvent.click(screen.getByRole('button', { name: 'By study' }));
    await fireEvent.click(await screen.findByRole('button', { name: /Show the jobs of DOE, JANE/ }));
    await waitFor(() => expect(countLine()).toBe('10,000 jobs of DOE, JANE (P-1), 2024-01-31 · CT Chest · CT (the newest 10,000)'));
  });

  it('shows a failed action where it happened, with its detail', async () => {
    bridgeWithJobs().fail('retryJob', { message: 'The queue could not be changed.', detail: 'SQLITE_BUSY: database is locked' });
    render(QueueView, { active: true });
    await waitFor(() => expect(document.querySelectorAll('[data-job-id]')).toHaveLength(3));
    await fireEvent.click(within(rowOf(7)).getByRole('button', { name: 'Retry job 7' }));
    expect(await screen.findByText('Job 7: The queue could not be changed.')).toBeTruthy();
    expect(screen.getByText('SQLITE_BUSY: database is locked')).toBeTruthy();
  });

  it('says which studies a study-quiet rule holds back, and when each goes, and reads them again as instances arrive', async () => {
    const forwardsAt = new Date(Date.now() + 60_000).toISOString();
    const waiting: StudyAwaitingQuiet = {
      studyInstanceUid: '1.2.3',
      rule: 'ct-whole',
      destination: 'ARCHIVE',
      quietSeconds: 120,
      lastReceivedAt: new Date().toISOString(),
      forwardsAt,
      study: study('1.2.3'),
    };
    let answer: StudyAwaitingQuiet[] = [];
    const bridge = bridgeWithJobs().answer('studiesAwaitingQuiet', () => answer);
    render(QueueView, { active: true });
    await waitFor(() => expect(document.querySelectorAll('[data-job-id]')).toHaveLength(3));
    expect(screen.queryByRole('heading', { name: 'Waiting for studies to be complete' })).toBeNull();

    answer = [waiting];
    bridge.emit('instance-stored', {} as never);
    const section = (await screen.findByRole('heading', { name: 'Waiting for studies to be complete' })).closest('section')!;
    const item = within(section).getByRole('listitem').textContent!.replace(/\s+/g, ' ');
    expect(item).toContain('DOE, JANE (P-1) · 2024-01-31 · CT Chest · CT');
    expect(item).toContain('(rule ct-whole: 120 s quiet)');
    expect(item).toMatch(/to ARCHIVE at \d{2}:\d{2}:\d{2}, whole, if nothing more arrives/);
    expect(section.textContent).toContain('1 study waits');
  });
});
