/**
 * One forward job as one C-STORE on an association that is already open, the dataset streamed
 * from its stored file region byte for byte. A refused presentation context is the job's own
 * failure; a lost association fails only the job in flight and says so.
 */
import { CStoreRequest, constants } from '../dicom/dimse-library.ts';
import { describeStatus, isStoredStatus, statusHex } from '../dicom/dimse-status.ts';
import { formatPeer } from '../dicom/peer-address.ts';
import { FileDataset, ScuError, type ScuAssociation } from '../dicom/scu-association.ts';
import type { SendFailureKind } from '../dicom/store-scu.ts';
import { describeTransferSyntax } from '../dicom/transfer-syntax.ts';
import type { JobResult, SendJob } from './forward-messages.ts';

export interface StoreOutcome {
  result: JobResult;
  /** The association is gone; the next job needs a new one. */
  lost: boolean;
  /** It was gone before a byte of this job went out: the job was not tried at all. */
  untried: boolean;
}

export async function storeOverAssociation(association: ScuAssociation, job: SendJob): Promise<StoreOutcome> {
  const refused = refusal(association, job);
  if (refused) return { result: refused, lost: false, untried: false };
  const dataset = new FileDataset({ path: job.file, offset: job.datasetOffset, length: job.datasetLength }, job.transferSyntaxUid);
  const request = new CStoreRequest(undefined as never, constants.Priority.Medium);
  request.setAffectedSopClassUid(job.sopClassUid);
  request.setAffectedSopInstanceUid(job.sopInstanceUid);
  request.setDataset(dataset as never);
  try {
    const response = await association.request(request);
    const sha256 = await dataset.sent!;
    const status = response.getStatus();
    const ok = isStoredStatus(status);
    const comment = response.getErrorComment();
    const error = ok ? undefined : `${formatPeer(association.peer)} answered ${statusHex(status)} (${describeStatus(status)})${comment ? `: ${comment}` : ''}`;
    return { result: { jobId: job.jobId, ok, status, meaning: describeStatus(status), error, failureKind: ok ? undefined : 'status', sha256 }, lost: false, untried: false };
  } catch (err) {
    const lost = err instanceof ScuError ? err : new ScuError('network', `${formatPeer(association.peer)}: ${(err as Error).message}`);
    association.abort();
    // No dataset stream was started: the association was already lost when the request came.
    const untried = dataset.sent === undefined;
    return { result: notSent(job, `${lost.message} (while sending ${job.file})`, lost.kind), lost: true, untried };
  }
}

/** The peer's refusal of this job's (SOP class, syntax) context, if it refused it. */
function refusal(association: ScuAssociation, job: SendJob): JobResult | undefined {
  if (association.acceptedContext(job.sopClassUid, job.transferSyntaxUid)) return undefined;
  const peer = formatPeer(association.peer);
  if (association.proposalResult(job.sopClassUid, job.transferSyntaxUid) === constants.PresentationContextResult.RejectAbstractSyntaxNotSupported) {
    return notSent(job, `${peer} does not accept SOP class ${job.sopClassUid} (presentation context rejected: abstract syntax not supported)`, 'sop-class-refused');
  }
  return notSent(
    job,
    `${peer} did not accept transfer syntax ${describeTransferSyntax(job.transferSyntaxUid)} for SOP class ${job.sopClassUid}; ` +
      'the file was not sent (sending it would need transcoding)',
    'syntax-refused',
  );
}

export function notSent(job: SendJob, error: string, failureKind: SendFailureKind): JobResult {
  return { jobId: job.jobId, ok: false, status: null, meaning: 'Not sent', error, failureKind, sha256: undefined };
}
