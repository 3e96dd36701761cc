/**
 * The one contract between the renderer and the engine: every command the UI may call and every
 * event it may receive. The Electron preload implements it over ipcRenderer; `serve --ui-port`
 * implements it over a WebSocket. The renderer imports its types, the event names and the value
 * schemas (below), and never knows which transport is underneath. Every value crossing it is plain JSON.
 */
import type { CommandFailure } from './command-failure.ts';
import type { CompareReport } from './types/compare-report.ts';
import type { ByteSpan } from './types/byte-span.ts';
import type { EchoResult } from './types/echo.ts';
import type { DeletedStudy, GatewayEvents } from './types/events.ts';
import type { Destination, JobState, Rule } from './types/routing.ts';
import type { EditableSettings, Settings, SettingSource } from './types/settings.ts';

// The types that cross to the renderer are defined under api/types/ and engine modules import
// them from there. The comparison report and its byte spans are still the inspector's own.
export type { EchoResult } from './types/echo.ts';
export type {
  AssociationClosed,
  AssociationOpened,
  DeletedStudy,
  GatewayEvents,
  InstanceFailed,
  InstanceReceived,
  JobUpdated,
  SendFileResult,
  SendFinished,
  SendProgress,
  StudiesDeleted,
} from './types/events.ts';
export type { Destination, DestinationTls, JobState, Rule, RuleMatch, ValueMatcher } from './types/routing.ts';
export type { EditableSettings, SettingKey, SettingSource, Settings } from './types/settings.ts';
export type { ByteSpan } from './types/byte-span.ts';
export type { ChangeKind, ChangesByKind } from './types/change-kinds.ts';
export type { CompareReport, Verdict } from './types/compare-report.ts';

// One schema per value: the renderer's forms check each value with the schema the engine, the
// config file and the CLI use, so it is refused with the same words everywhere. These are plain
// zod (no Node module), bundled into the renderer.
export {
  aeTitle,
  host,
  listenPort,
  MAX_SECONDS,
  maxAssociations,
  maxPdu,
  port,
  regex,
  seconds,
  typedValue,
  uid,
  valueProblem,
  type AeTitle,
  type Port,
  type Uid,
} from './schemas/values.ts';
export { attributeKeySyntaxProblem } from './schemas/rule-schema.ts';
// How addresses, SOP classes, transfer syntaxes and DIMSE statuses are written for people: the
// same words in the engine's messages and in the renderer (plain functions and data, no Node module).
export { describeStatus, statusHex } from '../dicom/dimse-status.ts';
export { displayedSocketPeer, formatHostPort, formatPeer } from '../dicom/peer-address.ts';
export { sopClassName } from '../dicom/sop-class-names.ts';
export { transferSyntaxName } from '../dicom/transfer-syntax.ts';

