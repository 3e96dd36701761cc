/**
 * What waits in the queue for one destination, in the Queue view's own words, for the
 * Destinations table: a PACS admin sees there at a glance which node is falling behind.
 */
import type { JobState } from '../../../../src-main/api/contract.ts';
import { formatCount, plural } from '../../lib/format.ts';
import { JOB_STATE_LABELS } from '../queue/job-updates.ts';

/**
 * One count of the glance ("5,000 waiting to retry"). Tones: bad, nothing more happens without a
 * person; warn, the destination failed and will be tried again; neutral, on its way; quiet, nothing.
 */
export interface GlancePart {
  text: string;
  tone: 'bad' | 'warn' | 'neutral' | 'quiet';
}

/** The states that still need something to happen, in the order a job passes through them, with their tones. */
const WAITING: readonly (readonly [JobState, GlancePart['tone']])[] = [
  ['queued', 'neutral'],
  ['sending', 'neutral'],
  ['retry-wait', 'warn'],
  ['dead', 'bad'],
];

/**
 * `counts`: the destination's row of the Queue's count table (job-updates.ts countTable);
 * `studiesHeld`: studies a study-quiet rule holds back for it (no jobs yet, in the Queue's list).
 * Separate parts, so that a narrow table wraps between them rather than pushing its buttons away.
 */
export function queueGlance(counts: Record<JobState, number>, studiesHeld = 0): GlancePart[] {
  const parts: GlancePart[] = WAITING.filter(([state]) => counts[state] > 0).map(([state, tone]) => ({
    text: `${formatCount(counts[state])} ${JOB_STATE_LABELS[state].toLowerCase()}`,
    tone,
  }));
  if (studiesHeld > 0) parts.push({ text: `${plural(studiesHeld, 'study', 'studies')} waiting to be complete`, tone: 'neutral' });
  return parts.length > 0 ? parts : [{ text: 'Nothing waiting', tone: 'quiet' }];
}
