/**
 * One forward job as one C-STORE on an association that is already open, the dataset streamed
 * from its stored file region byte for byte (store-scu.ts storeOne, as for `send`). A refused
 * presentation context is the job's own failure; a lost association fails only the job in flight.
 */
import { formatPeer } from '../dicom/peer-address.ts';
import { ScuError, type ScuAssociation } from '../dicom/scu-association.ts';
import { storeOne, type SendFailureKind } from '../dicom/store-scu.ts';
import type { JobResult, SendJob } from './forward-messages.ts';

export interface StoreOutcome {
  result: JobResult;
  /** The association is gone; the next job needs a new one. */
  lost: boolean;
  /** It was gone before a byte of this job went out: the job was not tried at all. */
  untried: boolean;
}

/** `next`: the job likely to follow on this association, its file read ahead (StoreRequest.next). */
export async function storeOverAssociation(association: ScuAssociation, job: SendJob, next?: SendJob): Promise<StoreOutcome> {
  // storeOne checks for a lost association before it writes anything, in this same turn.
  const untried = association.isLost;
  try {
    const r = await storeOne(association, job, undefined, next);
    const result = {
      jobId: job.jobId,
      ok: r.ok,
      status: r.status,
      meaning: r.meaning,
      error: r.error,
      failureKind: r.failureKind,
      sha256: r.sha256,
      transcodedTo: r.transcodedTo,
    };
    // A conversion that failed mid-dataset aborted the association: the next job needs a new one.
    return { result, lost: association.isLost, untried: false };
  } catch (err) {
    const lost = err instanceof ScuError ? err : new ScuError('network', `${formatPeer(association.peer)}: ${(err as Error).message}`);
    association.abort();
    return { result: notSent(job, `${lost.message} (while sending ${job.file})`, lost.kind), lost: true, untried };
  }
}

export function notSent(job: SendJob, error: string, failureKind: SendFailureKind): JobResult {
  return { jobId: job.jobId, ok: false, status: null, meaning: 'Not sent', error, failureKind, sha256: undefined };
}
