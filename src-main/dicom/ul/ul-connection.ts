/**
 * One DICOM Upper Layer connection (PS3.8 §9.2 state machine), as acceptor or requestor: the
 * ARTIM timer until the association is negotiated and after it is ended, an idle timer while
 * associated, a PDU timer from the first byte of a PDU to its last, our limits on PDU lengths,
 * and the answers the standard requires (A-ASSOCIATE-RJ, A-ABORT) to what a peer gets wrong.
 *
 * Everything a peer sends is handled inside this connection: a PDU that cannot be decoded, a
 * handler that throws, a socket error all end this connection (with an A-ABORT where one is due)
 * and nothing else. The owner learns exactly once, through `ended`, how the connection ended.
 */
import type { Socket } from 'node:net';
import { checkAssociateRq } from './association-request-check.ts';
import {
  PduError,
  decodeAbort,
  decodeAssociateAc,
  decodeAssociateRj,
  decodeAssociateRq,
  encodeAbort,
  encodeAssociateAc,
  encodeAssociateRj,
  encodeAssociateRq,
  encodeReleaseRp,
  encodeReleaseRq,
  type AbortInfo,
  type AssociateAc,
  type AssociateRj,
  type AssociateRq,
} from './pdu-codec.ts';
import { AbortReason, AbortSource, ContextResult, PduType, describeAbort, describeReject } from './pdu-constants.ts';
import { PduFramer, type FramerEvents } from './pdu-framer.ts';

export interface UlTimeouts {
  /** ARTIM: how long the A-ASSOCIATE-RQ (acceptor) or -AC/RJ (requestor) may take to arrive whole. */
  associateMs: number;
  /** How long an open association may stay silent while we wait for the peer. */
  idleMs: number;
  /** How long one PDU may take from its first byte to its last (a trickled PDU is dropped). */
  pduMs: number;
  /** After an A-ABORT, A-ASSOCIATE-RJ or A-RELEASE-RP: how long the peer has to close. */
  closeMs?: number;
}

export interface UlLimits {
  /** Our maximum P-DATA-TF length (the PDU length field); 0: no limit. */
  maxPduLength: number;
  /** Largest A-ASSOCIATE-RQ/AC we read. */
  maxAssociatePdu?: number;
  /** Largest command set we accumulate. */
  maxCommandLength?: number;
}

export type EndKind = 'released' | 'rejected' | 'peer-aborted' | 'aborted' | 'timeout' | 'closed' | 'error';

export interface ConnectionEnd {
  kind: EndKind;
  message: string;
}

/** What an association carries: P-DATA messages, a release, and its end. */
export interface MessageHandler {
  /**
   * A complete command set arrived on an accepted context. Returns whether a dataset follows
   * (the handler reads CommandDataSetType); the handler may abort the connection instead.
   */
  command(contextId: number, command: Buffer): boolean;
  /** A piece of the dataset announced by the last command; a view of a socket chunk. */
  datasetData(contextId: number, slice: Buffer): void;
  /** The last fragment of the dataset arrived. */
  datasetEnded(contextId: number): void;
  ended(end: ConnectionEnd): void;
}

export type AssociateAnswer = { accept: AssociateAc } | { reject: AssociateRj; message: string };

export interface AcceptorHandler extends MessageHandler {
  /** A valid A-ASSOCIATE-RQ (already checked against PS3.8): accept or reject it. */
  associate(rq: AssociateRq): AssociateAnswer;
  /** An RQ checked invalid and answered with RJ or A-ABORT; for logging. */
  refused?(rq: AssociateRq | undefined, message: string): void;
  /** The peer asked to release: the A-RELEASE-RP waits for this (bounded by the idle timeout). */
  beforeRelease?(): Promise<void>;
}

export interface AcceptedContext {
  id: number;
  abstractSyntaxUid: string;
  transferSyntaxUid: string;
}

/** The connection ended before an association was negotiated; `end` says how. */
export class UlEndedError extends Error {
  readonly end: ConnectionEnd;
  constructor(end: ConnectionEnd) {
    super(end.message);
    this.name = 'UlEndedError';
    this.end = end;
  }
}

