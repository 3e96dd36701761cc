/**
 * The files on the Send view and what happened to each: scanned (ready), sending with bytes sent,
 * sent, failed with the peer's status, or not sent because the send was cancelled. Progress events
 * can arrive before sendFiles() has answered with the sendId, so they wait until it is known.
 */
import type { CommandFailure, ScanResult, SendFinished, SendTarget } from '../../../../src-main/api/contract.ts';
import type { SendFileResult, SendProgress } from '../../../../src-main/api/contract.ts';
import { transferSyntaxName } from '../../../../src-main/api/contract.ts';
import { shortName } from '../../lib/format.ts';

/** 'unknown': the connection to the gateway dropped during the send, so its outcome was never heard. */
export type FileState = 'ready' | 'waiting' | 'sending' | 'sent' | 'failed' | 'not-sent' | 'unknown';

export interface SendRow {
  path: string;
  name: string;
  sopClassName: string;
  transferSyntaxName: string;
  transferSyntaxUid: string;
  /** File size from the scan; the dataset put on the wire is a little smaller. */
  fileBytes: number;
  bytesSent: number;
  /** Dataset bytes to send, once the first progress event tells us; else the file size. */
  bytesTotal: number;
  state: FileState;
  statusHex: string | null;
  meaning: string | null;
  error: string | null;
}

export type SendEvent =
  | { kind: 'progress'; payload: SendProgress }
  | { kind: 'file-done'; payload: SendFileResult }
  | { kind: 'finished'; payload: SendFinished };

export interface OverallProgress {
  files: number;
  done: number;
  failed: number;
  /** Bytes of the files the destination stored, plus those of the file on the wire now. */
  bytesSent: number;
  bytesTotal: number;
  /** 0..1 by bytes, so one big file moves the bar as much as it takes time. */
  fraction: number;
}

export class SendSession {
  rows = $state<SendRow[]>([]);
  skipped = $state.raw<readonly { path: string; reason: string }[]>([]);
  sendId = $state<number | undefined>();
  /** True from pressing Send until 'send-finished' (or the send failing to start). */
  running = $state(false);
  finished = $state<SendFinished | undefined>();
  failure = $state<CommandFailure | undefined>();
  /** True when the connection dropped during the send: what happened after that was not heard. */
  interrupted = $state(false);
  /** Paths of the files in the current (or last) send, in the order given to sendFiles. */
  sendPaths = $state.raw<readonly string[]>([]);
  lastTarget: SendTarget | undefined;

  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a private index of the reactive rows, rebuilt whole; never read by a template
  private byPath = new Map<string, SendRow>();
  private early: SendEvent[] = [];

  addScan(result: ScanResult): void {
    const fresh = result.files.filter((f) => !this.byPath.has(f.path));
    for (const f of fresh) {
      this.rows.push({
        path: f.path,
        name: shortName(f.path),
        sopClassName: f.sopClassName,
        transferSyntaxName: transferSyntaxName(f.transferSyntaxUid),
        transferSyntaxUid: f.transferSyntaxUid,
        fileBytes: f.bytes,
        bytesSent: 0,
        bytesTotal: f.bytes,
        state: 'ready',
        statusHex: null,
        meaning: null,
        error: null,
      });
    }
    // In folder order, as a file manager lists them, whatever order they were chosen or dropped in.
    this.rows.sort((a, b) => a.path.localeCompare(b.path, undefined, { numeric: true }));
    this.reindex();
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup for this call only, never read by a template
    const known = new Set(this.skipped.map((s) => s.path));
    const newSkips = [...result.skipped, ...result.missing.map((path) => ({ path, reason: 'Not found (moved or deleted?)' }))];
    this.skipped = [...this.skipped, ...newSkips.filter((s) => !known.has(s.path))];
  }

  clear(): void {
    if (this.running) return;
    this.rows = [];
    this.skipped = [];
    this.finished = undefined;
    this.failure = undefined;
    this.sendPaths = [];
    this.byPath.clear();
  }

  remove(path: string): void {
    if (this.running) return;
    this.rows = this.rows.filter((r) => r.path !== path);
    this.reindex();
  }

  failedPaths(): string[] {
    return this.rows.filter((r) => r.state === 'failed').map((r) => r.path);
  }

