/**
 * The receive log: one row per instance that arrived (stored, duplicate or failed), oldest first,
 * with a text filter applied incrementally so a burst only filters the new rows. Arrays are
 * replaced, never mutated, so the virtual list sees every change.
 */
import { sopClassName, transferSyntaxName } from '../../../../src-main/api/contract.ts';
import { formatTime } from '../../lib/format.ts';
import type { LiveEvent } from './live-events.ts';

export type LogStatus = 'stored' | 'duplicate' | 'failed';

export interface LogRow {
  seq: number;
  time: string;
  callingAe: string;
  sopClassUid: string;
  sopClassName: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  transferSyntaxName: string;
  /** Dataset bytes; unknown for a failed instance. */
  bytes: number | null;
  status: LogStatus;
  version: number | null;
  statusHex: string | null;
  reason: string | null;
  /** Lower-cased text the filter searches. */
  haystack: string;
}

/** Rows beyond this are dropped oldest first (in chunks, so appending stays cheap). */
const DEFAULT_CAPACITY = 100_000;

export function logRowFromEvent(event: LiveEvent, seq: number): LogRow | undefined {
  if (event.kind === 'opened' || event.kind === 'closed') return undefined;
  const p = event.payload;
  const base = {
    seq,
    time: p.time,
    callingAe: p.callingAe,
    sopClassUid: p.sopClassUid,
    sopClassName: sopClassName(p.sopClassUid),
    sopInstanceUid: p.sopInstanceUid,
    transferSyntaxUid: p.transferSyntaxUid,
    transferSyntaxName: transferSyntaxName(p.transferSyntaxUid),
  };
  const row: Omit<LogRow, 'haystack'> =
    event.kind === 'failed'
      ? { ...base, bytes: null, status: 'failed', version: null, statusHex: event.payload.statusHex, reason: event.payload.reason }
      : { ...base, bytes: event.payload.bytes, status: event.kind, version: event.payload.version, statusHex: null, reason: null };
  return { ...row, haystack: haystackOf(row) };
}

function haystackOf(row: Omit<LogRow, 'haystack'>): string {
  return [
    formatTime(row.time),
    row.callingAe,
    row.sopClassName,
    row.sopClassUid,
    row.sopInstanceUid,
    row.transferSyntaxName,
    row.transferSyntaxUid,
    row.status,
    row.statusHex ?? '',
    row.reason ?? '',
  ]
    .join(' ')
    .toLowerCase();
}

/** Every whitespace-separated word of the filter must occur somewhere in the row. */
function matcher(filter: string): (row: LogRow) => boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return () => true;
  return (row) => words.every((w) => row.haystack.includes(w));
}

export class ReceiveLog {
  /** Rows that pass the filter, oldest first. */
  rows = $state.raw<readonly LogRow[]>([]);
  /** All rows kept, whether they pass the filter or not. */
  total = $state(0);
  filter = $state('');
  private all: LogRow[] = [];
  private nextSeq = 1;
  private readonly capacity: number;

  constructor(capacity = DEFAULT_CAPACITY) {
    this.capacity = capacity;
  }

  append(events: readonly LiveEvent[]): void {
    const added: LogRow[] = [];
    for (const event of events) {
      const row = logRowFromEvent(event, this.nextSeq);
      if (!row) continue;
      this.nextSeq++;
      added.push(row);
    }
    if (added.length === 0) return;
    this.all.push(...added);
    const trimmed = this.trim();
    const matches = matcher(this.filter);
    const addedMatching = added.filter(matches);
    if (trimmed) this.rows = this.all.filter(matches);
    else if (addedMatching.length > 0) this.rows = this.rows.concat(addedMatching);
    this.total = this.all.length;
  }

  setFilter(text: string): void {
    this.filter = text;
    this.rows = this.all.filter(matcher(text));
  }

  clear(): void {
    this.all = [];
    this.rows = [];
    this.total = 0;
  }

  private trim(): boolean {
    if (this.all.length <= this.capacity) return false;
    this.all = this.all.slice(this.all.length - Math.floor(this.capacity * 0.9));
    return true;
  }
}
