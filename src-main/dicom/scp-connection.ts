/**
 * One inbound connection: the Upper Layer (ul/) negotiates and frames, this class speaks DIMSE
 * over it. It answers C-ECHO, hands each C-STORE dataset to the instance receiver as it arrives
 * (PDV slices, no copy) and answers with the status the receiver settles on. What an association
 * means to the rest of the gateway (index rows, UI events) is the observer's business, passed in.
 */
import type { Socket } from 'node:net';
import { CommandField, CommandSet, CommandSetError, CommandTag, encodeResponse } from './dimse-command.ts';
import { Status } from './dimse-status.ts';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './implementation.ts';
import type { MetaGroupFields } from './p10-writer.ts';
import { socketPeer } from './peer-address.ts';
import { negotiate } from './scp-negotiation.ts';
import { writeCommandPdu } from './pdata-writer.ts';
import type { AssociateRq } from './ul/pdu-codec.ts';
import { AbortReason, AbortSource, RejectReason, RejectResult, RejectSource } from './ul/pdu-constants.ts';
import { UlConnection, type AcceptorHandler, type AssociateAnswer, type ConnectionEnd } from './ul/ul-connection.ts';

export interface ScpConfig {
  aeTitle: string;
  /** Largest PDU we accept; peers' PDUs to us are at most this long. */
  maxPduLength: number;
  /** Empty: any calling AE may connect. */
  allowedCallingAes: string[];
  acceptUnknownSopClasses: boolean;
  maxAssociations: number;
  /** The A-ASSOCIATE-RQ must arrive whole within this time after the connection is accepted. */
  connectTimeoutMs: number;
  /** An open association may stay silent this long. */
  associationTimeoutMs: number;
  /** One PDU may take this long from its first byte to its last. */
  pduTimeoutMs: number;
  /** Connections not yet associated, at most; a new one beyond it closes the oldest. */
  maxPendingConnections?: number;
}

/** Who is on the other end of an association. */
export interface InboundAssociation {
  callingAe: string;
  calledAe: string;
  /** "address:port" (socketPeer) */
  peer: string;
  openedAt: string;
}

/** Bookkeeping of associations (index rows, logs, UI events): the gateway's, not the protocol's. */
export interface AssociationObserver {
  /** Returns the association's ID for the records. */
  opened(association: InboundAssociation): number | null;
  rejected(association: InboundAssociation, reason: string): void;
  closed(id: number | null, association: InboundAssociation, summary: { instances: number; bytes: number; result: string }): void;
  /** A TLS handshake failed before any association (plain client, missing or untrusted certificate). */
  tlsRefused?(peer: string, reason: string): void;
  /** A connection ended before it asked for an association (not DICOM, silent, closed at once). */
  endedUnassociated?(peer: string, end: ConnectionEnd): void;
}

export interface FlowControl {
  pause(): void;
  resume(): void;
}

/** What the C-STORE-RQ said about the instance, as sent, and who sent it. */
export interface IncomingInstance {
  meta: MetaGroupFields;
  associationId: number | null;
  association: InboundAssociation;
}

/** The answer to a C-STORE: its status, and for a failure why (the error comment). */
export interface StoreAnswer {
  status: number;
  comment?: string;
  /** Dataset bytes kept (for the association's count). */
  bytes?: number;
}

/** Receives one instance's dataset: slices as they arrive, then end() settles the answer. */
export interface InstanceSink {
  write(slice: Buffer): void;
  end(): Promise<StoreAnswer>;
  /** The transfer ended before its last fragment: drop what was written. */
  abort(reason: string): void;
}

export interface InstanceReceiver {
  begin(instance: IncomingInstance, flow: FlowControl): InstanceSink;
  /** Settles once every instance answered so far can be found (indexed); a release waits for it. */
  settled(): Promise<void>;
}

export interface ScpServices {
  config: ScpConfig;
  receiver: InstanceReceiver;
  associations: AssociationObserver;
  /** Errors of the listener itself (e.g. out of file descriptors on accept); connections report through `associations`. */
  listenerError?: (err: Error) => void;
}

/** What a connection needs to know of the others: how many are associated, and that it is gone. */
export interface ConnectionCount {
  acceptedCount(): number;
  remove(connection: StoreScpConnection): void;
}

interface Receiving {
  sink: InstanceSink;
  contextId: number;
  messageId: number;
  meta: MetaGroupFields;
}

