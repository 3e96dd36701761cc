/**
 * A job's last attempt in the Queue's words. The engine's error already names the status it carries
 * ("PACS@host:104 answered 0xA700 (Refused: out of resources)"); a status without an error (a send
 * that succeeded, perhaps with a warning) is said in words first, so 0x0000 does not read as a fault.
 * A connection problem reads by its cause ("Connection refused"): the engine's text begins with
 * the destination's address, which a row cut short of it and which the row names already.
 */
import { describeStatus, statusHex, type JobSummary } from '../../../../src-main/api/contract.ts';
import { connectionProblemShort, connectionProblemWords } from '../../lib/connection-words.ts';

type LastAttempt = Pick<JobSummary, 'lastError' | 'lastStatus'>;

export function lastResult(job: LastAttempt): string {
  if (job.lastError) return connectionProblemShort(job.lastError) ?? job.lastError;
  if (job.lastStatus !== null) return `${describeStatus(job.lastStatus)} (${statusHex(job.lastStatus)})`;
  return '—';
}

/** The whole of it, for the row's tooltip: what to check, then the engine's own text. */
export function lastResultDetail(job: LastAttempt): string {
  const advice = connectionProblemWords(job.lastError);
  return [advice, job.lastError ?? lastResult(job)].filter(Boolean).join('\n');
}
