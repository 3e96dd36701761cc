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
import { FileDataset, ScuAssociation, ScuError, type AssociationOptions, type ProposedContext } from './scu-association.ts';
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
}

export interface SendOptions extends AssociationOptions {
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
    for (const s of batch) report(s.index, failure(s.file, (err as Error).message, s));
    return;
  }
  let lost: ScuError | undefined;
  for (const s of batch) {
    if (lost) {
      report(s.index, failure(s.file, `not sent: ${lost.message}`, s));
      continue;
    }
    try {
      report(s.index, await sendOne(association, s, opts, fileCount));
    } catch (err) {
      lost = err instanceof ScuError ? err : new ScuError('network', `${formatPeer(peer)}: ${(err as Error).message}`);
      report(s.index, failure(s.file, lost.message, s));
    }
  }
  await association.release();
}

async function sendOne(association: ScuAssociation, s: Sendable, opts: SendOptions, fileCount: number): Promise<SendResult> {
  if (!association.acceptedContext(s.sopClassUid, s.transferSyntaxUid)) {
    return failure(
      s.file,
      `${formatPeer(association.peer)} did not accept transfer syntax ${describeTransferSyntax(s.transferSyntaxUid)} ` +
        `for SOP class ${s.sopClassUid}; the file was not sent (sending it would need transcoding)`,
      s,
    );
  }
  const dataset = new FileDataset({ path: s.file, offset: s.datasetOffset, length: s.datasetLength }, s.transferSyntaxUid);
  dataset.onBytes = (bytesSent) =>
    opts.onProgress?.({ file: s.file, fileIndex: s.index, fileCount, bytesSent, bytesTotal: s.datasetLength });
  const request = new CStoreRequest(undefined as never, constants.Priority.Medium);
  request.setAffectedSopClassUid(s.sopClassUid);
  request.setAffectedSopInstanceUid(s.sopInstanceUid);
  request.setDataset(dataset as never);
  const response = await association.request(request);
  const sha256 = await dataset.sent!;
  const status = response.getStatus();
  const comment = response.getErrorComment();
  const ok = isStoredStatus(status);
  return {
    file: s.file, ok, sopClassUid: s.sopClassUid, sopInstanceUid: s.sopInstanceUid, transferSyntaxUid: s.transferSyntaxUid,
    status, statusHex: statusHex(status), meaning: describeStatus(status),
    error: ok ? undefined : `${formatPeer(association.peer)} answered ${statusHex(status)} (${describeStatus(status)})${comment ? `: ${comment}` : ''}`,
    bytes: s.datasetLength, sha256,
  };
}

function failure(file: string, error: string, s: Sendable): SendResult {
  return {
    file, ok: false, sopClassUid: s.sopClassUid, sopInstanceUid: s.sopInstanceUid, transferSyntaxUid: s.transferSyntaxUid,
    status: null, statusHex: null, meaning: 'Not sent', error, bytes: 0, sha256: undefined,
  };
}
