/**
 * One inbound association, built on dcmjs-dimse's Scp with the library's two store seams:
 * createStoreWritableStream (our streaming, hashing temp-file writer) and
 * createDatasetFromStoreWritableStream (called when the last fragment arrived; we answer only
 * once the instance is durable and indexed).
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import type { IndexRepository } from '../db/index-repository.ts';
import type { GatewayEventBus } from '../events.ts';
import type { Logger } from '../log/logger.ts';
import { IncomingInstanceWriter, StoreWriteError } from '../store/incoming-instance-writer.ts';
import { UnreadableInstanceError, type InstanceStore } from '../store/instance-store.ts';
import {
  CEchoResponse,
  CStoreResponse,
  Scp,
  constants,
  type AssociationType,
  type CEchoRequestType,
  type CStoreRequestType,
  type NetworkInternals,
  type PresentationContextType,
} from './dimse-library.ts';
import { Status, describeStatus, statusHex } from './dimse-status.ts';
import { withNetworkFixes } from './network-fixes.ts';
import { CommandTag, readCommandText, recordCommandBytes } from './raw-command.ts';
import type { MetaGroupFields } from './p10-writer.ts';
import { acceptedSyntax, negotiate } from './scp-negotiation.ts';
import { describeTransferSyntax } from './transfer-syntax.ts';
import { trimUid, uidProblem } from './uid.ts';

export interface ScpConfig {
  aeTitle: string;
  /** Largest PDU we accept; peers' PDUs to us are at most this long. */
  maxPduLength: number;
  /** Empty: any calling AE may connect. */
  allowedCallingAes: string[];
  acceptUnknownSopClasses: boolean;
  maxAssociations: number;
  connectTimeoutMs: number;
  associationTimeoutMs: number;
  pduTimeoutMs: number;
}

export interface ScpServices {
  config: ScpConfig;
  store: InstanceStore;
  repo: IndexRepository;
  events: GatewayEventBus;
  logger: Logger;
}

/** What a connection needs to know of the others: how many are accepted, and that it is gone. */
export interface ConnectionCount {
  acceptedCount(): number;
  remove(connection: StoreScpConnection): void;
}

interface ReceiveOutcome {
  status: number;
  reason: string | undefined;
}

/** Stands in for the library's Dataset: the instance is on disk; the command only needs the outcome. */
class ReceivedDataset {
  readonly outcome: ReceiveOutcome;
  private readonly transferSyntaxUid: string;
  constructor(outcome: ReceiveOutcome, transferSyntaxUid: string) {
    this.outcome = outcome;
    this.transferSyntaxUid = transferSyntaxUid;
  }
  getTransferSyntaxUid(): string {
    return this.transferSyntaxUid;
  }
}

/** Swallows the bytes of an instance refused before it was written (e.g. an unsafe UID). */
class RefusedInstance extends EventEmitter {
  readonly outcome: ReceiveOutcome;
  constructor(outcome: ReceiveOutcome) {
    super();
    this.outcome = outcome;
  }
  write(): boolean {
    return true;
  }
  end(): void {}
}

const FixedScp = withNetworkFixes(Scp);

export class StoreScpConnection extends FixedScp {
  private readonly services: ScpServices;
  private readonly registry: ConnectionCount;
  declare readonly socket: Socket;
  private associationId: number | null = null;
  private callingAe = '';
  private calledAe = '';
  private readonly peer: string;
  private readonly openedAt = new Date().toISOString();
  private instances = 0;
  private bytes = 0;
  private result = 'released';
  private accepted = false;
  /** Settles when the instance being received has been answered; drain waits on it. */
  private inFlight: Promise<unknown> | undefined;
  private readonly whenClosed: Promise<void>;
  /** The bytes of the last command received, to read its UIDs as sent (see raw-command.ts). */
  private readonly lastCommand: () => Buffer | undefined;
  /** What the C-STORE-RQ of the instance being received said about it. */
  private receivingMeta: MetaGroupFields | undefined;

  constructor(socket: Socket, services: ScpServices, registry: ConnectionCount) {
    super(socket, {
      connectTimeout: services.config.connectTimeoutMs,
      associationTimeout: services.config.associationTimeoutMs,
      pduTimeout: services.config.pduTimeoutMs,
    });
    this.services = services;
    this.registry = registry;
    this.lastCommand = recordCommandBytes(this as unknown as NetworkInternals);
    this.peer = `${socket.remoteAddress}:${socket.remotePort}`;
    this.whenClosed = new Promise((resolve) =>
      this.on('close', () => {
        this.closed();
        resolve();
      }),
    );
    this.on('networkError', (err: Error) => {
      if (this.result === 'released') this.result = `error: ${err.message}`;
      socket.destroy();
    });
  }