type Phase = 'awaiting-associate' | 'associated' | 'releasing' | 'closing' | 'closed';

const DEFAULT_MAX_ASSOCIATE_PDU = 256 * 1024;
const DEFAULT_MAX_COMMAND = 64 * 1024;
const DEFAULT_CLOSE_MS = 5_000;

export class UlConnection implements FramerEvents {
  readonly socket: Socket;
  private readonly role: 'acceptor' | 'requestor';
  private readonly timeouts: UlTimeouts;
  private readonly limits: Required<UlLimits>;
  private handler: MessageHandler;
  private readonly framer: PduFramer;
  private phase: Phase = 'awaiting-associate';
  private end: ConnectionEnd | undefined;
  private endReported = false;
  private artim: NodeJS.Timeout | undefined;
  private idle: NodeJS.Timeout | undefined;
  private pduTimer: NodeJS.Timeout | undefined;
  private pduActive = false;
  private paused = false;
  /** Contexts accepted for this association, by ID. */
  readonly contexts = new Map<number, AcceptedContext>();
  /** The peer's maximum P-DATA-TF length for what we send (0: no limit). */
  peerMaxPduLength = 0;
  private proposal: AssociateRq | undefined;
  /** Requestor: settles with the A-ASSOCIATE-AC, or with why there is none. */
  private negotiation: { resolve: (ac: AssociateAc) => void; reject: (err: Error) => void } | undefined;
  private onReleased: (() => void) | undefined;
  private releaseAnswerSent = false;
  // The P-DATA message being received.
  private message: 'none' | 'command' | 'dataset' = 'none';
  private messageContext = 0;
  private messageLast = false;
  private commandParts: Buffer[] = [];
  private commandLength = 0;
  private pdvIsCommand = false;

  private constructor(socket: Socket, role: 'acceptor' | 'requestor', handler: MessageHandler, timeouts: UlTimeouts, limits: UlLimits) {
    this.socket = socket;
    this.role = role;
    this.handler = handler;
    this.timeouts = timeouts;
    this.limits = {
      maxPduLength: limits.maxPduLength,
      maxAssociatePdu: limits.maxAssociatePdu ?? DEFAULT_MAX_ASSOCIATE_PDU,
      maxCommandLength: limits.maxCommandLength ?? DEFAULT_MAX_COMMAND,
    };
    this.framer = new PduFramer(this);
    socket.on('data', (chunk: Buffer) => this.contained(() => this.framer.push(chunk)));
    socket.on('error', (err: NodeJS.ErrnoException) => this.setEnd('error', `connection error: ${err.code ?? err.message}`));
    socket.on('close', () => this.closed());
  }

  /** Serves an accepted socket: the A-ASSOCIATE-RQ must arrive whole within the ARTIM time. */
  static accept(socket: Socket, handler: AcceptorHandler, timeouts: UlTimeouts, limits: UlLimits): UlConnection {
    const connection = new UlConnection(socket, 'acceptor', handler, timeouts, limits);
    connection.startArtim(timeouts.associateMs, 'no A-ASSOCIATE-RQ within');
    return connection;
  }

  /**
   * Requests an association on a connecting socket; resolves with the A-ASSOCIATE-AC, rejects with
   * an Error naming the rejection, abort, timeout or connection failure.
   */
  static request(
    socket: Socket,
    rq: AssociateRq,
    handler: MessageHandler,
    timeouts: UlTimeouts,
    limits: UlLimits,
  ): { connection: UlConnection; accepted: Promise<AssociateAc> } {
    const connection = new UlConnection(socket, 'requestor', handler, timeouts, limits);
    connection.proposal = rq;
    const accepted = new Promise<AssociateAc>((resolve, reject) => (connection.negotiation = { resolve, reject }));
    const start = () => {
      connection.send(encodeAssociateRq(rq));
      connection.startArtim(timeouts.associateMs, 'no A-ASSOCIATE-AC within');
    };
    if (socket.connecting) socket.once('connect', start);
    else start();
    return { connection, accepted };
  }

  get associated(): boolean {
    return this.phase === 'associated';
  }

