/**
 * A job's last attempt in the Queue's words. The engine's error already names the status it carries
 * ("PACS@host:104 answered 0xA700 (Refused: out of resources)"); a status without an error (a send
 * that succeeded, perhaps with a warning) is said in words first, so 0x0000 does not read as a fault.
 */
import { describeStatus, statusHex, type JobSummary } from '../../../../src-main/api/contract.ts';

export function lastResult(job: Pick<JobSummary, 'lastError' | 'lastStatus'>): string {
  if (job.lastError) return job.lastError;
  if (job.lastStatus !== null) return `${describeStatus(job.lastStatus)} (${statusHex(job.lastStatus)})`;
  return '—';
}
