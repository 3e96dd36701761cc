/**
 * An outgoing association on our Upper Layer: connect (TCP_NODELAY), negotiate one context per
 * (SOP class, transfer syntax) asked for, run requests one at a time, release. Every way the
 * connection can end (reset, close, A-ABORT, timeout) settles the request in flight with an
 * ScuError, so a caller never waits on a peer that is gone.
 */
import { openConnection, TransportError } from '../tls/open-connection.ts';
import type { DestinationTls } from '../api/types/routing.ts';
import { openDatasetFile, type DatasetFile, type FileReads } from './dataset-file.ts';
import { CommandField, CommandSet, CommandSetError, CommandTag, encodeCEchoRq, encodeCStoreRq } from './dimse-command.ts';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './implementation.ts';
import { TranscodeError } from '../transcode/transcode-error.ts';
import {
  readFirstChunk,
  SendBuffers,
  writeCommandPdu,
  writeDatasetPdus,
  writeStreamedDatasetPdus,
  type DatasetSource,
  type FirstChunk,
} from './pdata-writer.ts';
import { formatPeer, type PeerAddress } from './peer-address.ts';
import { VERIFICATION_SOP_CLASS } from './sop-classes.ts';
import type { AssociateAc } from './ul/pdu-codec.ts';
import { AbortReason, AbortSource, DICOM_APPLICATION_CONTEXT } from './ul/pdu-constants.ts';
import { UlConnection, UlEndedError, type AcceptedContext, type ConnectionEnd, type MessageHandler } from './ul/ul-connection.ts';

export interface AssociationOptions {
  callingAe: string;
  /** The largest PDU we accept from the peer. */
  maxPduLength?: number;
  connectTimeoutMs?: number;
  /** How long a peer may stay silent once connected (association and DIMSE). */
  idleTimeoutMs?: number;
  /** DICOM TLS to the peer; undefined: plain TCP. */
  tls?: DestinationTls | undefined;
  /** The destination allows transcoding: fallback syntaxes are proposed, and used when the file's own is refused. */
  allowTranscoding?: boolean | undefined;
  /** How the files sent are read (dataset-file.ts); 'async' unless the thread has nothing else to do. */
  fileReads?: FileReads;
  /** Compute the SHA-256 of every dataset sent (StoreOutcome.sha256); true unless no one reads it (DatasetWriteOptions.digest). */
  digests?: boolean;
}

export interface ProposedContext {
  abstractSyntaxUid: string;
  transferSyntaxUids: string[];
}

export interface DimseResponse {
  getStatus(): number;
  getErrorComment(): string | undefined;
}

export type ScuFailureKind = 'connection-refused' | 'timeout' | 'rejected' | 'aborted' | 'network' | 'tls';

/** The file to send could not be opened; nothing was sent and the association is still usable. */
export class UnreadableFileError extends Error {
  constructor(path: string, cause: NodeJS.ErrnoException) {
    super(`cannot read ${path}: ${cause.code ?? cause.message}; nothing was sent`);
    this.name = 'UnreadableFileError';
  }
}

/**
 * The dataset could not be converted. `midStream`: some of it had gone out, so the association
 * was aborted (the peer must not take a truncated dataset for a whole one).
 */
export class TranscodeFailedError extends Error {
  readonly midStream: boolean;
  constructor(message: string, midStream: boolean) {
    super(message);
    this.name = 'TranscodeFailedError';
    this.midStream = midStream;
  }
}

/** Why an association could not be made or was lost; the message names the peer. */
export class ScuError extends Error {
  readonly kind: ScuFailureKind;
  constructor(kind: ScuFailureKind, message: string) {
    super(message);
    this.name = 'ScuError';
    this.kind = kind;
  }
}