  /**
   * Writes raw bytes (PDUs the caller framed); false when the socket buffer is full. `flushed` is
   * called once the socket no longer needs `data` (handed to the kernel, or the socket is gone).
   */
  write(data: Buffer, flushed?: () => void): boolean {
    if (this.socket.destroyed || !this.socket.writable) {
      if (flushed) queueMicrotask(flushed);
      return true;
    }
    this.touchIdle();
    return this.socket.write(data, flushed);
  }

  /** Stops reading from the socket (the consumer is behind); timers wait too. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.socket.pause();
    this.clearIdle();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.pduActive) this.startPduTimer();
    this.touchIdle();
    this.socket.resume();
  }

  /** Sends A-RELEASE-RQ; resolves once the peer answered, the connection ended, or `timeoutMs` passed. */
  release(timeoutMs = this.timeouts.idleMs): Promise<void> {
    return new Promise((resolve) => {
      if (this.phase !== 'associated') {
        this.socket.destroy();
        return resolve();
      }
      this.phase = 'releasing';
      this.onReleased = resolve;
      this.send(encodeReleaseRq());
      this.startArtim(timeoutMs, 'no A-RELEASE-RP within');
    });
  }

  /** Sends A-ABORT and closes; `message` says why, for the owner's log. */
  abort(source: number, reason: number, message: string): void {
    if (this.phase === 'closing' || this.phase === 'closed') return;
    this.setEnd('aborted', message);
    this.framer.stop();
    this.send(encodeAbort({ source, reason }));
    this.closeAfterAnswer();
  }

  /** Ends the connection at once, without a word to the peer. */
  destroy(message: string): void {
    this.setEnd('aborted', message);
    this.framer.stop();
    this.socket.destroy();
  }

  // --- framer events ---------------------------------------------------------------------------

  pduStarted(): void {
    this.startPduTimer();
  }

  pduHeader(type: number, length: number, header: Buffer): boolean {
    const known = type >= PduType.AssociateRq && type <= PduType.Abort;
    if (!known) {
      const text = this.phase === 'awaiting-associate' ? textInsteadOfDicom(header) : '';
      this.protocolError(AbortReason.UnrecognizedPdu, `unrecognized PDU type 0x${type.toString(16)}${text}`);
      return false;
    }
    if (
      this.phase === 'awaiting-associate' &&
      type !== this.expectedAssociate() &&
      !this.isAssociateAnswer(type) &&
      type !== PduType.Abort
    ) {
      this.protocolError(AbortReason.UnexpectedPdu, `PDU type 0x${type.toString(16)} before the association was negotiated`);
      return false;
    }
    const limit = this.limitFor(type);
    if (length > limit) {
      const message = `PDU type 0x${type.toString(16)} of ${length} bytes exceeds our limit of ${limit}`;
      // Nothing from this peer has been accepted yet: an over-long first PDU gets no answer, only a reset.
      if (this.phase === 'awaiting-associate') this.reset(message);
      else this.protocolError(AbortReason.InvalidPduParameterValue, message);
      return false;
    }
    return true;
  }

  pdu(type: number, body: Buffer): void {
    this.pduEnded();
    switch (type) {
      case PduType.AssociateRq:
        return this.associateRequested(body);
      case PduType.AssociateAc:
        return this.associateAccepted(body);
      case PduType.AssociateRj:
        return this.associateRejected(body);
      case PduType.ReleaseRq:
        return this.releaseRequested();
      case PduType.ReleaseRp:
        return this.releaseAnswered();
      case PduType.Abort:
        return this.peerAborted(body);
    }
  }

  pdvStarted(contextId: number, control: number, valueLength: number): void {
    if (!this.contexts.has(contextId)) {
      return this.protocolError(AbortReason.InvalidPduParameterValue, `PDV on presentation context ${contextId}, which was not accepted`);
    }
    const isCommand = (control & 1) === 1;
    const last = (control & 2) === 2;
    if (this.message === 'none') {
      if (!isCommand)
        return this.protocolError(AbortReason.UnexpectedPduParameter, `dataset PDV on context ${contextId} without a command before it`);
      this.message = 'command';
      this.messageContext = contextId;
    } else if (contextId !== this.messageContext) {
      return this.protocolError(
        AbortReason.UnexpectedPduParameter,
        `PDV on context ${contextId} inside a message on context ${this.messageContext}`,
      );
    } else if (isCommand !== (this.message === 'command')) {
      return this.protocolError(
        AbortReason.UnexpectedPduParameter,
        `${isCommand ? 'command' : 'dataset'} PDV inside a ${this.message} on context ${contextId}`,
      );
    }
    if (isCommand && this.commandLength + valueLength > this.limits.maxCommandLength) {
      return this.protocolError(AbortReason.InvalidPduParameterValue, `command set longer than ${this.limits.maxCommandLength} bytes`);
    }
    this.pdvIsCommand = isCommand;
    this.messageLast = last;
  }