  override associationRequested(association: AssociationType): void {
    this.callingAe = association.getCallingAeTitle().trim();
    this.calledAe = association.getCalledAeTitle().trim();
    const { config, logger } = this.services;
    const refusal = this.refusal();
    if (refusal) {
      this.result = `rejected: ${refusal.reason}`;
      logger.warn('association.rejected', { callingAe: this.callingAe, calledAe: this.calledAe, peer: this.peer, reason: refusal.reason });
      this.sendAssociationReject(refusal.result, refusal.source, refusal.reasonCode);
      return;
    }
    for (const { id } of association.getPresentationContexts()) {
      negotiate(association.getPresentationContext(id), config.acceptUnknownSopClasses);
    }
    // The A-ASSOCIATE-AC announces the largest PDU *we* receive. The library would send the smaller
    // of ours and the requestor's own limit, which only makes the peer cut its data into smaller
    // PDUs than we can take. Setting ours here leaves its min() nothing to lower. (Our own PDUs to
    // the peer are C-STORE/C-ECHO responses, far below any peer's limit.)
    association.setMaxPduLength(config.maxPduLength);
    this.sendAssociationAccept();
    this.accepted = true;
    this.associationId = this.services.repo.openAssociation({
      direction: 'inbound', callingAe: this.callingAe, calledAe: this.calledAe, peer: this.peer, startedAt: this.openedAt,
    });
    logger.info('association.opened', { association: this.associationId, callingAe: this.callingAe, calledAe: this.calledAe, peer: this.peer });
    this.services.events.emit('association-opened', this.describe());
  }

  private refusal() {
    const { config } = this.services;
    const { RejectResult, RejectSource, RejectReason } = constants;
    if (config.allowedCallingAes.length > 0 && !config.allowedCallingAes.includes(this.callingAe)) {
      return {
        reason: `calling AE "${this.callingAe}" is not on the allow-list`,
        result: RejectResult.Permanent, source: RejectSource.ServiceUser, reasonCode: RejectReason.CallingAeNotRecognized,
      };
    }
    if (this.registry.acceptedCount() >= config.maxAssociations) {
      return {
        reason: `already ${config.maxAssociations} associations open (local limit)`,
        result: RejectResult.Transient, source: RejectSource.ServiceProviderPresentation, reasonCode: RejectReason.LocalLimitExceeded,
      };
    }
    return undefined;
  }

  override associationReleaseRequested(): void {
    // Each C-STORE was answered once durable (in the store's journal); the release is answered once
    // all of it is also filed and indexed, so a sender that is done finds its instances in the store.
    void this.services.store.indexed().finally(() => {
      if (!this.socket.destroyed) this.sendAssociationReleaseResponse();
    });
  }

  override abort(): void {
    this.result = 'aborted';
  }

  override cEchoRequest(request: CEchoRequestType, callback: (response: InstanceType<typeof CEchoResponse>) => void): void {
    const response = CEchoResponse.fromRequest(request);
    response.setStatus(Status.Success);
    callback(response);
  }

  override createStoreWritableStream(context: PresentationContextType, request: CStoreRequestType): any {
    const command = this.lastCommand();
    const asSent = (tag: number, parsed: unknown) =>
      (command && readCommandText(command, tag)) ?? trimUid(String(parsed ?? ''));
    const meta: MetaGroupFields = {
      sopClassUid: asSent(CommandTag.AffectedSopClassUid, request.getAffectedSopClassUid()),
      sopInstanceUid: asSent(CommandTag.AffectedSopInstanceUid, request.getAffectedSopInstanceUid()),
      transferSyntaxUid: acceptedSyntax(context),
    };
    const problem = uidProblem(meta.sopInstanceUid)
      ? `Affected SOP Instance UID ${JSON.stringify(meta.sopInstanceUid)} ${uidProblem(meta.sopInstanceUid)}`
      : uidProblem(meta.sopClassUid)
        ? `Affected SOP Class UID ${JSON.stringify(meta.sopClassUid)} ${uidProblem(meta.sopClassUid)}`
        : undefined;
    this.receivingMeta = meta;
    if (problem) return new RefusedInstance({ status: Status.CannotUnderstand, reason: problem });
    const socket = this.socket;
    return this.services.store.beginIncoming(meta, { pause: () => socket.pause(), resume: () => socket.resume() });
  }

  override createDatasetFromStoreWritableStream(writable: any, context: PresentationContextType, callback: (dataset: any) => void): void {
    const transferSyntaxUid = acceptedSyntax(context);
    const settled = this.settle(writable as IncomingInstanceWriter | RefusedInstance, this.receivingMeta!).then((outcome) =>
      callback(new ReceivedDataset(outcome, transferSyntaxUid)),
    );
    this.inFlight = settled;
  }