  /** Marks `paths` as about to be sent; returns them for sendFiles. */
  begin(paths: readonly string[], target: SendTarget): void {
    this.lastTarget = target;
    this.sendPaths = [...paths];
    this.sendId = undefined;
    this.finished = undefined;
    this.failure = undefined;
    this.early = [];
    this.interrupted = false;
    this.running = true;
    for (const path of paths) {
      const row = this.byPath.get(path);
      if (!row) continue;
      Object.assign(row, { state: 'waiting', bytesSent: 0, statusHex: null, meaning: null, error: null });
    }
  }

  started(sendId: number): void {
    this.sendId = sendId;
    const early = this.early;
    this.early = [];
    this.apply(early);
  }

  failedToStart(failure: CommandFailure): void {
    this.failure = failure;
    this.running = false;
    for (const path of this.sendPaths) {
      const row = this.byPath.get(path);
      if (row && row.state === 'waiting') row.state = 'ready';
    }
  }

  /** The connection came back after a loss: events of this send may be missing, so stop waiting for them. */
  connectionLost(): void {
    if (!this.running) return;
    this.running = false;
    this.interrupted = true;
    for (const path of this.sendPaths) {
      const row = this.byPath.get(path);
      if (row && (row.state === 'waiting' || row.state === 'sending')) row.state = 'unknown';
    }
  }

  apply(events: readonly SendEvent[]): void {
    for (const event of events) {
      if (this.sendId === undefined) {
        if (this.running) this.early.push(event);
        continue;
      }
      if (event.payload.sendId !== this.sendId) continue;
      if (event.kind === 'progress') this.onProgress(event.payload);
      else if (event.kind === 'file-done') this.onFileDone(event.payload);
      else this.onFinished(event.payload);
    }
  }

  overall(): OverallProgress {
    let done = 0;
    let failed = 0;
    let bytesSent = 0;
    let bytesTotal = 0;
    for (const path of this.sendPaths) {
      const row = this.byPath.get(path);
      if (!row) continue;
      const finishedRow = row.state === 'sent' || row.state === 'failed' || row.state === 'not-sent' || row.state === 'unknown';
      if (finishedRow) done++;
      if (row.state === 'failed') failed++;
      bytesTotal += row.bytesTotal;
      // Only what the destination took counts: a failed file's bytes were not stored, however many went out.
      if (row.state === 'sent') bytesSent += row.bytesTotal;
      else if (row.state === 'sending') bytesSent += Math.min(row.bytesSent, row.bytesTotal);
    }
    const fraction = bytesTotal > 0 ? bytesSent / bytesTotal : this.sendPaths.length > 0 && done === this.sendPaths.length ? 1 : 0;
    return { files: this.sendPaths.length, done, failed, bytesSent, bytesTotal, fraction };
  }

  private onProgress(p: SendProgress): void {
    const row = this.rowFor(p.file, p.fileIndex);
    if (!row || row.state === 'sent' || row.state === 'failed' || row.state === 'unknown') return;
    row.state = 'sending';
    row.bytesTotal = p.bytesTotal;
    row.bytesSent = p.bytesSent;
  }

  private onFileDone(r: SendFileResult): void {
    const row = this.rowFor(r.file, undefined);
    if (!row) return;
    row.state = r.ok ? 'sent' : 'failed';
    if (r.ok) {
      if (r.bytes > 0) row.bytesTotal = r.bytes;
      row.bytesSent = row.bytesTotal;
    }
    row.statusHex = r.statusHex;
    row.meaning = r.meaning;
    row.error = r.error ?? null;
  }

  private onFinished(f: SendFinished): void {
    this.finished = f;
    this.running = false;
    for (const path of this.sendPaths) {
      const row = this.byPath.get(path);
      if (row && (row.state === 'waiting' || row.state === 'sending')) row.state = 'not-sent';
    }
  }

  /** The row an event is about: by path, else by its position in the list given to sendFiles. */
  private rowFor(file: string, fileIndex: number | undefined): SendRow | undefined {
    const byPath = this.byPath.get(file);
    if (byPath) return byPath;
    const path = fileIndex === undefined ? undefined : this.sendPaths[fileIndex];
    return path === undefined ? undefined : this.byPath.get(path);
  }

  private reindex(): void {
    // Index the reactive proxies (what rows[i] returns), so updates through the map re-render.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- see byPath
    this.byPath = new Map(this.rows.map((row) => [row.path, row]));
  }
}