  pdvData(slice: Buffer): void {
    if (this.pdvIsCommand) {
      // Commands are small and parsed later: keep a copy, not a view of a chunk the socket reuses.
      this.commandParts.push(Buffer.from(slice));
      this.commandLength += slice.length;
    } else {
      this.handler.datasetData(this.messageContext, slice);
    }
  }

  pdvEnded(): void {
    if (!this.messageLast) return;
    const contextId = this.messageContext;
    if (this.pdvIsCommand) {
      const command = this.commandParts.length === 1 ? this.commandParts[0]! : Buffer.concat(this.commandParts);
      this.commandParts = [];
      this.commandLength = 0;
      const hasDataset = this.handler.command(contextId, command);
      this.message = hasDataset ? 'dataset' : 'none';
    } else {
      this.message = 'none';
      this.handler.datasetEnded(contextId);
    }
  }

  pdataEnded(): void {
    this.pduEnded();
  }

  malformed(message: string): void {
    this.protocolError(AbortReason.InvalidPduParameterValue, message);
  }

  // --- association -----------------------------------------------------------------------------

  private expectedAssociate(): number {
    return this.role === 'acceptor' ? PduType.AssociateRq : PduType.AssociateAc;
  }

  private isAssociateAnswer(type: number): boolean {
    return this.role === 'requestor' && type === PduType.AssociateRj;
  }

  private limitFor(type: number): number {
    if (type === PduType.PData) return this.limits.maxPduLength === 0 ? 0xffffffff : this.limits.maxPduLength;
    if (type === PduType.AssociateRq || type === PduType.AssociateAc) return this.limits.maxAssociatePdu;
    return 64;
  }

  private associateRequested(body: Buffer): void {
    if (this.role !== 'acceptor' || this.phase !== 'awaiting-associate') {
      return this.protocolError(AbortReason.UnexpectedPdu, 'A-ASSOCIATE-RQ on an association already negotiated');
    }
    this.clearArtim();
    const acceptor = this.handler as AcceptorHandler;
    let rq: AssociateRq;
    try {
      rq = decodeAssociateRq(body);
    } catch (err) {
      if (!(err instanceof PduError)) throw err;
      acceptor.refused?.(undefined, `A-ASSOCIATE-RQ: ${err.message}`);
      return this.protocolError(err.abortReason, `A-ASSOCIATE-RQ: ${err.message}`);
    }
    const verdict = checkAssociateRq(rq);
    if (verdict.kind === 'reject') return this.reject(rq, verdict.rj, verdict.message);
    if (verdict.kind === 'abort') {
      acceptor.refused?.(rq, verdict.message);
      return this.protocolError(verdict.abort.reason, `A-ASSOCIATE-RQ: ${verdict.message}`);
    }
    const answer = acceptor.associate(rq);
    if ('reject' in answer) return this.reject(rq, answer.reject, answer.message, false);
    this.proposal = rq;
    this.becomeAssociated(answer.accept, rq);
    this.send(encodeAssociateAc(answer.accept));
  }

  private reject(rq: AssociateRq, rj: AssociateRj, message: string, report = true): void {
    if (report) (this.handler as AcceptorHandler).refused?.(rq, message);
    this.setEnd('rejected', `association rejected (${describeReject(rj.result, rj.source, rj.reason)}): ${message}`);
    this.send(encodeAssociateRj(rj));
    this.closeAfterAnswer();
  }