  override cStoreRequest(request: CStoreRequestType, callback: (response: InstanceType<typeof CStoreResponse>) => void): void {
    const { outcome } = request.getDataset() as unknown as ReceivedDataset;
    const response = CStoreResponse.fromRequest(request);
    response.setStatus(outcome.status);
    if (outcome.reason) response.setErrorComment(outcome.reason.slice(0, 64));
    callback(response);
  }

  private async settle(writable: IncomingInstanceWriter | RefusedInstance, meta: MetaGroupFields): Promise<ReceiveOutcome> {
    if (writable instanceof RefusedInstance) return this.failed(meta, writable.outcome);
    try {
      const stored = await this.services.store.commit(writable, meta, {
        associationId: this.associationId, callingAe: this.callingAe, calledAe: this.calledAe, peer: this.peer,
      });
      this.instances++;
      this.bytes += stored.written.datasetLength;
      const event = {
        associationId: this.associationId ?? 0, callingAe: this.callingAe, ...meta,
        studyInstanceUid: stored.fields.studyInstanceUid, seriesInstanceUid: stored.fields.seriesInstanceUid,
        bytes: stored.written.datasetLength, datasetSha256: stored.written.datasetSha256,
        path: stored.path, version: stored.version, time: new Date().toISOString(),
      };
      // Told once indexed (just after the answer): what the UI then reads from the index has it.
      void stored.indexed.then(() => {
        this.services.logger.info(stored.kind === 'stored' ? 'instance.stored' : 'instance.duplicate', {
          association: this.associationId, callingAe: this.callingAe, sopInstanceUid: meta.sopInstanceUid,
          transferSyntax: meta.transferSyntaxUid, bytes: event.bytes, path: stored.path, version: stored.version,
        });
        this.services.events.emit(stored.kind === 'stored' ? 'instance-stored' : 'instance-duplicate', event);
      });
      return { status: Status.Success, reason: undefined };
    } catch (err) {
      if (err instanceof StoreWriteError) return this.failed(meta, { status: Status.OutOfResources, reason: err.message });
      if (err instanceof UnreadableInstanceError) return this.failed(meta, { status: Status.CannotUnderstand, reason: err.message });
      return this.failed(meta, { status: Status.ProcessingFailure, reason: (err as Error).message });
    }
  }

  private failed(meta: MetaGroupFields, outcome: ReceiveOutcome): ReceiveOutcome {
    const fields = {
      association: this.associationId, callingAe: this.callingAe, sopInstanceUid: meta.sopInstanceUid,
      transferSyntax: describeTransferSyntax(meta.transferSyntaxUid), status: statusHex(outcome.status),
      meaning: describeStatus(outcome.status), reason: outcome.reason,
    };
    this.services.logger.error('instance.failed', fields);
    this.services.events.emit('instance-failed', {
      associationId: this.associationId ?? 0, callingAe: this.callingAe, ...meta,
      status: outcome.status, statusHex: statusHex(outcome.status), reason: outcome.reason ?? describeStatus(outcome.status),
      time: new Date().toISOString(),
    });
    return outcome;
  }

  isAccepted(): boolean {
    return this.accepted;
  }

  /** Finishes the instance in flight (its answer is sent), then ends the association and waits until it is closed. */
  async drain(graceMs = 5000): Promise<void> {
    await this.inFlight?.catch(() => undefined);
    this.result = 'aborted: gateway shutting down';
    if (!this.socket.destroyed) {
      this.sendAbort(constants.AbortSource.ServiceProvider, constants.AbortReason.NotSpecified);
      this.socket.end();
    }
    const timer = setTimeout(() => this.socket.destroy(), graceMs);
    await this.whenClosed;
    clearTimeout(timer);
  }

  private describe() {
    return {
      associationId: this.associationId ?? 0, direction: 'inbound' as const, callingAe: this.callingAe,
      calledAe: this.calledAe, peer: this.peer, time: this.openedAt,
    };
  }

  private closed(): void {
    this.registry.remove(this);
    if (this.associationId === null) return;
    this.services.repo.closeAssociation(this.associationId, new Date().toISOString(), this.instances, this.bytes, this.result);
    this.services.logger.info('association.closed', {
      association: this.associationId, callingAe: this.callingAe, instances: this.instances, bytes: this.bytes, result: this.result,
    });
    this.services.events.emit('association-closed', { ...this.describe(), instances: this.instances, bytes: this.bytes, result: this.result });
  }
}
