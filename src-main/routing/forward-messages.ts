/**
 * What the forward queue (main thread, owner of the index) and the forward sender (the worker
 * thread that owns the associations) tell each other. Small on purpose: paths, offsets, ids and
 * results cross the thread boundary, never dataset bytes.
 */
import type { DestinationTls } from '../api/types/routing.ts';
import type { PeerAddress } from '../dicom/peer-address.ts';
import type { SendableFile } from '../dicom/sendable-files.ts';
import type { SendFailureKind } from '../dicom/store-scu.ts';

/** One job to send: where its dataset lies in the stored file, and what it is. */
export interface SendJob extends SendableFile {
  jobId: number;
}

/** One job's C-STORE outcome. */
export interface JobResult {
  jobId: number;
  ok: boolean;
  status: number | null;
  meaning: string;
  error: string | undefined;
  failureKind: SendFailureKind | undefined;
  /** SHA-256 of exactly the dataset bytes put on the wire. */
  sha256: string | undefined;
  /** The syntax the dataset was converted to and sent in; undefined: sent as stored. */
  transcodedTo?: string | undefined;
}

/** A destination as the sender needs it; a change of any field means new associations. */
export interface ForwardTarget {
  name: string;
  peer: PeerAddress;
  callingAe: string;
  maxPduLength: number;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  maxAssociations: number;
  /** How long an association with nothing to send stays open for the next job. */
  lingerMs: number;
  /** DICOM TLS to the destination (paths, not keys: the worker reads them). */
  tls?: DestinationTls | undefined;
  /** The destination allows transcoding when it refuses a file's own syntax. */
  allowTranscoding?: boolean | undefined;
}

export type ToWorker = { type: 'send'; target: ForwardTarget; jobs: SendJob[] } | { type: 'stop' };

export type FromWorker =
  | { type: 'results'; results: JobResult[] }
  | { type: 'association'; destination: string; event: 'opened' | 'closed' }
  | { type: 'stopped' };