/** One file's dataset to send with C-STORE: its bytes come straight from the file, never parsed. */
export interface StoreRequest {
  sopClassUid: string;
  sopInstanceUid: string;
  /** The context to send it on (from acceptedContext). */
  context: AcceptedContext;
  source: DatasetSource;
  onBytes?: (sent: number) => void;
  /** Send the dataset converted from the file's syntax to the context's (the peer refused the file's own). */
  transcodeFrom?: string;
  /**
   * The dataset the caller will store next on this association, if it knows: its file is opened and
   * its first chunk read (and hashed) while this one's response is awaited, so the next turn starts
   * by sending. What the next store does not ask for is closed (and its buffer given back).
   */
  next?: DatasetSource;
}

export interface StoreOutcome {
  response: DimseResponse;
  /** SHA-256 of exactly the dataset bytes put on the wire; undefined when the association computes none (AssociationOptions.digests). */
  sha256: string | undefined;
  /** Dataset bytes put on the wire. */
  bytes: number;
}

export type { AcceptedContext };

const DEFAULT_MAX_PDU = 65536;
const PENDING_STATUSES = new Set([0xff00, 0xff01]);

interface Pending {
  messageId: number;
  resolve: (response: DimseResponse) => void;
  reject: (err: Error) => void;
}

export class ScuAssociation implements MessageHandler {
  readonly peer: PeerAddress;
  private ul!: UlConnection;
  private ac: AssociateAc | undefined;
  private readonly proposed: (ProposedContext & { id: number })[];
  private pending: Pending | undefined;
  private nextMessageId = 1;
  /** Read buffers reused from one C-STORE to the next (made with the first dataset sent). */
  private sendBuffers: SendBuffers | undefined;
  /** Set once the connection ended (or cannot be used): every later request fails with it. */
  private lost: ScuError | undefined;
  /** The dataset the caller said it stores next, being opened and read (StoreRequest.next). */
  private ahead: Ahead | undefined;

  /** Whether the destination allows sending a file converted to a fallback syntax. */
  readonly allowTranscoding: boolean;
  private readonly fileReads: FileReads;
  private readonly digests: boolean;

  private constructor(peer: PeerAddress, proposed: (ProposedContext & { id: number })[], opts: AssociationOptions) {
    this.peer = peer;
    this.proposed = proposed;
    this.allowTranscoding = opts.allowTranscoding === true;
    this.fileReads = opts.fileReads ?? 'async';
    this.digests = opts.digests ?? true;
  }

  static async open(peer: PeerAddress, opts: AssociationOptions, contexts: ProposedContext[]): Promise<ScuAssociation> {
    const where = formatPeer(peer);
    if (contexts.length === 0 || contexts.length > 128)
      throw new ScuError('network', `${where}: ${contexts.length} presentation contexts to propose (1-128)`);
    const proposed = contexts.map((c, i) => ({ ...c, id: 2 * i + 1 }));
    const association = new ScuAssociation(peer, proposed, opts);
    const connectMs = opts.connectTimeoutMs ?? 15_000;
    const idleMs = opts.idleTimeoutMs ?? 60_000;
    let socket;
    try {
      socket = await openConnection({ host: peer.host, port: peer.port, label: where, tls: opts.tls, connectTimeoutMs: connectMs });
    } catch (err) {
      if (err instanceof TransportError) throw new ScuError(err.kind, err.message);
      throw err;
    }
    const { connection, accepted } = UlConnection.request(
      socket,
      {
        protocolVersion: 1,
        calledAe: peer.aeTitle,
        callingAe: opts.callingAe,
        applicationContext: DICOM_APPLICATION_CONTEXT,
        maxPduLength: opts.maxPduLength ?? DEFAULT_MAX_PDU,
        implementationClassUid: IMPLEMENTATION_CLASS_UID,
        implementationVersionName: IMPLEMENTATION_VERSION_NAME,
        hasUserInformation: true,
        contexts: proposed.map((c) => ({ id: c.id, abstractSyntaxUid: c.abstractSyntaxUid, transferSyntaxUids: c.transferSyntaxUids })),
      },
      association,
      { associateMs: idleMs, idleMs, pduMs: idleMs },
      { maxPduLength: opts.maxPduLength ?? DEFAULT_MAX_PDU },
    );
    association.ul = connection;
    try {
      association.ac = await accepted;
      return association;
    } catch (err) {
      throw negotiationError(where, err);
    }
  }

