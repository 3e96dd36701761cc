/**
 * A study a study-quiet rule holds back, in words: whose it is, where it goes and when. Nothing is
 * in the queue for it until the study has been quiet for the rule's time, so this is the only place
 * that says it is coming.
 */
import type { StudyAwaitingQuiet } from '../../../../src-main/api/contract.ts';
import { formatTime } from '../../lib/format.ts';
import { patientLine, studyLine } from './job-subject.ts';

export function awaitingQuietWords(s: StudyAwaitingQuiet): { patient: string; study: string; when: string } {
  return {
    patient: s.study ? patientLine(s.study) : 'Study no longer stored',
    study: s.study ? studyLine({ ...s.study, modality: s.study.modalities }) : s.studyInstanceUid,
    when:
      `to ${s.destination} at ${formatTime(s.forwardsAt)}, whole, if nothing more arrives ` + `(rule ${s.rule}: ${s.quietSeconds} s quiet)`,
  };
}

/** At most an hour: a longer timer (a rule may wait up to 24 days) overflows and fires at once. */
const LONGEST_WAIT_MS = 3_600_000;

/** When to read the list again: just after the first study is due (it then leaves the list for the queue). */
export function nextQuietChangeIn(studies: readonly StudyAwaitingQuiet[], now: number): number | undefined {
  if (studies.length === 0) return undefined;
  const first = Math.min(...studies.map((s) => Date.parse(s.forwardsAt)));
  return Math.min(Math.max(0, first - now) + 1000, LONGEST_WAIT_MS);
}
