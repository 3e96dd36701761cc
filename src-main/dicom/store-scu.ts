/**
 * The C-STORE SCU: sends Part-10 files to a node without changing a byte. Each file's dataset
 * (everything after its meta group) goes out in a presentation context whose transfer syntax is
 * the file's own; a peer that refuses that syntax gets no re-encoded copy, the file fails with an
 * error naming the syntax, unless the destination allows transcoding: then the file's own syntax is
 * still preferred, and the dataset is converted only when the peer refused it (transcode-fallback.ts).
 * Many files share an association; past 128 distinct (SOP class,
 * syntax) pairs, a new association is opened; when one is lost, the files not yet attempted go on
 * a new one.
 */
import { describeStatus, isStoredStatus, statusHex } from './dimse-status.ts';
import { formatPeer, type PeerAddress } from './peer-address.ts';
import { describeSopClass } from './sop-class-names.ts';
import type { SendableFile } from './sendable-files.ts';
import type { DatasetSource } from './pdata-writer.ts';
import {
  ScuAssociation,
  ScuError,
  TranscodeFailedError,
  UnreadableFileError,
  type AcceptedContext,
  type AssociationOptions,
  type ProposedContext,
  type ScuFailureKind,
  type StoreOutcome,
} from './scu-association.ts';
import { fallbackContext, proposalsFor, sendableSyntaxes } from './transcode-fallback.ts';
import { TransferSyntax, describeTransferSyntax } from './transfer-syntax.ts';
import { ContextResult } from './ul/pdu-constants.ts';

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
  /** Dataset bytes put on the wire (the pad byte included). */
  bytes: number;
  /** SHA-256 of exactly the dataset bytes put on the wire (the pad byte included); undefined when not sent, or not computed (SendOptions.digests false). */
  sha256: string | undefined;
  /** 1 when a deflated dataset of odd length went out with the trailing NUL PS3.5 A.5 requires. */
  paddedBytes?: number;
  /** Why it was not stored, in terms a retry policy can act on; undefined when ok. */
  failureKind: SendFailureKind | undefined;
  /** The syntax the dataset was converted to and sent in (the peer refused the file's own); bytes and sha256 are of the converted dataset. */
  transcodedTo?: string;
}

export type SendFailureKind =
  | ScuFailureKind
  /** The peer rejected the presentation context: it does not take this SOP class at all. */
  | 'sop-class-refused'
  /** The peer takes the SOP class but not in the file's transfer syntax. */
  | 'syntax-refused'
  /** The peer answered the C-STORE with a failure status. */
  | 'status'
  /** Not attempted because the caller stopped the send. */
  | 'cancelled'
  /** Not attempted because the file itself cannot be sent as it is (an odd-length dataset). */
  | 'malformed'
  /** The file could not be opened when its turn came (moved, deleted, no permission); worth another try. */
  | 'unreadable'
  /** Its dataset could not be converted to the syntax the peer accepted (transcoding allowed). */
  | 'transcode-failed';

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
  const syntaxesOf = (s: Sendable) => sendableSyntaxes(s.transferSyntaxUid, opts.allowTranscoding === true);
  for (const batch of planAssociations(sendables, syntaxesOf)) {
    await sendBatch(batch, peer, opts, files.length, report);
  }
  return results;
}

