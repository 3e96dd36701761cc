/**
 * What waits in the queue for one destination, in the Queue view's own words, for the
 * Destinations table: a PACS admin sees there at a glance which node is falling behind.
 */
import type { JobState, QueueCount } from '../../../../src-main/api/contract.ts';
import { formatCount } from '../../lib/format.ts';
import { JOB_STATE_LABELS } from '../queue/job-updates.ts';

export interface QueueGlance {
  /** "12 queued · 5,000 waiting to retry · 1 dead letter", or "Nothing waiting". */
  text: string;
  /** bad: something will not be sent without a person; warn: the destination failed and will be tried again. */
  tone: 'bad' | 'warn' | 'neutral' | 'quiet';
}

/** The states that still need something to happen, in the order a job passes through them. */
const WAITING: readonly JobState[] = ['queued', 'sending', 'retry-wait', 'dead'];

export function queueGlance(counts: readonly QueueCount[], destination: string): QueueGlance {
  const countOf = (state: JobState) =>
    counts.filter((c) => c.destination === destination && c.state === state).reduce((n, c) => n + c.count, 0);
  const waiting = new Map<JobState, number>();
  for (const state of WAITING) {
    const count = countOf(state);
    if (count > 0) waiting.set(state, count);
  }
  if (waiting.size === 0) return { text: 'Nothing waiting', tone: 'quiet' };
  const text = [...waiting].map(([state, count]) => `${formatCount(count)} ${JOB_STATE_LABELS[state].toLowerCase()}`).join(' · ');
  return { text, tone: waiting.has('dead') ? 'bad' : waiting.has('retry-wait') ? 'warn' : 'neutral' };
}