  /** The accepted context for this SOP class (and exactly this transfer syntax, when given). */
  acceptedContext(abstractSyntaxUid: string, transferSyntaxUid?: string): AcceptedContext | undefined {
    for (const context of this.ul.contexts.values()) {
      if (
        context.abstractSyntaxUid === abstractSyntaxUid &&
        (transferSyntaxUid === undefined || context.transferSyntaxUid === transferSyntaxUid)
      ) {
        return context;
      }
    }
    return undefined;
  }

  /** The peer's answer (ContextResult) to our proposal of this exact (SOP class, syntax) context; undefined if not proposed. */
  proposalResult(abstractSyntaxUid: string, transferSyntaxUid: string): number | undefined {
    const proposal = this.proposed.find(
      (c) => c.abstractSyntaxUid === abstractSyntaxUid && c.transferSyntaxUids.includes(transferSyntaxUid),
    );
    if (!proposal) return undefined;
    return this.ac?.contexts.find((c) => c.id === proposal.id)?.result;
  }

  /** C-STORE of one file's dataset, byte for byte; resolves with the final response and the digest of what was sent. */
  async store(request: StoreRequest): Promise<StoreOutcome> {
    if (this.lost) throw this.lost;
    if (request.transcodeFrom !== undefined) return this.storeTranscoded(request, request.transcodeFrom);
    // Opened before the command goes out: a file that cannot be read fails on its own and the
    // association goes on. A command sent without its dataset would leave the peer waiting for it.
    const ahead = this.takeAhead(request.source);
    const file = await ahead.file.catch((err: NodeJS.ErrnoException) => {
      throw new UnreadableFileError(request.source.path, err);
    });
    const first = await ahead.first;
    // The command and the first chunk read ahead leave in one write (one segment for a small instance).
    this.ul.socket.cork();
    let response: Promise<DimseResponse>;
    let sending: Promise<string | undefined>;
    try {
      response = this.sendCommand(request);
      const options = { onBytes: request.onBytes, digest: this.digests, first };
      sending = writeDatasetPdus(this.ul, request.context.id, this.buffers(), file, request.source, options);
    } finally {
      this.ul.socket.uncork();
    }
    let sha256: string | undefined;
    try {
      sha256 = await sending;
    } catch (err) {
      throw this.cutShort(err);
    }
    if (request.next !== undefined) this.readAhead(request.next);
    return { response: await response, sha256, bytes: request.source.length + (request.source.padByte ? 1 : 0) };
  }

  /**
   * C-STORE of the dataset converted to the context's syntax, streamed as it is produced. Its first
   * chunk is made before the command goes out, so a file that cannot be read or converted from
   * the start fails alone and the association goes on.
   */
  private async storeTranscoded(request: StoreRequest, fromSyntax: string): Promise<StoreOutcome> {
    const { path, offset, length } = request.source;
    // A file gone since it was indexed is 'unreadable' (worth a retry), not a conversion failure.
    await this.letGoAhead();
    await openDatasetFile(path, this.fileReads).then(
      (file) => file.close(),
      (err: NodeJS.ErrnoException) => {
        throw new UnreadableFileError(path, err);
      },
    );
    // Loaded on first use: most associations never transcode, and `echo` should not compile the codecs' glue.
    const { transcodeDataset } = await import('../transcode/transcode-dataset.ts');
    const chunks = transcodeDataset({ path, offset, length }, fromSyntax, request.context.transferSyntaxUid);
    let first: IteratorResult<Buffer>;
    try {
      first = await chunks.next();
    } catch (err) {
      if (err instanceof TranscodeError) throw new TranscodeFailedError(`${err.message}; nothing was sent`, false);
      throw err;
    }
    if (this.lost) {
      await chunks.return(undefined); // closes the file the transcoder opened
      throw this.lost;
    }
    const response = this.sendCommand(request);
    const stream = (async function* () {
      if (!first.done) yield first.value;
      yield* chunks;
    })();
    let written: { sha256: string | undefined; bytes: number };
    try {
      const options = { onBytes: request.onBytes, digest: this.digests };
      written = await writeStreamedDatasetPdus(this.ul, request.context.id, this.ul.peerMaxPduLength, stream, options);
    } catch (err) {
      if (!(err instanceof TranscodeError)) throw this.cutShort(err);
      this.abort();
      throw new TranscodeFailedError(`${err.message}; the association was aborted mid-dataset, so the peer stored nothing`, true);
    }
    return { response: await response, ...written };
  }