export class StoreScpConnection implements AcceptorHandler {
  private readonly services: ScpServices;
  private readonly registry: ConnectionCount;
  readonly ul: UlConnection;
  private readonly association: InboundAssociation;
  private associationId: number | null = null;
  private accepted = false;
  private instances = 0;
  private bytes = 0;
  private receiving: Receiving | undefined;
  /** Answers still being settled; drain waits for them. */
  private readonly inFlight = new Set<Promise<void>>();
  private readonly whenClosed: Promise<void>;
  private markClosed!: () => void;

  constructor(socket: Socket, services: ScpServices, registry: ConnectionCount) {
    this.services = services;
    this.registry = registry;
    this.association = {
      callingAe: '',
      calledAe: '',
      peer: socketPeer(socket.remoteAddress, socket.remotePort),
      openedAt: new Date().toISOString(),
    };
    this.whenClosed = new Promise((resolve) => (this.markClosed = resolve));
    const { config } = services;
    this.ul = UlConnection.accept(
      socket,
      this,
      { associateMs: config.connectTimeoutMs, idleMs: config.associationTimeoutMs, pduMs: config.pduTimeoutMs },
      { maxPduLength: config.maxPduLength },
    );
  }

  isAccepted(): boolean {
    return this.accepted;
  }

  // --- association -----------------------------------------------------------------------------

  associate(rq: AssociateRq): AssociateAnswer {
    this.association.callingAe = rq.callingAe;
    this.association.calledAe = rq.calledAe;
    const refusal = this.refusal();
    if (refusal) {
      this.services.associations.rejected(this.association, refusal.message);
      return refusal;
    }
    const { config } = this.services;
    const contexts = rq.contexts.map((c) => negotiate(c, config.acceptUnknownSopClasses));
    this.accepted = true;
    this.associationId = this.services.associations.opened(this.association);
    return {
      accept: {
        protocolVersion: 1,
        calledAe: rq.calledAe,
        callingAe: rq.callingAe,
        applicationContext: rq.applicationContext,
        // The AC announces the largest PDU *we* receive, whatever the requestor's own limit.
        maxPduLength: config.maxPduLength,
        implementationClassUid: IMPLEMENTATION_CLASS_UID,
        implementationVersionName: IMPLEMENTATION_VERSION_NAME,
        hasUserInformation: true,
        contexts,
      },
    };
  }

  /** A sender that released finds what it sent in the store (the answers came once durable; indexing follows). */
  beforeRelease(): Promise<void> {
    return this.services.receiver.settled();
  }

  refused(rq: AssociateRq | undefined, message: string): void {
    if (rq) {
      this.association.callingAe = rq.callingAe;
      this.association.calledAe = rq.calledAe;
    }
    this.services.associations.rejected(this.association, message);
  }

  private refusal(): { reject: { result: number; source: number; reason: number }; message: string } | undefined {
    const { config } = this.services;
    const callingAe = this.association.callingAe;
    if (config.allowedCallingAes.length > 0 && !config.allowedCallingAes.includes(callingAe)) {
      return {
        message: `calling AE "${callingAe}" is not on the allow-list`,
        reject: { result: RejectResult.Permanent, source: RejectSource.ServiceUser, reason: RejectReason.CallingAeNotRecognized },
      };
    }
    if (this.registry.acceptedCount() >= config.maxAssociations) {
      return {
        message: `already ${config.maxAssociations} associations open (local limit)`,
        reject: {
          result: RejectResult.Transient,
          source: RejectSource.ServiceProviderPresentation,
          reason: RejectReason.LocalLimitExceeded,
        },
      };
    }
    return undefined;
  }

  // --- DIMSE -----------------------------------------------------------------------------------

  command(contextId: number, bytes: Buffer): boolean {
    let command: CommandSet;
    try {
      command = CommandSet.decode(bytes);
    } catch (err) {
      if (!(err instanceof CommandSetError)) throw err;
      this.dimseError(`unreadable command set: ${err.message}`);
      return false;
    }
    const field = command.commandField;
    const messageId = command.uint16(CommandTag.MessageId);
    if (field === undefined || messageId === undefined) {
      this.dimseError(`command set without ${field === undefined ? 'Command Field (0000,0100)' : 'Message ID (0000,0110)'}`);
      return false;
    }
    if (field === CommandField.CEchoRq) {
      this.answer(contextId, {
        commandField: CommandField.CEchoRsp,
        messageIdBeingRespondedTo: messageId,
        status: Status.Success,
        sopClassUid: command.text(CommandTag.AffectedSopClassUid),
      });
      return command.hasDataset;
    }
    if (field === CommandField.CStoreRq && command.hasDataset) {
      this.beginStore(contextId, messageId, command);
      return true;
    }
    if ((field & 0x8000) === 0) {
      // A request we do not serve (or a C-STORE without its dataset): say so, and read past any dataset.
      this.answer(contextId, {
        commandField: field | 0x8000,
        messageIdBeingRespondedTo: messageId,
        status: 0x0211,
        errorComment: `command 0x${field.toString(16)} not supported`,
      });
      if (command.hasDataset)
        this.receiving = {
          sink: discardingSink(),
          contextId,
          messageId: -1,
          meta: { sopClassUid: '', sopInstanceUid: '', transferSyntaxUid: '' },
        };
      return command.hasDataset;
    }
    this.dimseError(`unexpected response command 0x${field.toString(16)} sent to an SCP`);
    return false;
  }

