/**
 * Whose images a job carries, in the words a radiographer checks: patient, study, modality. A job
 * whose instance is gone from the index (or one just announced by an event) has no subject yet.
 */
import type { InstanceSubject, JobSummary } from '../../../../src-main/api/contract.ts';
import { transferSyntaxName } from '../../../../src-main/api/contract.ts';
import { formatDicomDate, formatPersonName } from '../../lib/format.ts';

export function patientLine(subject: Pick<InstanceSubject, 'patientName' | 'patientId'> | null | undefined): string {
  if (!subject) return '—';
  const name = formatPersonName(subject.patientName);
  return subject.patientId ? `${name} (${subject.patientId})` : name;
}

export function studyLine(
  subject: (Pick<InstanceSubject, 'studyDate' | 'studyDescription'> & { modality?: string | null }) | null | undefined,
): string {
  if (!subject) return '—';
  return (
    [formatDicomDate(subject.studyDate), subject.studyDescription, subject.modality].filter((part) => part && part !== '–').join(' · ') ||
    '—'
  );
}

/** What the instance is within its study: "CT Image Storage, series 2, image 14". */
export function instanceLine(job: Pick<JobSummary, 'instanceId' | 'subject'>): string {
  const s = job.subject;
  if (!s) return `Instance ${job.instanceId}`;
  const parts = [s.sopClassName];
  if (s.seriesNumber !== null) parts.push(`series ${s.seriesNumber}`);
  if (s.instanceNumber !== null) parts.push(`image ${s.instanceNumber}`);
  return parts.join(', ');
}

/**
 * For a job sent as a converted dataset: "Bytes changed (transcoded to JPEG Lossless …)", so a
 * person sees it was not a byte-for-byte copy; undefined for a copy sent as stored.
 */
export function transcodedLine(job: Pick<JobSummary, 'state' | 'sentTransferSyntaxUid'>): string | undefined {
  if (job.state !== 'sent' || !job.sentTransferSyntaxUid) return undefined;
  return `Bytes changed (transcoded to ${transferSyntaxName(job.sentTransferSyntaxUid)})`;
}
