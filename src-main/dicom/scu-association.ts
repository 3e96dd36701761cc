/**
 * An outgoing association: connect (TCP_NODELAY), negotiate, run requests one at a time, release.
 * Built from dcmjs-dimse's Network and Association; the library's Client is not used because it
 * proposes only implicit/explicit little endian, which would force transcoding.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import {
  Association,
  Network,
  constants,
  type AssociationType,
  type NetworkInternals,
  type PresentationContextType,
} from './dimse-library.ts';
import { withNetworkFixes } from './network-fixes.ts';
import { formatPeer, type PeerAddress } from './peer-address.ts';
import { writeCommandPdu, writeDatasetPdus, type DatasetSource } from './pdata-writer.ts';

export interface AssociationOptions {
  callingAe: string;
  /** The largest PDU we accept from the peer. */
  maxPduLength?: number;
  connectTimeoutMs?: number;
  /** How long a peer may stay silent once connected (association and DIMSE). */
  idleTimeoutMs?: number;
}

export interface ProposedContext {
  abstractSyntaxUid: string;
  transferSyntaxUids: string[];
}

export interface DimseResponse {
  getStatus(): number;
  getErrorComment(): string | undefined;
}

/** 'unreadable': we aborted because a dataset could not be read from disk once its command was sent. */
export type ScuFailureKind = 'connection-refused' | 'timeout' | 'rejected' | 'aborted' | 'network' | 'unreadable';

/** Why an association could not be made or was lost; the message names the peer. */
export class ScuError extends Error {
  readonly kind: ScuFailureKind;
  constructor(kind: ScuFailureKind, message: string) {
    super(message);
    this.name = 'ScuError';
    this.kind = kind;
  }
}

/**
 * A dataset whose bytes come straight from a file region; never parsed, never re-encoded. It is
 * opened before its C-STORE-RQ is sent: once the command is on the wire, a file that cannot be
 * read leaves no way out but an abort, while a file missing beforehand fails alone.
 */
export class FileDataset {
  readonly source: DatasetSource;
  readonly file: FileHandle;
  private readonly transferSyntaxUid: string;
  onBytes: (sent: number) => void = () => {};
  /** Settles once the last fragment is on the wire, with the SHA-256 of what was sent. */
  sent: Promise<string> | undefined;
  private constructor(source: DatasetSource, file: FileHandle, transferSyntaxUid: string) {
    this.source = source;
    this.file = file;
    this.transferSyntaxUid = transferSyntaxUid;
  }
  /** Rejects with an error naming the file when it cannot be opened. */
  static async open(source: DatasetSource, transferSyntaxUid: string): Promise<FileDataset> {
    try {
      return new FileDataset(source, await open(source.path, 'r'), transferSyntaxUid);
    } catch (err) {
      throw new Error(`${source.path}: cannot be opened to send: ${(err as Error).message}`);
    }
  }
  getTransferSyntaxUid(): string {
    return this.transferSyntaxUid;
  }
  /** Closes the file once nothing reads it any more. */
  async close(): Promise<void> {
    await this.sent?.catch(() => undefined);
    await this.file.close();
  }
}

/** Emitted by the network when a FileDataset fails after its command went out. */
const DATASET_FAILED = 'datasetFailed';

/** Sends FileDataset requests byte for byte from disk instead of through dcmjs's writer. */
class ScuNetwork extends withNetworkFixes(Network) {}
const base = Network.prototype as NetworkInternals;
(ScuNetwork.prototype as NetworkInternals)._sendPDataTF = function (this: NetworkInternals, command, pcId, maxPduLength) {
  const dataset = command.getDataset();
  if (!(dataset instanceof FileDataset)) return base._sendPDataTF.call(this, command, pcId, maxPduLength);
  writeCommandPdu(this.socket, pcId, command.getCommandDataset().getDenaturalizedCommandDataset());
  dataset.sent = writeDatasetPdus(this.socket, pcId, maxPduLength, dataset.file, dataset.source, dataset.onBytes);
  // The peer now waits for the rest of a dataset that will not come: only an abort ends that wait
  // (swallowing this error once left the association silent until the idle timeout).
  dataset.sent.catch((err: Error) => this.emit(DATASET_FAILED, err));
};

export class ScuAssociation {
  readonly peer: PeerAddress;
  readonly association: AssociationType;
  private readonly network: NetworkInternals;
  private readonly socket: Socket;
  private lost: ScuError | undefined;
  private readonly lostListeners = new Set<(err: ScuError) => void>();

  private constructor(peer: PeerAddress, association: AssociationType, network: NetworkInternals, socket: Socket) {
    this.peer = peer;
    this.association = association;
    this.network = network;
    this.socket = socket;
    const loseWith = (err: ScuError) => {
      if (this.lost) return;
      this.lost = err;
      for (const listener of this.lostListeners) listener(err);
    };
    network.on('networkError', (err: Error) => loseWith(new ScuError('network', `${formatPeer(peer)}: ${err.message}`)));
    network.on('abort', () => loseWith(new ScuError('aborted', `${formatPeer(peer)} aborted the association`)));
    network.on('close', () => loseWith(new ScuError('network', `${formatPeer(peer)} closed the connection`)));
    network.on(DATASET_FAILED, (err: Error) => {
      loseWith(new ScuError('unreadable', `${formatPeer(peer)}: association aborted: ${err.message}`));
      this.abort();
    });
  }

