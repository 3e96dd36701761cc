/**
 * The C-STORE SCU: sends Part-10 files to a node without changing a byte. Each file's dataset
 * (everything after its meta group) goes out in a presentation context whose transfer syntax is
 * the file's own; a peer that refuses that syntax gets no re-encoded copy, the file fails with an
 * error naming the syntax. Many files share an association; past 128 distinct (SOP class,
 * syntax) pairs, a new association is opened.
 */
import { CStoreRequest, constants } from './dimse-library.ts';
import { describeStatus, isStoredStatus, statusHex } from './dimse-status.ts';
import { formatPeer, type PeerAddress } from './peer-address.ts';
import type { SendableFile } from './sendable-files.ts';
import { FileDataset, ScuAssociation, ScuError, type AssociationOptions, type DimseResponse, type ProposedContext, type ScuFailureKind } from './scu-association.ts';
import { describeTransferSyntax } from './transfer-syntax.ts';

export interface SendResult {
  file: string;
  ok: boolean;
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  status: number | null;
  statusHex: string | null;
  meaning: string;
  error: string | undefined;
  /** Dataset bytes put on the wire. */
  bytes: number;
  /** SHA-256 of exactly the dataset bytes put on the wire. */
  sha256: string | undefined;
  /** Why it was not stored, in terms a retry policy can act on; undefined when ok. */
  failureKind: SendFailureKind | undefined;
}

export type SendFailureKind =
  /** 'unreadable' here: this file could not be read from disk (missing, or shorter than its header says). */
  | ScuFailureKind
  /** The peer rejected the presentation context: it does not take this SOP class at all. */
  | 'sop-class-refused'
  /** The peer takes the SOP class but not in the file's transfer syntax. */
  | 'syntax-refused'
  /** The peer answered the C-STORE with a failure status. */
  | 'status'
  /** Not attempted because the caller stopped the send. */
  | 'cancelled';

export interface SendOptions extends AssociationOptions {
  /** Checked before each file: false stops the send; the files left get failureKind 'cancelled'. */
  shouldContinue?: () => boolean;
  onProgress?: (progress: { file: string; fileIndex: number; fileCount: number; bytesSent: number; bytesTotal: number }) => void;
  onResult?: (result: SendResult, fileIndex: number) => void;
}

interface Sendable extends SendableFile {
  index: number;
}

const MAX_CONTEXTS_PER_ASSOCIATION = 128;

export async function sendFiles(files: SendableFile[], peer: PeerAddress, opts: SendOptions): Promise<SendResult[]> {
  const results: SendResult[] = new Array(files.length);
  const report = (index: number, result: SendResult) => {
    results[index] = result;
    opts.onResult?.(result, index);
  };
  const sendables = files.map((file, index) => ({ ...file, index }));
  for (const batch of planAssociations(sendables)) {
    await sendBatch(batch, peer, opts, files.length, report);
  }
  return results;
}