  private beginStore(contextId: number, messageId: number, command: CommandSet): void {
    const context = this.ul.contexts.get(contextId)!;
    const meta: MetaGroupFields = {
      sopClassUid: command.text(CommandTag.AffectedSopClassUid) ?? '',
      sopInstanceUid: command.text(CommandTag.AffectedSopInstanceUid) ?? '',
      transferSyntaxUid: context.transferSyntaxUid,
    };
    const sink = this.services.receiver.begin(
      { meta, associationId: this.associationId, association: this.association },
      { pause: () => this.ul.pause(), resume: () => this.ul.resume() },
    );
    this.receiving = { sink, contextId, messageId, meta };
  }

  datasetData(_contextId: number, slice: Buffer): void {
    this.receiving?.sink.write(slice);
  }

  datasetEnded(): void {
    const receiving = this.receiving;
    this.receiving = undefined;
    if (!receiving || receiving.messageId < 0) return;
    const settled = receiving.sink
      .end()
      .then(
        (answer) => this.storeAnswered(receiving, answer),
        (err: Error) => this.storeAnswered(receiving, { status: Status.ProcessingFailure, comment: err.message }),
      )
      // Whatever answering throws ends this association, never the process (an unhandled rejection would).
      .catch((err: Error) => this.ul.abort(AbortSource.ServiceProvider, AbortReason.NotSpecified, `internal error: ${err.message}`))
      .finally(() => this.inFlight.delete(settled));
    this.inFlight.add(settled);
  }

  private storeAnswered(receiving: Receiving, answer: StoreAnswer): void {
    if (answer.status === Status.Success) {
      this.instances++;
      this.bytes += answer.bytes ?? 0;
    }
    this.answer(receiving.contextId, {
      commandField: CommandField.CStoreRsp,
      messageIdBeingRespondedTo: receiving.messageId,
      status: answer.status,
      sopClassUid: receiving.meta.sopClassUid,
      sopInstanceUid: receiving.meta.sopInstanceUid,
      errorComment: answer.comment,
    });
  }

  private answer(contextId: number, response: Parameters<typeof encodeResponse>[0]): void {
    if (!this.ul.associated) return;
    writeCommandPdu(this.ul, contextId, encodeResponse(response));
  }

  /** A DIMSE message we cannot read: the association cannot go on (as DCMTK, A-ABORT from the user side). */
  private dimseError(message: string): void {
    this.ul.abort(AbortSource.ServiceUser, AbortReason.NotSpecified, message);
  }

  ended(end: ConnectionEnd): void {
    this.receiving?.sink.abort(`association ended mid-dataset: ${end.message}`);
    this.receiving = undefined;
    this.registry.remove(this);
    const result = end.kind === 'released' ? 'released' : `${end.kind}: ${end.message}`;
    if (this.accepted)
      this.services.associations.closed(this.associationId, this.association, { instances: this.instances, bytes: this.bytes, result });
    else if (end.kind !== 'rejected') this.services.associations.endedUnassociated?.(this.association.peer, end);
    this.markClosed();
  }

  /** Finishes the instances in flight (their answers are sent), then aborts and waits until closed. */
  async drain(graceMs = 5000): Promise<void> {
    await Promise.all([...this.inFlight]);
    this.ul.abort(AbortSource.ServiceProvider, AbortReason.NotSpecified, 'gateway shutting down');
    const timer = setTimeout(() => this.ul.destroy('gateway shutting down'), graceMs);
    await this.whenClosed;
    clearTimeout(timer);
  }
}

function discardingSink(): InstanceSink {
  return { write() {}, end: async () => ({ status: Status.ProcessingFailure }), abort() {} };
}