  private sendCommand(request: StoreRequest): Promise<DimseResponse> {
    const messageId = this.nextMessageId++;
    const response = this.expectResponse(messageId);
    // The connection may end while the dataset is still going out: the rejection is awaited later.
    response.catch(() => undefined);
    writeCommandPdu(this.ul, request.context.id, encodeCStoreRq(messageId, request.sopClassUid, request.sopInstanceUid));
    return response;
  }

  /** A dataset cut short leaves the association unusable: end it, so the response waiter settles too. */
  private cutShort(err: unknown): ScuError {
    const failure = this.lost ?? new ScuError('network', `${formatPeer(this.peer)}: ${(err as Error).message}`);
    this.abort();
    return failure;
  }

  private buffers(): SendBuffers {
    return (this.sendBuffers ??= new SendBuffers(this.ul.peerMaxPduLength));
  }

  /** What was read ahead for `source`, or its file opened now; anything else read ahead is let go. */
  private takeAhead(source: DatasetSource): Ahead {
    const ahead = this.ahead;
    this.ahead = undefined;
    if (ahead && sameSource(ahead.source, source)) return ahead;
    if (ahead) void this.letGo(ahead);
    return { source, file: openDatasetFile(source.path, this.fileReads), first: Promise.resolve(undefined) };
  }

  private readAhead(source: DatasetSource): void {
    void this.letGoAhead();
    // The connection may have ended while the dataset went out: no store will come to take this
    // file, and ended() has already let go of what was read ahead, so opening it would leave it open.
    if (this.lost) return;
    const buffers = this.buffers();
    const file = openDatasetFile(source.path, this.fileReads);
    // A file that cannot be opened or read fails when its turn comes, as it would have without this.
    file.catch(() => undefined);
    const first = file.then((f) => readFirstChunk(buffers, f, source, this.digests)).catch(() => undefined);
    this.ahead = { source, file, first };
  }

  /** Closes a file read ahead for a store that did not come, and gives its buffer back. */
  private async letGo(ahead: Ahead): Promise<void> {
    const first = await ahead.first;
    if (first) this.sendBuffers?.giveBack(first.buffer);
    const handle = await ahead.file.catch(() => undefined);
    await handle?.close().catch(() => undefined);
  }

  private letGoAhead(): Promise<void> {
    const ahead = this.ahead;
    this.ahead = undefined;
    return ahead ? this.letGo(ahead) : Promise.resolve();
  }

  /** C-ECHO on the verification context. */
  echo(): Promise<DimseResponse> {
    const context = this.acceptedContext(VERIFICATION_SOP_CLASS);
    if (!context) return Promise.reject(new ScuError('rejected', `${formatPeer(this.peer)} does not accept the Verification SOP class`));
    const messageId = this.nextMessageId++;
    const response = this.expectResponse(messageId);
    writeCommandPdu(this.ul, context.id, encodeCEchoRq(messageId, VERIFICATION_SOP_CLASS));
    return response;
  }

  private expectResponse(messageId: number): Promise<DimseResponse> {
    if (this.lost) return Promise.reject(this.lost);
    if (this.pending) return Promise.reject(new Error('one request at a time on an association'));
    return new Promise((resolve, reject) => (this.pending = { messageId, resolve, reject }));
  }

