/**
 * The engine's events as the renderer receives them: what happened, with everything a person
 * would want to see about it. The engine's event bus (events.ts) is typed by these.
 */
import type { SendResult } from '../../dicom/store-scu.ts';
import type { JobState } from './routing.ts';
import type { Settings } from './settings.ts';

export interface SendFinished {
  sendId: number;
  sent: number;
  failed: number;
  cancelled: boolean;
}

export interface DeletedStudy {
  studyInstanceUid: string;
  instances: number;
  bytes: number;
  jobs: number;
}

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
  state: JobState;
  attempts: number;
  error: string | undefined;
  nextAttemptAt: string | undefined;
  /** On 'sent': the syntax the destination got when the gateway converted the dataset (bytes changed); absent when sent as stored. */
  sentTransferSyntaxUid?: string | undefined;
}

/** The store turned read-only (disk full: every C-STORE answered 0xA700) or accepts images again. */
export interface StoreStateChanged {
  /** Why the store refuses images, or null: it accepts them again. */
  readOnlyReason: string | null;
  time: string;
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
  'store-state-changed': StoreStateChanged;
}
