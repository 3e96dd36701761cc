/**
 * The engine's one typed event stream. The UI, the logs and the receive log all read these, so an
 * event carries everything a person would want to see about the thing that happened.
 */
import { EventEmitter } from 'node:events';
import type { DeletedStudy, SendFinished, Settings } from './api/contract.ts';
import type { SendResult } from './dicom/store-scu.ts';

export interface AssociationOpened {
  associationId: number;
  direction: 'inbound' | 'outbound';
  callingAe: string;
  calledAe: string;
  peer: string;
  time: string;
}

export interface AssociationClosed extends AssociationOpened {
  instances: number;
  bytes: number;
  /** 'released', 'aborted', 'rejected: <reason>', 'error: <message>' */
  result: string;
}

export interface InstanceReceived {
  associationId: number;
  callingAe: string;
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  studyInstanceUid: string | undefined;
  seriesInstanceUid: string | undefined;
  /** Dataset bytes as they arrived. */
  bytes: number;
  datasetSha256: string;
  path: string;
  version: number;
  time: string;
}

export interface InstanceFailed {
  associationId: number;
  callingAe: string;
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  status: number;
  statusHex: string;
  reason: string;
  time: string;
}

export interface SendProgress {
  sendId: number;
  file: string;
  fileIndex: number;
  fileCount: number;
  bytesSent: number;
  bytesTotal: number;
}

export type SendFileResult = SendResult & { sendId: number };

export interface JobUpdated {
  jobId: number;
  instanceId: number;
  sopInstanceUid: string;
  destination: string;
  state: 'queued' | 'sending' | 'sent' | 'retry-wait' | 'dead' | 'cancelled';
  attempts: number;
  error: string | undefined;
  nextAttemptAt: string | undefined;
  /** On 'sent': the syntax the destination got when the gateway converted the dataset (bytes changed); absent when sent as stored. */
  sentTransferSyntaxUid?: string | undefined;
}

/** Studies removed from the store, by a person or by the retention rule. */
export interface StudiesDeleted {
  by: 'user' | 'retention';
  studies: DeletedStudy[];
}

export interface GatewayEvents {
  'association-opened': AssociationOpened;
  'association-closed': AssociationClosed;
  'instance-stored': InstanceReceived;
  'instance-duplicate': InstanceReceived;
  'instance-failed': InstanceFailed;
  'send-progress': SendProgress;
  'send-file-done': SendFileResult;
  'job-updated': JobUpdated;
  'send-finished': SendFinished;
  'settings-changed': Settings;
  'studies-deleted': StudiesDeleted;
}

export type GatewayEventName = keyof GatewayEvents;

/** EventEmitter with the event names and payloads fixed by GatewayEvents. */
export class GatewayEventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Many UI subscribers (windows, WebSocket clients) may listen at once.
    this.emitter.setMaxListeners(0);
  }

  emit<K extends GatewayEventName>(name: K, payload: GatewayEvents[K]): void {
    this.emitter.emit(name, payload);
  }

  on<K extends GatewayEventName>(name: K, listener: (payload: GatewayEvents[K]) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }
}