export interface GatewayStatus {
  aeTitle: string;
  host: string;
  /** The port listened on, or the one that could not be listened on. */
  port: number;
  storage: string;
  version: string;
  /** False when the DICOM listener is stopped (the port could not be listened on); `listenError` says why and what to do. */
  listening: boolean;
  listenError: string | null;
  /** Why the store refuses images (disk full: 0xA700 to every C-STORE until space returns), or null. */
  storeReadOnly: string | null;
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
  /** Set when the dataset's encoding contradicts its transfer syntax (kept byte-exact all the same). */
  encodingNote: string | null;
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

/** Whose images an instance is: the fields a person recognises a job or a row by. */
export interface InstanceSubject {
  patientName: string | null;
  patientId: string | null;
  studyDate: string | null;
  studyDescription: string | null;
  modality: string | null;
  seriesNumber: number | null;
  instanceNumber: number | null;
  sopClassName: string;
}

/** A study a study-quiet rule holds back: forwarded whole to `destination` once nothing more arrives. */
export interface StudyAwaitingQuiet {
  studyInstanceUid: string;
  rule: string;
  destination: string;
  quietSeconds: number;
  /** When the study's last instance arrived (ISO); each new one moves `forwardsAt` on. */
  lastReceivedAt: string;
  forwardsAt: string;
  /** Null when the study is no longer stored (deleted while it waited). */
  study: StudySummary | null;
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
  /**
   * The transfer syntax the destination was sent when the gateway converted the dataset for it
   * (the bytes changed: "transcoded"); null when it was sent as stored, or not sent.
   */
  sentTransferSyntaxUid: string | null;
  updatedAt: string;
  /** Null when the instance is no longer in the index. */
  subject: InstanceSubject | null;
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

/** Dead jobs of a destination that failed for one reason a retry cannot change. */
export interface PermanentFailure {
  reason: string;
  count: number;
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
  /**
   * SHA-256 of the dataset bytes put on the wire to each destination; with the job's state and its
   * last error, so a hop not sent can say whether it will be (queued, waiting) or not (dead, cancelled);
   * `transcoded` says "transcoded: A -> B" when the destination was sent a converted dataset.
   */
  sent: {
    destination: string;
    sha256: string | null;
    sentAt: string | null;
    verdict: HopVerdict;
    state: JobState;
    reason: string | null;
    transcoded?: string;
  }[];
}

/** The DICOM TLS listener as Settings edits it: PEM file paths on the gateway's computer. */
export interface TlsListenerSettings {
  /** 0: the system chooses a free port, and the one it gave is saved. */
  port: number;
  cert: string;
  key: string;
  /** CA bundle client certificates must chain to; needed when requireClientCert is on. */
  ca: string | null;
  requireClientCert: boolean;
}

/** The TLS listener: what it is set to, where it listens or why not. The key's passphrase never crosses. */
export interface TlsListenerStatus {
  /** null: no TLS listener is set. */
  settings: (TlsListenerSettings & { hasPassphrase: boolean }) | null;
  state: 'off' | 'listening' | 'stopped';
  /** Where it listens (listening), or the port it could not listen on (stopped). */
  host: string | null;
  port: number | null;
  /** Why it is stopped, in words. */
  reason: string | null;
  /** Flag or config file: Settings shows it and cannot change it. */
  source: SettingSource;
}

/** A TLS listener saved from Settings. `passphrase`, if the key is encrypted, travels only this way; absent keeps the one the same key had. */
export type TlsListenerChange = TlsListenerSettings & { passphrase?: string };

/** Search of stored studies; every field optional, all given must match. Dates as YYYYMMDD or YYYY-MM-DD. */
export interface StudySearch {
  /** Patient name or ID, any part of it; `*` and `?` as wildcards. */
  patient?: string;
  dateFrom?: string;
  dateTo?: string;
  modality?: string;
  accession?: string;
  callingAe?: string;
  limit?: number;
}

export interface StudyRecord extends StudySummary {
  patientBirthDate: string | null;
  patientSex: string | null;
  accessionNumber: string | null;
  firstReceivedAt: string;
  /** Every AE title that sent instances of this study. */
  callingAes: string[];
}

export interface SeriesSummary {
  studyInstanceUid: string;
  seriesInstanceUid: string | null;
  seriesNumber: number | null;
  seriesDescription: string | null;
  modality: string | null;
  instanceCount: number;
  bytes: number;
  lastReceivedAt: string;
  /** The instance whose image stands for the series (its middle one). */
  thumbnailInstanceId: number | null;
}

export interface StorageUsage {
  storage: string;
  studies: number;
  instances: number;
  /** Bytes of stored instance files (every version). */
  bytes: number;
  diskFreeBytes: number | null;
  diskTotalBytes: number | null;
}

/** One element of an instance, in file order; items are rows too, so a sequence reads as nested lines. */
export interface ElementRow {
  kind: 'element' | 'item' | 'fragment' | 'frame';
  /** Nesting: 0 for the top level (and the meta group). */
  depth: number;
  path: string;
  /** "(0010,0010)"; empty for items, fragments, frames. */
  tag: string;
  /** Keyword, "Private (creator)" or "Item 1", "Frame 3", "Fragment 2". */
  name: string;
  vr: string;
  /** File offset of the header. */
  offset: number;
  /** Value length in bytes; null for undefined length (the true length is in valueLength). */
  length: number | null;
  valueLength: number;
  /** The private creator that reserved this private element's block, if any. */
  privateCreator: string | null;
  /** The value as text; empty for containers, a byte count for long binary values. */
  value: string;
  /** In the file meta group (0002,xxxx). */
  meta: boolean;
}

export interface InstanceElements {
  path: string;
  fileSize: number;
  transferSyntaxUid: string;
  transferSyntaxName: string;
  rows: ElementRow[];
  /** Why the walk could not reach the end, if it could not. */
  problem: string | null;
}

export interface WindowLevel {
  center: number;
  width: number;
}

/** One frame rendered to 8 bits for display, or why it cannot be. */
export type RenderedFrame =
  | {
      ok: true;
      /** A PNG, base64. */
      png: string;
      width: number;
      height: number;
      /** The image's own size (the PNG is smaller when downscaled for a thumbnail). */
      columns: number;
      rows: number;
      frame: number;
      frames: number;
      photometric: string;
      /** The compressed transfer syntax the frame was decoded from (its short name), or null when stored uncompressed. */
      decodedFrom: string | null;
      /** The window used; null for colour images, which are shown as stored. */
      window: WindowLevel | null;
      /** The window from the file, or from the data range when the file has none. */
      defaultWindow: WindowLevel | null;
      /** Smallest and largest value in this frame, after rescale. */
      range: { min: number; max: number };
    }
  | { ok: false; reason: string };

export interface RetentionSettings {
  /** Delete studies whose last instance arrived more than this many days ago, once forwarded everywhere; null: keep everything. */
  days: number | null;
  /** Where the value comes from: saved in the UI (kept in the index), the config file, or nothing set. */
  source: 'saved' | 'config' | 'default';
}

export interface RetentionRun {
  ranAt: string;
  deleted: DeletedStudy[];
  /** Studies old enough but kept because a forward is not finished (queued, retrying, dead). */
  keptUnforwarded: number;
}

/** What saving the retention rule did: the rule as it now stands, and the run it applied (none when switched off). */
export interface RetentionSaved {
  settings: RetentionSettings;
  run: RetentionRun | null;
}

export type AuditAction = 'received' | 'forwarded' | 'sent' | 'deleted';

export interface AuditEvent {
  id: number;
  at: string;
  action: AuditAction;
  actor: string;
  target: string | null;
  studyInstanceUid: string | null;
  sopInstanceUid: string | null;
  patientName: string | null;
  patientId: string | null;
  instances: number;
  bytes: number | null;
  detail: string | null;
}

export interface AuditSearch {
  /** Any part of the patient, AE titles, destination, UIDs or detail. */
  text?: string;
  action?: AuditAction;
  /** ISO date or date-time bounds on `at`. */
  from?: string;
  to?: string;
  limit?: number;
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
  studiesAwaitingQuiet: { args: void; result: StudyAwaitingQuiet[] };
  retryJob: { args: { jobId: number }; result: { retried: boolean } };
  retryDeadJobs: { args: { destination: string }; result: { retried: number } };
  retryDeadPreview: { args: { destination: string }; result: RetryDeadPreview };
  retryDestinationNow: { args: { destination: string }; result: { retried: number } };
  /**
   * Retries the dead jobs of a destination. When some failed for a reason a retry cannot change,
   * nothing is retried and those reasons come back (retried 0), unless evenIfPermanent.
   */
  retryDead: { args: { destination: string; evenIfPermanent?: boolean }; result: { retried: number; permanent: PermanentFailure[] } };
  cancelJob: { args: { jobId: number }; result: { cancelled: boolean } };
  compareFiles: { args: { a: FileRef; b: FileRef }; result: CompareReport };
  readByteRange: { args: { file: FileRef; offset: number; length: number }; result: ByteRangeView };
  digestChain: { args: { instanceId: number }; result: DigestChain };
  getSettings: { args: void; result: Settings };
  saveSettings: { args: { settings: Partial<EditableSettings> }; result: Settings };
  getTlsListener: { args: void; result: TlsListenerStatus };
  /**
   * Listens with these TLS settings (null: turns the TLS listener off) and saves them once it
   * listens. The files must be ones the user chose. Refused in words when a flag or the config
   * file set TLS, the certificate or key cannot be used, or the port cannot be listened on.
   */
  saveTlsListener: { args: { tls: TlsListenerChange | null }; result: TlsListenerStatus };
  searchStudies: { args: StudySearch; result: StudyRecord[] };
  listSeries: { args: { studyInstanceUid: string }; result: SeriesSummary[] };
  storageUsage: { args: void; result: StorageUsage };
  instanceElements: { args: { instanceId: number }; result: InstanceElements };
  renderFrame: { args: { instanceId: number; frame?: number; window?: WindowLevel; maxSize?: number }; result: RenderedFrame };
  deleteStudy: { args: { studyInstanceUid: string }; result: DeletedStudy };
  getRetention: { args: void; result: RetentionSettings };
  saveRetention: { args: { days: number | null }; result: RetentionSaved };
  runRetention: { args: void; result: RetentionRun };
  searchAudit: { args: AuditSearch; result: AuditEvent[] };
  exportAuditCsv: { args: AuditSearch; result: { csv: string; rows: number } };
  /**
   * Desktop app only: asks the user for a new storage folder in a native dialog (the page never
   * names the path) and restarts the engine on it. `serve` refuses: its --storage flag decides.
   */
  chooseStorageFolder: { args: void; result: StorageChange };
}

/** The outcome of chooseStorageFolder: nothing is moved; the old folder keeps what it has. */
export type StorageChange = { changed: false } | { changed: true; storage: string; previous: string };

export type CommandName = keyof GatewayCommands;
export type CommandArgs<C extends CommandName> = GatewayCommands[C]['args'];
export type CommandResult<C extends CommandName> = GatewayCommands[C]['result'];

/** The desktop app is quitting: it waits for the transfers in flight until `deadlineAt`, then exits. */
export interface GatewayStopping {
  transfers: number;
  deadlineAt: string;
}

/** Events of the process that hosts the engine (the desktop app), not of the engine itself. */
export interface HostEvents {
  'gateway-stopping': GatewayStopping;
}

/** Every event pushed to the UI: the engine's own event stream, unchanged, and the host's. */
export type GatewayUiEvents = GatewayEvents & HostEvents;

export type UiEventName = keyof GatewayUiEvents;

export { CommandError, commandFailureOf, isCommandFailure, type CommandFailure } from './command-failure.ts';

/*
 * The WebSocket transport's frames (`serve --ui-port`), one JSON text frame per message. They are
 * part of the contract because the browser's bridge speaks them: the renderer imports only this file.
 */

/** Browser -> server: run one command. `id` is chosen by the browser and echoed in the answer. */
export interface WireRequest {
  id: number;
  command: string;
  args?: unknown;
}

/** Server -> browser: the answer to one request. */
export type WireResponse = { id: number; result?: unknown } | { id: number; error: CommandFailure };

/** Server -> browser: one engine event, pushed to every connected page. */
export interface WireEvent {
  event: UiEventName;
  payload: unknown;
}

export type WireServerMessage = WireResponse | WireEvent;

/** What the renderer holds: call a command, listen to events. Both transports implement it. */
export interface GatewayBridge {
  invoke<C extends CommandName>(command: C, ...args: CommandArgs<C> extends void ? [] : [CommandArgs<C>]): Promise<CommandResult<C>>;
  on<E extends UiEventName>(event: E, listener: (payload: GatewayUiEvents[E]) => void): () => void;
  /** Paths of files dropped on the window (Electron), or upload of browser File objects (WebSocket transport). */
  pathsForDroppedFiles(files: File[]): Promise<string[]>;
}

export const COMMAND_NAMES: readonly CommandName[] = [
  'getStatus',
  'listStudies',
  'listInstances',
  'listAssociations',
  'scanPaths',
  'sendFiles',
  'cancelSend',
  'forwardStudies',
  'forwardInstances',
  'echo',
  'listDestinations',
  'saveDestination',
  'deleteDestination',
  'listRules',
  'saveRules',
  'listJobs',
  'jobAttempts',
  'queueCounts',
  'studiesAwaitingQuiet',
  'retryJob',
  'retryDeadJobs',
  'cancelJob',
  'compareFiles',
  'readByteRange',
  'retryDeadPreview',
  'retryDestinationNow',
  'retryDead',
  'digestChain',
  'getSettings',
  'saveSettings',
  'getTlsListener',
  'saveTlsListener',
  'searchStudies',
  'listSeries',
  'storageUsage',
  'instanceElements',
  'renderFrame',
  'deleteStudy',
  'getRetention',
  'saveRetention',
  'runRetention',
  'searchAudit',
  'exportAuditCsv',
  'chooseStorageFolder',
];

/** The engine's events, which every ApiHost relays. */
export const ENGINE_EVENT_NAMES: readonly (keyof GatewayEvents)[] = [
  'association-opened',
  'association-closed',
  'instance-stored',
  'instance-duplicate',
  'instance-failed',
  'send-progress',
  'send-file-done',
  'send-finished',
  'job-updated',
  'settings-changed',
  'studies-deleted',
  'store-state-changed',
];

export const UI_EVENT_NAMES: readonly UiEventName[] = [...ENGINE_EVENT_NAMES, 'gateway-stopping'];
