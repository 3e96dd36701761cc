/**
 * The one place that reaches into dcmjs-dimse. It exposes the library's classes with types, and
 * names the internal members our fixes and byte-exact paths rely on (NetworkInternals), so a
 * library upgrade that moves them breaks here, visibly, and nowhere else.
 */
import dimse from 'dcmjs-dimse';
import type { Socket } from 'node:net';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './implementation.ts';

export const { Scp, Implementation, constants, log: dimseLog } = dimse;
export const { Association, PresentationContext } = dimse.association;
export const { CStoreRequest, CEchoRequest } = dimse.requests;
export const { CStoreResponse, CEchoResponse } = dimse.responses;

export type AssociationType = InstanceType<typeof Association>;
export type PresentationContextType = InstanceType<typeof PresentationContext>;
export type CStoreRequestType = InstanceType<typeof CStoreRequest>;
export type CEchoRequestType = InstanceType<typeof CEchoRequest>;
export type ScpType = InstanceType<typeof Scp>;

/** The library's Network class is not exported; Scp extends it, so it is Scp's parent. */
export const Network = Object.getPrototypeOf(Scp) as new (socket: Socket, opts?: Record<string, unknown>) => NetworkInternals;

/** Library-internal members used by our fixes (see docs/dcmjs-dimse-fixes.md). */
export interface DimseCommand {
  getCommandFieldType(): number;
  getDataset(): unknown;
  hasDataset(): boolean;
  getCommandDataset(): { getDenaturalizedCommandDataset(): Buffer };
  getMessageId?(): number;
  getMessageIdBeingRespondedTo?(): number;
  getStatus?(): number;
}

export interface NetworkInternals {
  socket: Socket;
  association: AssociationType | undefined;
  dimseStream: unknown;
  dimseStoreStream: unknown;
  pending: DimseCommand[];
  on(event: string, listener: (...args: any[]) => void): unknown;
  once(event: string, listener: (...args: any[]) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
  sendAssociationRequest(association: AssociationType): void;
  sendAssociationAccept(): void;
  sendAssociationReject(result?: number, source?: number, reason?: number): void;
  sendAssociationReleaseRequest(): void;
  sendAssociationReleaseResponse(): void;
  sendRequests(requests: unknown): void;
  sendAbort(source?: number, reason?: number): void;
  _performDimse(presentationContext: PresentationContextType, dimse: DimseCommand): void;
  _sendPDataTF(command: DimseCommand, presentationContextId: number, maxPduLength: number): void;
  _reset(): void;
}

// The library logs every PDU at info level to the console; our own logger reports what matters.
dimseLog.setLevel('silent');
// Every association we negotiate, as SCP or SCU, names the gateway, not the library.
Implementation.setImplementationClassUid(IMPLEMENTATION_CLASS_UID);
Implementation.setImplementationVersion(IMPLEMENTATION_VERSION_NAME);