  /** Releases politely; falls back to closing the socket if the peer does not answer in time. */
  async release(timeoutMs = 10_000): Promise<void> {
    // A file opened for a store that will not come is closed before the caller goes on.
    await this.letGoAhead();
    if (this.lost) return void this.ul.socket.destroy();
    await this.ul.release(timeoutMs);
    this.ul.socket.destroy();
  }

  abort(): void {
    // Lost from now on, not only once the socket has closed: the next file must not be tried on it.
    this.lost ??= new ScuError('aborted', `${formatPeer(this.peer)}: aborted by the gateway`);
    this.ul.abort(AbortSource.ServiceUser, AbortReason.NotSpecified, 'aborted by the gateway');
  }

  get isLost(): boolean {
    return this.lost !== undefined;
  }

  // --- what the peer sends ---------------------------------------------------------------------

  command(_contextId: number, bytes: Buffer): boolean {
    let command: CommandSet;
    try {
      command = CommandSet.decode(bytes);
    } catch (err) {
      if (!(err instanceof CommandSetError)) throw err;
      this.ul.abort(AbortSource.ServiceUser, AbortReason.NotSpecified, `unreadable response: ${err.message}`);
      return false;
    }
    const field = command.commandField;
    const answered = command.uint16(CommandTag.MessageIdBeingRespondedTo);
    const status = command.uint16(CommandTag.Status);
    const pending = this.pending;
    const isResponse = field === CommandField.CStoreRsp || field === CommandField.CEchoRsp;
    if (!isResponse || !pending || answered !== pending.messageId || status === undefined) {
      this.ul.abort(
        AbortSource.ServiceUser,
        AbortReason.NotSpecified,
        `unexpected command 0x${(field ?? 0).toString(16)} (answering ${answered})`,
      );
      return false;
    }
    if (!PENDING_STATUSES.has(status)) {
      this.pending = undefined;
      const comment = command.text(CommandTag.ErrorComment)?.trim() || undefined;
      pending.resolve({ getStatus: () => status, getErrorComment: () => comment });
    }
    return command.hasDataset;
  }

  datasetData(): void {
    // Responses to C-STORE and C-ECHO carry no dataset; one that does is read past.
  }

  datasetEnded(): void {}

  ended(end: ConnectionEnd): void {
    const where = formatPeer(this.peer);
    const kind: ScuFailureKind =
      end.kind === 'timeout' ? 'timeout' : end.kind === 'peer-aborted' || end.kind === 'aborted' ? 'aborted' : 'network';
    this.lost ??= new ScuError(kind, describeEnd(where, end));
    void this.letGoAhead();
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(this.lost);
  }
}

interface Ahead {
  source: DatasetSource;
  file: Promise<DatasetFile>;
  /** Its first chunk read (and hashed), or undefined (not read ahead, or the read failed). */
  first: Promise<FirstChunk | undefined>;
}

function sameSource(a: DatasetSource, b: DatasetSource): boolean {
  return a.path === b.path && a.offset === b.offset && a.length === b.length && a.padByte === b.padByte;
}

function negotiationError(where: string, err: unknown): ScuError {
  if (err instanceof ScuError) return err;
  if (err instanceof UlEndedError) {
    const end = err.end;
    const kind: ScuFailureKind =
      end.kind === 'rejected' ? 'rejected' : end.kind === 'timeout' ? 'timeout' : end.kind === 'peer-aborted' ? 'aborted' : 'network';
    return new ScuError(kind, end.kind === 'peer-aborted' ? `${describeEnd(where, end)} during negotiation` : describeEnd(where, end));
  }
  return new ScuError('network', `${where}: ${(err as Error).message}`);
}

/** Peer actions read "PEER closed the connection"; our own findings read "PEER: no A-ASSOCIATE-AC within ...". */
function describeEnd(where: string, end: ConnectionEnd): string {
  if (end.kind === 'released') return `${where}: association released`;
  const byPeer = end.kind === 'closed' || end.kind === 'peer-aborted' || end.kind === 'rejected';
  if (byPeer) return `${where} ${end.message}`;
  return end.kind === 'timeout' ? `${where}: timeout (${end.message})` : `${where}: ${end.message}`;
}
