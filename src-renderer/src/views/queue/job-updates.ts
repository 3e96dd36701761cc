/**
 * Folds 'job-updated' events into the jobs table: an update replaces the state of a row already
 * shown; a job not shown yet appears at the top when it passes the filters; a row that no longer
 * passes the state filter leaves. Events are applied in batches (one per animation frame).
 */
import type { JobSummary, QueueCount } from '../../../../src-main/api/contract.ts';
import type { JobUpdated } from '../../../../src-main/api/contract.ts';
import type { JobState } from '../../../../src-main/api/contract.ts';

export const JOB_STATES: JobState[] = ['queued', 'sending', 'retry-wait', 'dead', 'sent', 'cancelled'];

export const JOB_STATE_LABELS: Record<JobState, string> = {
  queued: 'Queued',
  sending: 'Sending',
  'retry-wait': 'Waiting to retry',
  dead: 'Dead letter',
  sent: 'Sent',
  cancelled: 'Cancelled',
};

export interface JobFilters {
  state: JobState | undefined;
  destination: string | undefined;
}

export function passes(filters: JobFilters, job: { state: JobState; destination: string }): boolean {
  return (
    (filters.state === undefined || job.state === filters.state) &&
    (filters.destination === undefined || job.destination === filters.destination)
  );
}

export function applyJobUpdates(jobs: JobSummary[], updates: JobUpdated[], filters: JobFilters, now: string): JobSummary[] {
  // The last update of a job in the batch is its current state.
  const latest = new Map<number, JobUpdated>();
  for (const update of updates) latest.set(update.jobId, update);
  const seen = new Set<number>();
  const next: JobSummary[] = [];
  for (const job of jobs) {
    const update = latest.get(job.jobId);
    if (!update) {
      next.push(job);
      continue;
    }
    seen.add(job.jobId);
    const merged = merge(job, update, now);
    if (passes(filters, merged)) next.push(merged);
  }
  const added: JobSummary[] = [];
  for (const update of latest.values()) {
    if (seen.has(update.jobId) || !passes(filters, update)) continue;
    added.push(merge(newJob(update), update, now));
  }
  // Newest first, as listJobs returns them.
  added.sort((x, y) => y.jobId - x.jobId);
  return added.length > 0 ? [...added, ...next] : next;
}

function merge(job: JobSummary, update: JobUpdated, now: string): JobSummary {
  return {
    ...job,
    state: update.state,
    attempts: update.attempts,
    lastError: update.error ?? (update.state === 'sent' ? null : job.lastError),
    nextAttemptAt: update.nextAttemptAt ?? null,
    deliveries: update.state === 'sent' && job.state !== 'sent' ? job.deliveries + 1 : job.deliveries,
    sentTransferSyntaxUid: update.state === 'sent' ? (update.sentTransferSyntaxUid ?? null) : null,
    updatedAt: now,
  };
}

function newJob(update: JobUpdated): JobSummary {
  return {
    jobId: update.jobId,
    instanceId: update.instanceId,
    destination: update.destination,
    rule: null,
    studyInstanceUid: null,
    state: update.state,
    attempts: 0,
    nextAttemptAt: null,
    lastError: null,
    lastStatus: null,
    deliveries: 0,
    sentTransferSyntaxUid: null,
    updatedAt: '',
    subject: null,
  };
}

/** destination → state → count, every destination with every state (0 when absent). */
export function countTable(counts: QueueCount[], destinations: string[]): { destination: string; counts: Record<JobState, number> }[] {
  const names = [...new Set([...destinations, ...counts.map((count) => count.destination)])].sort((x, y) => x.localeCompare(y));
  return names.map((destination) => {
    const row = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as Record<JobState, number>;
    for (const count of counts) if (count.destination === destination) row[count.state] += count.count;
    return { destination, counts: row };
  });
}