  private associateAccepted(body: Buffer): void {
    if (this.role !== 'requestor' || this.phase !== 'awaiting-associate') {
      return this.protocolError(AbortReason.UnexpectedPdu, 'unexpected A-ASSOCIATE-AC');
    }
    this.clearArtim();
    let ac: AssociateAc;
    try {
      ac = decodeAssociateAc(body);
    } catch (err) {
      if (!(err instanceof PduError)) throw err;
      return this.protocolError(err.abortReason, `A-ASSOCIATE-AC: ${err.message}`);
    }
    const proposed = new Set(this.proposal!.contexts.map((c) => c.id));
    const stranger = ac.contexts.find((c) => !proposed.has(c.id));
    if (stranger)
      return this.protocolError(
        AbortReason.InvalidPduParameterValue,
        `A-ASSOCIATE-AC answers presentation context ${stranger.id}, which we did not propose`,
      );
    this.becomeAssociated(ac, this.proposal!);
    this.negotiation?.resolve(ac);
    this.negotiation = undefined;
  }

  private becomeAssociated(ac: AssociateAc, rq: AssociateRq): void {
    const proposals = new Map(rq.contexts.map((c) => [c.id, c]));
    for (const c of ac.contexts) {
      const proposal = proposals.get(c.id);
      if (c.result === ContextResult.Acceptance && proposal) {
        this.contexts.set(c.id, { id: c.id, abstractSyntaxUid: proposal.abstractSyntaxUid, transferSyntaxUid: c.transferSyntaxUid });
      }
    }
    this.peerMaxPduLength = this.role === 'acceptor' ? rq.maxPduLength : ac.maxPduLength;
    this.phase = 'associated';
    this.touchIdle();
  }

  private associateRejected(body: Buffer): void {
    if (this.role !== 'requestor' || this.phase !== 'awaiting-associate') {
      return this.protocolError(AbortReason.UnexpectedPdu, 'unexpected A-ASSOCIATE-RJ');
    }
    const rj = decodeAssociateRj(body);
    this.setEnd('rejected', `rejected the association (${describeReject(rj.result, rj.source, rj.reason)})`);
    this.framer.stop();
    this.socket.destroy();
  }

  private releaseRequested(): void {
    if (this.phase !== 'associated') return this.protocolError(AbortReason.UnexpectedPdu, 'A-RELEASE-RQ outside an association');
    this.setEnd('released', 'released');
    const ready = this.role === 'acceptor' ? (this.handler as AcceptorHandler).beforeRelease?.() : undefined;
    if (!ready) return this.answerRelease();
    // Nothing may follow an A-RELEASE-RQ but our answer: stop reading while the handler finishes.
    this.framer.stop();
    this.clearIdle();
    this.clearPduTimer();
    this.phase = 'closing';
    const bound = setTimeout(() => this.answerRelease(), this.timeouts.idleMs);
    void ready
      .catch(() => undefined)
      .then(() => {
        clearTimeout(bound);
        this.answerRelease();
      });
  }

  private answerRelease(): void {
    if (this.socket.destroyed || this.releaseAnswerSent) return;
    this.releaseAnswerSent = true;
    this.send(encodeReleaseRp());
    this.closeAfterAnswer();
  }

  private releaseAnswered(): void {
    if (this.phase !== 'releasing') return this.protocolError(AbortReason.UnexpectedPdu, 'A-RELEASE-RP without a release request');
    this.setEnd('released', 'released');
    this.clearArtim();
    this.phase = 'closing';
    this.socket.end();
    this.startArtim(this.timeouts.closeMs ?? DEFAULT_CLOSE_MS, 'peer did not close within');
    this.onReleased?.();
  }

  private peerAborted(body: Buffer): void {
    let info: AbortInfo = { source: AbortSource.ServiceUser, reason: 0 };
    try {
      info = decodeAbort(body);
    } catch {
      // An A-ABORT too short to read is still an abort.
    }
    this.setEnd('peer-aborted', `aborted the association (${describeAbort(info.source, info.reason)})`);
    this.framer.stop();
    this.socket.destroy();
  }

  // --- ending ----------------------------------------------------------------------------------

  /** A-ABORT from the service provider (PS3.8 AA-1 / AA-8), then close. */
  private protocolError(reason: number, message: string): void {
    this.abort(AbortSource.ServiceProvider, reason, message);
  }