/** Groups files, in order, into associations of at most 128 distinct presentation contexts. */
export function planAssociations<T extends { sopClassUid: string; transferSyntaxUid: string }>(items: T[]): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let pairs = new Set<string>();
  for (const item of items) {
    const pair = `${item.sopClassUid}|${item.transferSyntaxUid}`;
    if (!pairs.has(pair) && pairs.size === MAX_CONTEXTS_PER_ASSOCIATION) {
      batches.push(current);
      current = [];
      pairs = new Set();
    }
    pairs.add(pair);
    current.push(item);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

function contextsFor(batch: Sendable[]): ProposedContext[] {
  const seen = new Map<string, ProposedContext>();
  for (const s of batch) {
    const key = `${s.sopClassUid}|${s.transferSyntaxUid}`;
    if (!seen.has(key)) seen.set(key, { abstractSyntaxUid: s.sopClassUid, transferSyntaxUids: [s.transferSyntaxUid] });
  }
  return [...seen.values()];
}

async function sendBatch(
  batch: Sendable[],
  peer: PeerAddress,
  opts: SendOptions,
  fileCount: number,
  report: (index: number, result: SendResult) => void,
): Promise<void> {
  let association: ScuAssociation;
  try {
    association = await ScuAssociation.open(peer, opts, contextsFor(batch));
  } catch (err) {
    const kind = err instanceof ScuError ? err.kind : 'network';
    for (const s of batch) report(s.index, failure(s.file, (err as Error).message, s, kind));
    return;
  }
  let lost: ScuError | undefined;
  for (const s of batch) {
    if (lost) {
      // The files after one that could not be read are fine themselves: their association was aborted.
      report(s.index, failure(s.file, `not sent: ${lost.message}`, s, lost.kind === 'unreadable' ? 'aborted' : lost.kind));
      continue;
    }
    if (opts.shouldContinue && !opts.shouldContinue()) {
      report(s.index, failure(s.file, 'not sent: the send was stopped', s, 'cancelled'));
      continue;
    }
    try {
      report(s.index, await sendOne(association, s, opts, fileCount));
    } catch (err) {
      lost = err instanceof ScuError ? err : new ScuError('network', `${formatPeer(peer)}: ${(err as Error).message}`);
      report(s.index, failure(s.file, lost.message, s, lost.kind));
    }
  }
  await association.release();
}

async function sendOne(association: ScuAssociation, s: Sendable, opts: SendOptions, fileCount: number): Promise<SendResult> {
  if (!association.acceptedContext(s.sopClassUid, s.transferSyntaxUid)) {
    const peer = formatPeer(association.peer);
    const result = association.proposalResult(s.sopClassUid, s.transferSyntaxUid);
    if (result === constants.PresentationContextResult.RejectAbstractSyntaxNotSupported) {
      return failure(s.file, `${peer} does not accept SOP class ${s.sopClassUid} (presentation context rejected: abstract syntax not supported)`, s, 'sop-class-refused');
    }
    return failure(
      s.file,
      `${peer} did not accept transfer syntax ${describeTransferSyntax(s.transferSyntaxUid)} ` +
        `for SOP class ${s.sopClassUid}; the file was not sent (sending it would need transcoding)`,
      s,
      'syntax-refused',
    );
  }
  let dataset: FileDataset;
  try {
    dataset = await FileDataset.open({ path: s.file, offset: s.datasetOffset, length: s.datasetLength }, s.transferSyntaxUid);
  } catch (err) {
    return failure(s.file, (err as Error).message, s, 'unreadable');
  }
  dataset.onBytes = (bytesSent) =>
    opts.onProgress?.({ file: s.file, fileIndex: s.index, fileCount, bytesSent, bytesTotal: s.datasetLength });
  const request = new CStoreRequest(undefined as never, constants.Priority.Medium);
  request.setAffectedSopClassUid(s.sopClassUid);
  request.setAffectedSopInstanceUid(s.sopInstanceUid);
  request.setDataset(dataset as never);
  let response: DimseResponse;
  let sha256: string;
  try {
    response = await association.request(request);
    sha256 = await dataset.sent!;
  } finally {
    await dataset.close();
  }
  const status = response.getStatus();
  const comment = response.getErrorComment();
  const ok = isStoredStatus(status);
  return {
    file: s.file, ok, sopClassUid: s.sopClassUid, sopInstanceUid: s.sopInstanceUid, transferSyntaxUid: s.transferSyntaxUid,
    status, statusHex: statusHex(status), meaning: describeStatus(status),
    error: ok ? undefined : `${formatPeer(association.peer)} answered ${statusHex(status)} (${describeStatus(status)})${comment ? `: ${comment}` : ''}`,
    bytes: s.datasetLength, sha256, failureKind: ok ? undefined : 'status',
  };
}

function failure(file: string, error: string, s: Sendable, failureKind: SendFailureKind): SendResult {
  return {
    file, ok: false, sopClassUid: s.sopClassUid, sopInstanceUid: s.sopInstanceUid, transferSyntaxUid: s.transferSyntaxUid,
    status: null, statusHex: null, meaning: 'Not sent', error, bytes: 0, sha256: undefined, failureKind,
  };
}
