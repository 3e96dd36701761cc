/**
 * What a receive-journal record says (its JSON meta): everything needed to materialize, index and
 * route an acknowledged instance after a crash, decided once, before the acknowledgement. Replay
 * only carries the decision out; it never decides again (so versions and duplicates come out the
 * same however many times it runs).
 */
import type { IndexFields } from '../dicom/index-fields.ts';
import type { MetaGroupFields } from '../dicom/p10-writer.ts';

export interface ReceiveContext {
  associationId: number | null;
  callingAe: string | null;
  calledAe: string | null;
  /** "address:port" of the sender. */
  peer: string | null;
}

/** A new instance version: the record body is its P10 bytes, unless it was spilled to `tempName`. */
export interface StoredEntry {
  kind: 'stored';
  /** The index row id, chosen now so that replay inserts the same row (and skips it if present). */
  id: number;
  version: number;
  /** Relative to the store root. */
  path: string;
  meta: MetaGroupFields;
  context: ReceiveContext;
  fields: IndexFields;
  headerLength: number;
  datasetLength: number;
  datasetSha256: string;
  receivedAt: string;
  /** A large instance's fsynced file in .incoming/ (the record then has no body). */
  tempName: string | null;
}

/** Identical bytes of an instance already kept: its duplicate count goes up by one. */
export interface DuplicateEntry {
  kind: 'duplicate';
  /** The index row id of the version it duplicates (possibly itself still in the journal). */
  id: number;
  sopInstanceUid: string;
}

export type JournalEntry = StoredEntry | DuplicateEntry;