/** Groups files, in order, into associations of at most 128 distinct presentation contexts (each syntax a file may go out in is one). */
export function planAssociations<T extends { sopClassUid: string; transferSyntaxUid: string }>(
  items: T[],
  syntaxesOf: (item: T) => string[] = (item) => [item.transferSyntaxUid],
): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let pairs = new Set<string>();
  for (const item of items) {
    const itemPairs = syntaxesOf(item).map((syntax) => `${item.sopClassUid}|${syntax}`);
    const added = itemPairs.filter((pair) => !pairs.has(pair)).length;
    if (added > 0 && pairs.size + added > MAX_CONTEXTS_PER_ASSOCIATION && current.length > 0) {
      batches.push(current);
      current = [];
      pairs = new Set();
    }
    for (const pair of itemPairs) pairs.add(pair);
    current.push(item);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

function contextsFor(batch: Sendable[], allowTranscoding: boolean): ProposedContext[] {
  const seen = new Map<string, ProposedContext>();
  for (const s of batch) {
    for (const context of proposalsFor(s.sopClassUid, s.transferSyntaxUid, allowTranscoding)) {
      const key = `${context.abstractSyntaxUid}|${context.transferSyntaxUids[0]}`;
      if (!seen.has(key)) seen.set(key, context);
    }
  }
  return [...seen.values()];
}

/**
 * Sends a batch on as few associations as it takes: when one is lost, only the file in flight
 * fails; the files not yet attempted go on a new association. An association lost before carrying
 * any file costs the next file, and two associations in a row lost on their first file end the
 * batch, so a peer that accepts and then fails every file cannot hold the send in a loop.
 */
async function sendBatch(
  batch: Sendable[],
  peer: PeerAddress,
  opts: SendOptions,
  fileCount: number,
  report: (index: number, result: SendResult) => void,
): Promise<void> {
  let association: ScuAssociation | undefined;
  let attemptedOnIt = 0;
  /** Associations in a row lost on their first file: two mean the peer fails every file; stop trying. */
  let lostOnFirstFile = 0;
  for (let i = 0; i < batch.length;) {
    const s = batch[i]!;
    if (opts.shouldContinue && !opts.shouldContinue()) {
      report(s.index, failure(s.file, 'not sent: the send was stopped', s, 'cancelled'));
      i++;
      continue;
    }
    const malformed = oddLengthProblem(s);
    if (malformed) {
      report(s.index, failure(s.file, malformed, s, 'malformed'));
      i++;
      continue;
    }
    if (!association) {
      try {
        association = await ScuAssociation.open(peer, opts, contextsFor(batch.slice(i), opts.allowTranscoding === true));
        attemptedOnIt = 0;
      } catch (err) {
        const kind = err instanceof ScuError ? err.kind : 'network';
        for (const rest of batch.slice(i)) report(rest.index, failure(rest.file, (err as Error).message, rest, kind));
        return;
      }
    }
    const current = association;
    if (current.isLost && attemptedOnIt > 0) {
      association = undefined;
      continue;
    }
    attemptedOnIt++;
    try {
      report(s.index, await sendOne(current, s, opts, fileCount, batch[i + 1]));
    } catch (err) {
      const lost = err instanceof ScuError ? err : new ScuError('network', `${formatPeer(peer)}: ${(err as Error).message}`);
      report(s.index, failure(s.file, lost.message, s, lost.kind));
      current.abort();
      association = undefined;
      lostOnFirstFile = attemptedOnIt === 1 ? lostOnFirstFile + 1 : 0;
      if (lostOnFirstFile >= 2) {
        for (const rest of batch.slice(i + 1))
          report(rest.index, failure(rest.file, `not sent: ${lost.message} (twice in a row on a new association)`, rest, lost.kind));
        return;
      }
    }
    i++;
  }
  await association?.release();
}

/**
 * PS3.8 E.1: every fragment is even, so a dataset is too. A deflated one of odd length gets the
 * one trailing NUL PS3.5 A.5 asks for; any other odd-length dataset is malformed.
 */
function oddLengthProblem(s: SendableFile): string | undefined {
  if (s.datasetLength % 2 === 0 || s.transferSyntaxUid === TransferSyntax.DeflatedExplicitVRLittleEndian) return undefined;
  return `not sent: its dataset is ${s.datasetLength} bytes long, an odd length, which ${describeTransferSyntax(s.transferSyntaxUid)} does not allow (a DICOM dataset is always even)`;
}

function sendOne(
  association: ScuAssociation,
  s: Sendable,
  opts: SendOptions,
  fileCount: number,
  next: SendableFile | undefined,
): Promise<SendResult> {
  const onBytes = (bytesSent: number) =>
    opts.onProgress?.({ file: s.file, fileIndex: s.index, fileCount, bytesSent, bytesTotal: s.datasetLength });
  return storeOne(association, s, onBytes, next);
}

/**
 * One file as one C-STORE on an open association (send and the forward queue both use it): its
 * own result when the peer refused its context or answered, an ScuError thrown when the
 * association is lost.
 */
export async function storeOne(
  association: ScuAssociation,
  s: SendableFile,
  onBytes?: (sent: number) => void,
  /** The file to be stored next on this association, read ahead (StoreRequest.next). */
  next?: SendableFile,
): Promise<SendResult> {
  const malformed = oddLengthProblem(s);
  if (malformed) return failure(s.file, malformed, s, 'malformed');
  const own = association.acceptedContext(s.sopClassUid, s.transferSyntaxUid);
  const context = own ?? fallbackContext(association, s.sopClassUid, s.transferSyntaxUid);
  if (!context) {
    if (association.isLost) throw new ScuError('network', `${formatPeer(association.peer)}: association lost before the file was sent`);
    return refusal(association, s);
  }
  return own ? storeAsIs(association, s, own, onBytes, next) : storeTranscoded(association, s, context, onBytes);
}

function refusal(association: ScuAssociation, s: SendableFile): SendResult {
  const peer = formatPeer(association.peer);
  const result = association.proposalResult(s.sopClassUid, s.transferSyntaxUid);
  if (result === ContextResult.AbstractSyntaxNotSupported) {
    return failure(
      s.file,
      `${peer} does not accept SOP class ${describeSopClass(s.sopClassUid)} (presentation context rejected: abstract syntax not supported)`,
      s,
      'sop-class-refused',
    );
  }
  const why = association.allowTranscoding
    ? `nor any syntax it could be transcoded to (${sendableSyntaxes(s.transferSyntaxUid, true).slice(1).map(describeTransferSyntax).join(', ') || 'none'})`
    : 'and this destination does not allow transcoding';
  return failure(
    s.file,
    `${peer} did not accept transfer syntax ${describeTransferSyntax(s.transferSyntaxUid)} for SOP class ${describeSopClass(s.sopClassUid)}, ${why}; the file was not sent`,
    s,
    'syntax-refused',
  );
}

async function storeAsIs(
  association: ScuAssociation,
  s: SendableFile,
  context: AcceptedContext,
  onBytes?: (sent: number) => void,
  next?: SendableFile,
): Promise<SendResult> {
  const source = datasetSource(s);
  const stored = await association
    .store({
      sopClassUid: s.sopClassUid,
      sopInstanceUid: s.sopInstanceUid,
      context,
      source,
      onBytes,
      // Only a file that goes out as it is can be read ahead; a malformed one is never sent.
      next: next && !oddLengthProblem(next) ? datasetSource(next) : undefined,
    })
    .catch((err: unknown) => {
      if (err instanceof UnreadableFileError) return err;
      throw err;
    });
  if (stored instanceof UnreadableFileError) return failure(s.file, stored.message, s, 'unreadable');
  return { ...answered(association, s, stored), ...(source.padByte ? { paddedBytes: 1 } : {}) };
}

/** The bytes a file sends as it is: its dataset, and a pad byte when that is odd (deflated only; see oddLengthProblem). */
function datasetSource(s: SendableFile): DatasetSource {
  return { path: s.file, offset: s.datasetOffset, length: s.datasetLength, padByte: s.datasetLength % 2 === 1 };
}

/** The peer refused the file's own syntax and accepted a fallback: the dataset goes out converted. */
async function storeTranscoded(
  association: ScuAssociation,
  s: SendableFile,
  context: AcceptedContext,
  onBytes?: (sent: number) => void,
): Promise<SendResult> {
  const stored = await association
    .store({
      sopClassUid: s.sopClassUid,
      sopInstanceUid: s.sopInstanceUid,
      context,
      source: { path: s.file, offset: s.datasetOffset, length: s.datasetLength },
      onBytes,
      transcodeFrom: s.transferSyntaxUid,
    })
    .catch((err: unknown) => {
      if (err instanceof TranscodeFailedError || err instanceof UnreadableFileError) return err;
      throw err;
    });
  if (stored instanceof UnreadableFileError) return failure(s.file, stored.message, s, 'unreadable');
  if (stored instanceof TranscodeFailedError) return failure(s.file, stored.message, s, 'transcode-failed');
  return { ...answered(association, s, stored), transcodedTo: context.transferSyntaxUid };
}

function answered(association: ScuAssociation, s: SendableFile, stored: StoreOutcome): SendResult {
  const { response, sha256, bytes } = stored;
  const status = response.getStatus();
  const comment = response.getErrorComment();
  const ok = isStoredStatus(status);
  return {
    file: s.file,
    ok,
    sopClassUid: s.sopClassUid,
    sopInstanceUid: s.sopInstanceUid,
    transferSyntaxUid: s.transferSyntaxUid,
    status,
    statusHex: statusHex(status),
    meaning: describeStatus(status),
    error: ok
      ? undefined
      : `${formatPeer(association.peer)} answered ${statusHex(status)} (${describeStatus(status)})${comment ? `: ${comment}` : ''}`,
    bytes,
    sha256,
    failureKind: ok ? undefined : 'status',
  };
}

function failure(file: string, error: string, s: SendableFile, failureKind: SendFailureKind): SendResult {
  return {
    file,
    ok: false,
    sopClassUid: s.sopClassUid,
    sopInstanceUid: s.sopInstanceUid,
    transferSyntaxUid: s.transferSyntaxUid,
    status: null,
    statusHex: null,
    meaning: 'Not sent',
    error,
    bytes: 0,
    sha256: undefined,
    failureKind,
  };
}
