/**
 * What waits in the queue for one destination, in the Queue view's own words, for the
 * Destinations table: a PACS admin sees there at a glance which node is falling behind.
 */
import type { JobState } from '../../../../src-main/api/contract.ts';
import { formatCount, plural } from '../../lib/format.ts';
import { JOB_STATE_LABELS } from '../queue/job-updates.ts';

export interface QueueGlance {
  /** "12 queued · 5,000 waiting to retry · 1 dead letter", or "Nothing waiting". */
  text: string;
  /** bad: something will not be sent without a person; warn: the destination failed and will be tried again. */
  tone: 'bad' | 'warn' | 'neutral' | 'quiet';
}

/** The states that still need something to happen, in the order a job passes through them. */
const WAITING: readonly JobState[] = ['queued', 'sending', 'retry-wait', 'dead'];

/**
 * `counts`: the destination's row of the Queue's count table (job-updates.ts countTable);
 * `studiesHeld`: studies a study-quiet rule holds back for it (no jobs yet, in the Queue's list).
 */
export function queueGlance(counts: Record<JobState, number>, studiesHeld = 0): QueueGlance {
  const waiting = WAITING.filter((state) => counts[state] > 0);
  const parts = waiting.map((state) => `${formatCount(counts[state])} ${JOB_STATE_LABELS[state].toLowerCase()}`);
  if (studiesHeld > 0) parts.push(`${plural(studiesHeld, 'study', 'studies')} waiting to be complete`);
  if (parts.length === 0) return { text: 'Nothing waiting', tone: 'quiet' };
  return { text: parts.join(' · '), tone: counts.dead > 0 ? 'bad' : counts['retry-wait'] > 0 ? 'warn' : 'neutral' };
}
