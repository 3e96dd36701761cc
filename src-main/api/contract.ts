/**
 * The one contract between the renderer and the engine: every command the UI may call and every
 * event it may receive. The Electron preload implements it over ipcRenderer; `serve --ui-port`
 * implements it over a WebSocket. The renderer imports this file with `import type` only and never
 * knows which transport is underneath. Every value crossing it is plain JSON.
 */
import type { GatewayEvents } from '../events.ts';
import type { EchoResult } from '../dicom/echo-scu.ts';
import type { CompareReport } from '../inspect/compare-report.ts';
import type { ByteSpan } from '../inspect/byte-annotation.ts';
import type { Destination, Rule } from '../routing/routing-types.ts';
import type { JobState } from '../routing/job-repository.ts';

export interface GatewayStatus {
  aeTitle: string;
  host: string;
  port: number;
  storage: string;
  version: string;
}

export interface StudySummary {
  studyInstanceUid: string;
  patientName: string | null;
  patientId: string | null;
  studyDate: string | null;
  studyDescription: string | null;
  modalities: string | null;
  seriesCount: number;
  instanceCount: number;
  bytes: number;
  lastReceivedAt: string;
}

export interface InstanceSummary {
  instanceId: number;
  sopInstanceUid: string;
  sopClassUid: string;
  sopClassName: string;
  version: number;
  transferSyntaxUid: string;
  studyInstanceUid: string | null;
  seriesInstanceUid: string | null;
  seriesNumber: number | null;
  instanceNumber: number | null;
  modality: string | null;
  callingAe: string | null;
  bytes: number;
  receivedAt: string;
  duplicateCount: number;
}

export interface AssociationSummary {
  associationId: number;
  callingAe: string;
  calledAe: string;
  peer: string;
  startedAt: string;
  endedAt: string | null;
  instances: number;
  bytes: number;
  result: string | null;
}

export interface ScannedFile {
  path: string;
  sopClassUid: string;
  sopClassName: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  bytes: number;
}

export interface ScanResult {
  files: ScannedFile[];
  skipped: { path: string; reason: string }[];
  missing: string[];
}

/** Where to send: a configured destination by name, or an ad-hoc node. */
export type SendTarget = { destination: string } | { aeTitle: string; host: string; port: number };

export interface SendFinished {
  sendId: number;
  sent: number;
  failed: number;
  cancelled: boolean;
}

export interface JobSummary {
  jobId: number;
  instanceId: number;
  destination: string;
  rule: string | null;
  studyInstanceUid: string | null;
  state: JobState;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  lastStatus: number | null;
  deliveries: number;
  updatedAt: string;
}

export interface JobAttempt {
  attempt: number;
  startedAt: string;
  finishedAt: string;
  outcome: string;
  status: number | null;
  error: string | null;
  backoffMs: number | null;
}

/** Dead jobs of a destination by cause, before "retry all dead": a permanent cause will fail the same way again. */
export interface RetryDeadPreview {
  dead: number;
  /** How many of them failed for a reason a retry cannot change (SOP class or syntax refused, 0x0122, 0xA9xx, ...). */
  permanent: number;
  causes: { failureKind: string | null; status: number | null; count: number; permanent: boolean; example: string | null }[];
}

export interface QueueCount {
  destination: string;
  state: JobState;
  count: number;
}

/** A file to inspect: a stored instance (any version) or a file on disk (chosen or dropped). */
export type FileRef = { instanceId: number } | { path: string };

export interface ByteRangeView {
  offset: number;
  /** The bytes, as lowercase hex (two characters a byte). */
  hex: string;
  fileSize: number;
  spans: ByteSpan[];
}

export type HopVerdict = 'identical' | 'changed' | 'missing';

export interface DigestChain {
  instanceId: number;
  sopInstanceUid: string;
  /** SHA-256 of the dataset bytes as they arrived, computed while they streamed in. */
  received: string;
  /** SHA-256 of the dataset bytes in the stored file now, re-read from disk. */
  stored: { sha256: string | null; verdict: HopVerdict; error?: string };
  /** SHA-256 of the dataset bytes put on the wire to each destination. */
  sent: { destination: string; sha256: string | null; sentAt: string | null; verdict: HopVerdict; transcoded?: string }[];
}

export interface Settings {
  aeTitle: string;
  port: number;
  storage: string;
  acceptUnknownSopClasses: boolean;
  allowedCallingAes: string[];
  maxAssociations: number;
  maxPduLength: number;
}

