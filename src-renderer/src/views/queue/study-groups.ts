/**
 * The queue by study and destination: "did this patient's CT reach the archive?" in one row.
 * Built from the jobs already loaded, so it follows the same filters and live updates.
 */
import type { InstanceSubject, JobSummary } from '../../../../src-main/api/contract.ts';
import type { JobState } from '../../../../src-main/api/contract.ts';
import { lastResult, lastResultDetail } from './last-result.ts';

export interface StudyGroup {
  key: string;
  studyInstanceUid: string | null;
  destination: string;
  subject: InstanceSubject | null;
  total: number;
  counts: Record<JobState, number>;
  /** The last result of a dead job of the group, the reason a person reads first (lastResult's words). */
  deadReason: string | null;
  /** The same in full, for its tooltip (lastResultDetail). */
  deadDetail: string | null;
}

const EMPTY: Record<JobState, number> = { queued: 0, sending: 0, 'retry-wait': 0, dead: 0, sent: 0, cancelled: 0 };

export function groupByStudy(jobs: readonly JobSummary[]): StudyGroup[] {
  const groups = new Map<string, StudyGroup>();
  for (const job of jobs) {
    const key = `${job.studyInstanceUid ?? ''}\u0000${job.destination}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        key,
        studyInstanceUid: job.studyInstanceUid,
        destination: job.destination,
        subject: job.subject,
        total: 0,
        counts: { ...EMPTY },
        deadReason: null,
        deadDetail: null,
      };
      groups.set(key, group);
    }
    group.subject ??= job.subject;
    group.total++;
    group.counts[job.state]++;
    if (job.state === 'dead' && group.deadReason === null && job.lastError) {
      group.deadReason = lastResult(job);
      group.deadDetail = lastResultDetail(job);
    }
  }
  // Jobs come newest first: so do the groups, by their newest job.
  return [...groups.values()];
}

/** One verdict for the group: what a person wants to know first. */
export function groupVerdict(group: StudyGroup): { text: string; tone: 'ok' | 'warn' | 'bad' | 'neutral' } {
  const { counts, total } = group;
  if (counts.sent === total) return { text: `All ${total} sent`, tone: 'ok' };
  if (counts.dead > 0) return { text: `${counts.dead} of ${total} will not be sent`, tone: 'bad' };
  const pending = counts.queued + counts.sending + counts['retry-wait'];
  if (pending > 0) return { text: `${counts.sent} of ${total} sent, ${pending} on the way`, tone: 'warn' };
  return { text: `${counts.sent} of ${total} sent, ${counts.cancelled} cancelled`, tone: 'neutral' };
}