  private reset(message: string): void {
    this.setEnd('aborted', message);
    this.framer.stop();
    this.socket.resetAndDestroy();
  }

  /** The answer is written; the peer closes, or the ARTIM timer closes for it. */
  private closeAfterAnswer(): void {
    this.phase = 'closing';
    this.framer.stop();
    this.clearIdle();
    this.clearPduTimer();
    this.socket.end();
    this.startArtim(this.timeouts.closeMs ?? DEFAULT_CLOSE_MS, 'peer did not close within');
  }

  private setEnd(kind: EndKind, message: string): void {
    this.end ??= { kind, message };
  }

  private closed(): void {
    const wasReleasing = this.phase === 'releasing';
    this.phase = 'closed';
    this.clearArtim();
    this.clearIdle();
    this.clearPduTimer();
    this.framer.stop();
    if (wasReleasing) this.onReleased?.();
    if (this.endReported) return;
    this.endReported = true;
    const end = this.end ?? { kind: 'closed' as const, message: 'closed the connection' };
    this.negotiation?.reject(new UlEndedError(end));
    this.negotiation = undefined;
    this.contained(() => this.handler.ended(end));
  }

  private send(pdu: Buffer): void {
    this.write(pdu);
  }

  /** Every handler and library call runs here: what it throws ends this connection, nothing else. */
  private contained(work: () => void): void {
    try {
      work();
    } catch (err) {
      const message = `internal error: ${(err as Error).message}`;
      if (this.phase === 'associated' || this.phase === 'releasing')
        this.abort(AbortSource.ServiceProvider, AbortReason.NotSpecified, message);
      else this.destroy(message);
    }
  }

  // --- timers ----------------------------------------------------------------------------------

  private startArtim(ms: number, what: string): void {
    this.clearArtim();
    this.artim = setTimeout(() => this.timedOut(`${what} ${ms} ms`), ms);
    this.artim.unref?.();
  }

  private clearArtim(): void {
    if (this.artim) clearTimeout(this.artim);
    this.artim = undefined;
  }

  // The idle and PDU timers are created once and re-armed with refresh(): a receive of many PDUs
  // costs no timer allocation per PDU.
  private touchIdle(): void {
    if ((this.phase !== 'associated' && this.phase !== 'releasing') || this.paused) return this.clearIdle();
    if (this.idle) this.idle.refresh();
    else this.idle = setTimeout(() => this.timedOut(`association silent for ${this.timeouts.idleMs} ms`), this.timeouts.idleMs);
  }

  private clearIdle(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = undefined;
  }

  private startPduTimer(): void {
    this.pduActive = true;
    if (this.paused) return;
    if (this.pduTimer) this.pduTimer.refresh();
    else this.pduTimer = setTimeout(() => this.pduTimedOut(), this.timeouts.pduMs);
  }

  /** A PDU is complete: the timer stays armed (no re-allocation) and finds nothing to do if it fires. */
  private stopPduTimer(): void {
    this.pduActive = false;
  }

  private pduTimedOut(): void {
    if (this.pduActive && !this.paused) this.timedOut(`a PDU took longer than ${this.timeouts.pduMs} ms to arrive`);
  }

  private clearPduTimer(): void {
    this.pduActive = false;
    if (this.pduTimer) clearTimeout(this.pduTimer);
    this.pduTimer = undefined;
  }

  private pduEnded(): void {
    this.stopPduTimer();
    this.touchIdle();
  }

  private timedOut(message: string): void {
    this.setEnd('timeout', message);
    if (this.phase === 'associated') this.abort(AbortSource.ServiceProvider, AbortReason.NotSpecified, message);
    else {
      this.framer.stop();
      this.socket.destroy();
    }
  }
}

/**
 * Words for a first PDU that is printable text: another kind of program on the port (a web server
 * answers "HTTP/1.1 400"), which a bare "PDU type 0x48" would not tell a person.
 */
function textInsteadOfDicom(header: Buffer): string {
  const text = header.toString('latin1');
  return /^[\x20-\x7e]+$/.test(text) ? `: the peer sent text ("${text}…"), not DICOM; is it a web server or another kind of program?` : '';
}