/** Every command: its argument (one JSON object or nothing) and its result. */
export interface GatewayCommands {
  getStatus: { args: void; result: GatewayStatus };
  listStudies: { args: { limit?: number }; result: StudySummary[] };
  listInstances: { args: { studyInstanceUid?: string; sopInstanceUid?: string; limit?: number }; result: InstanceSummary[] };
  listAssociations: { args: { limit?: number }; result: AssociationSummary[] };
  scanPaths: { args: { paths: string[] }; result: ScanResult };
  sendFiles: { args: { paths: string[]; target: SendTarget }; result: { sendId: number } };
  cancelSend: { args: { sendId: number }; result: { cancelled: boolean } };
  forwardStudies: { args: { studyInstanceUids: string[]; destination: string }; result: { queued: number } };
  forwardInstances: { args: { instanceIds: number[]; destination: string }; result: { queued: number } };
  echo: { args: { target: SendTarget }; result: EchoResult };
  listDestinations: { args: void; result: Destination[] };
  saveDestination: { args: { destination: Destination }; result: Destination[] };
  deleteDestination: { args: { name: string }; result: Destination[] };
  listRules: { args: void; result: Rule[] };
  saveRules: { args: { rules: Rule[] }; result: Rule[] };
  listJobs: { args: { state?: JobState; destination?: string; limit?: number }; result: JobSummary[] };
  jobAttempts: { args: { jobId: number }; result: JobAttempt[] };
  queueCounts: { args: void; result: QueueCount[] };
  retryJob: { args: { jobId: number }; result: { retried: boolean } };
  retryDeadJobs: { args: { destination: string }; result: { retried: number } };
  retryDeadPreview: { args: { destination: string }; result: RetryDeadPreview };
  retryDestinationNow: { args: { destination: string }; result: { retried: number } };
  cancelJob: { args: { jobId: number }; result: { cancelled: boolean } };
  compareFiles: { args: { a: FileRef; b: FileRef }; result: CompareReport };
  readByteRange: { args: { file: FileRef; offset: number; length: number }; result: ByteRangeView };
  digestChain: { args: { instanceId: number }; result: DigestChain };
  getSettings: { args: void; result: Settings };
  saveSettings: { args: { settings: Partial<Omit<Settings, 'storage'>> }; result: Settings };
}

export type CommandName = keyof GatewayCommands;
export type CommandArgs<C extends CommandName> = GatewayCommands[C]['args'];
export type CommandResult<C extends CommandName> = GatewayCommands[C]['result'];

/** Every event the engine pushes to the UI: the engine's own event stream, unchanged. */
export type GatewayUiEvents = GatewayEvents;

export type UiEventName = keyof GatewayUiEvents;

/** A failed command as the renderer sees it: words for a radiographer, the detail one click away. */
export interface CommandFailure {
  message: string;
  detail: string;
}

/** What the renderer holds: call a command, listen to events. Both transports implement it. */
export interface GatewayBridge {
  invoke<C extends CommandName>(command: C, ...args: CommandArgs<C> extends void ? [] : [CommandArgs<C>]): Promise<CommandResult<C>>;
  on<E extends UiEventName>(event: E, listener: (payload: GatewayUiEvents[E]) => void): () => void;
  /** Paths of files dropped on the window (Electron), or upload of browser File objects (WebSocket transport). */
  pathsForDroppedFiles(files: File[]): Promise<string[]>;
}

export const COMMAND_NAMES: readonly CommandName[] = [
  'getStatus', 'listStudies', 'listInstances', 'listAssociations', 'scanPaths', 'sendFiles', 'cancelSend',
  'forwardStudies', 'forwardInstances', 'echo', 'listDestinations', 'saveDestination', 'deleteDestination', 'listRules', 'saveRules',
  'listJobs', 'jobAttempts', 'queueCounts', 'retryJob', 'retryDeadJobs', 'cancelJob', 'compareFiles', 'readByteRange',
  'retryDeadPreview', 'retryDestinationNow',
  'digestChain', 'getSettings', 'saveSettings',
];

export const UI_EVENT_NAMES: readonly UiEventName[] = [
  'association-opened', 'association-closed', 'instance-stored', 'instance-duplicate', 'instance-failed',
  'send-progress', 'send-file-done', 'send-finished', 'job-updated', 'settings-changed',
];