  static open(peer: PeerAddress, opts: AssociationOptions, contexts: ProposedContext[]): Promise<ScuAssociation> {
    const association = new Association(opts.callingAe, peer.aeTitle);
    if (opts.maxPduLength) association.setMaxPduLength(opts.maxPduLength);
    for (const context of contexts) {
      const pcId = association.addPresentationContext(context.abstractSyntaxUid);
      for (const ts of context.transferSyntaxUids) association.addTransferSyntaxToPresentationContext(pcId, ts);
    }
    const socket = connect({ host: peer.host, port: peer.port, noDelay: true });
    const timeout = opts.idleTimeoutMs ?? 60_000;
    const network = new ScuNetwork(socket, { connectTimeout: opts.connectTimeoutMs ?? 15_000, associationTimeout: timeout, pduTimeout: timeout });
    const where = formatPeer(peer);
    return new Promise((resolve, reject) => {
      const fail = (err: ScuError) => {
        socket.destroy();
        reject(err);
      };
      socket.once('error', (err: NodeJS.ErrnoException) =>
        fail(new ScuError(err.code === 'ECONNREFUSED' ? 'connection-refused' : 'network', `cannot connect to ${where}: ${err.code ?? err.message}`)),
      );
      socket.once('timeout', () => fail(new ScuError('timeout', `${where} did not answer within ${opts.connectTimeoutMs ?? 15_000} ms`)));
      network.on('connect', () => network.sendAssociationRequest(association));
      network.on('associationRejected', (rj: { result: number; source: number; reason: number }) =>
        fail(new ScuError('rejected', `${where} rejected the association (${describeReject(rj)})`)),
      );
      network.on('abort', () => fail(new ScuError('aborted', `${where} aborted the association during negotiation`)));
      network.on('associationAccepted', () => {
        // The library arms the socket's idle timer with the connect timeout and leaves it there,
        // which cut off a peer slower than that to answer a C-STORE; from here silence is bounded
        // by the idle timeout (both ways: a long send keeps the timer fresh).
        socket.setTimeout(timeout);
        resolve(new ScuAssociation(peer, association, network, socket));
      });
    });
  }

  /** The accepted context for this SOP class (and exactly this transfer syntax, when given). */
  acceptedContext(abstractSyntaxUid: string, transferSyntaxUid?: string): PresentationContextType | undefined {
    for (const { id } of this.association.getPresentationContexts()) {
      const context = this.association.getPresentationContext(id);
      if (
        context.getAbstractSyntaxUid() === abstractSyntaxUid &&
        context.getResult() === constants.PresentationContextResult.Accept &&
        (transferSyntaxUid === undefined || context.getAcceptedTransferSyntaxUid() === transferSyntaxUid)
      ) {
        return context;
      }
    }
    return undefined;
  }

  /** The peer's answer to our proposal of this exact (SOP class, syntax) context; undefined if not proposed. */
  proposalResult(abstractSyntaxUid: string, transferSyntaxUid: string): number | undefined {
    for (const { id } of this.association.getPresentationContexts()) {
      const context = this.association.getPresentationContext(id);
      if (context.getAbstractSyntaxUid() === abstractSyntaxUid && context.getTransferSyntaxUids().includes(transferSyntaxUid)) {
        return context.getResult();
      }
    }
    return undefined;
  }

  /** Sends one request and resolves with its final response. */
  request(request: { on(event: string, listener: (...args: any[]) => void): unknown }): Promise<DimseResponse> {
    return new Promise((resolve, reject) => {
      if (this.lost) return reject(this.lost);
      let response: DimseResponse | undefined;
      const onLost = (err: ScuError) => reject(err);
      this.lostListeners.add(onLost);
      request.on('response', (r: DimseResponse) => (response = r));
      request.on('done', () => {
        this.lostListeners.delete(onLost);
        if (response) resolve(response);
        else reject(new ScuError('network', `${formatPeer(this.peer)} sent no response`));
      });
      this.network.sendRequests(request);
    });
  }

  /** Releases politely; falls back to closing the socket if the peer does not answer. */
  async release(timeoutMs = 10_000): Promise<void> {
    if (this.lost || this.socket.destroyed) {
      this.socket.destroy();
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.network.once('associationReleaseResponse', done);
      this.network.once('close', done);
      this.network.sendAssociationReleaseRequest();
    });
    this.socket.end();
  }

  abort(): void {
    if (!this.socket.destroyed) {
      this.network.sendAbort(constants.AbortSource.ServiceUser, constants.AbortReason.NotSpecified);
      this.socket.destroy();
    }
  }
}

function describeReject(rj: { result: number; source: number; reason: number }): string {
  const { RejectResult, RejectSource, RejectReason } = constants;
  const result = rj.result === RejectResult.Permanent ? 'permanent' : 'transient';
  const reasons: Record<string, string> =
    rj.source === RejectSource.ServiceUser
      ? {
          [RejectReason.NoReasonGiven]: 'no reason given',
          [RejectReason.ApplicationContextNotSupported]: 'application context not supported',
          [RejectReason.CallingAeNotRecognized]: 'calling AE title not recognized',
          [RejectReason.CalledAeNotRecognized]: 'called AE title not recognized',
        }
      : rj.source === RejectSource.ServiceProviderAcse
        ? { 1: 'no reason given', 2: 'protocol version not supported' }
        : { 1: 'temporary congestion', 2: 'local limit exceeded' };
  return `${result}, ${reasons[rj.reason] ?? `reason ${rj.reason}`}`;
}
