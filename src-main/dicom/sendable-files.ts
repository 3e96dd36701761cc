/**
 * Turns what a user points at (files, folders) into the list of DICOM files to send, and says
 * why everything else was left out. Only the Part-10 header is read.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { pathKindSync } from './input-path.ts';
import { metaGroupLengthProblem, readP10HeaderSync } from './p10-reader.ts';
import { uidProblem } from './uid.ts';

export interface SendableFile {
  file: string;
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  datasetOffset: number;
  datasetLength: number;
}

export interface SkippedFile {
  file: string;
  reason: string;
  /** Named by the user rather than found in a folder: leaving it out is an input error. */
  explicit: boolean;
}

export interface CollectedFiles {
  files: SendableFile[];
  skipped: SkippedFile[];
  missing: string[];
}

const MEDIA_STORAGE_DIRECTORY = '1.2.840.10008.1.3.10';

/** One file's header read (synchronously: see collectSendableFiles) into what a send needs, or why it cannot be sent. */
export function readSendableFile(file: string): SendableFile | { reason: string } {
  try {
    const header = readP10HeaderSync(file);
    if (!header.mediaStorageSopClassUid) return { reason: 'file meta group has no Media Storage SOP Class UID (0002,0002)' };
    if (!header.mediaStorageSopInstanceUid) return { reason: 'file meta group has no Media Storage SOP Instance UID (0002,0003)' };
    if (header.mediaStorageSopClassUid === MEDIA_STORAGE_DIRECTORY) return { reason: 'a DICOMDIR (media directory), not an instance' };
    const metaProblem = metaGroupLengthProblem(header, header.fileSize);
    if (metaProblem) return { reason: `${metaProblem}; not sent` };
    // The command would carry these UIDs; an invalid one would be cut or cleaned on the way,
    // and the peer would store the instance under a UID the file does not have.
    for (const [name, uid] of [
      ['SOP Class UID', header.mediaStorageSopClassUid],
      ['SOP Instance UID', header.mediaStorageSopInstanceUid],
    ]) {
      const problem = uidProblem(uid);
      if (problem) return { reason: `its ${name} ${JSON.stringify(uid)} ${problem}; not sent` };
    }
    return {
      file,
      sopClassUid: header.mediaStorageSopClassUid,
      sopInstanceUid: header.mediaStorageSopInstanceUid,
      transferSyntaxUid: header.transferSyntaxUid,
      datasetOffset: header.datasetOffset,
      datasetLength: header.fileSize - header.datasetOffset,
    };
  } catch (err) {
    // The reader's messages start with the file name; the file is reported beside the reason.
    const message = (err as Error).message;
    return { reason: message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message };
  }
}

/** What the walk found, in order: a file whose header is still to be read, or something left out. */
type Found = { file: string; explicit: boolean } | { skipped: SkippedFile };

/** The header-reading thread's entry next to this file: .ts when running from source, .js once compiled. */
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './sendable-files-worker.ts' : './sendable-files-worker.js', import.meta.url);

/**
 * The files to send among `paths`, collected on a thread of its own with synchronous calls.
 * On the main thread each header was three trips through libuv's pool (open, read, close) and
 * their promises: 5000 x 10 KiB took 460 ms that way, 16 at a time, and 95-133 ms synchronously
 * (a quarter of sending them). A thread keeps a slow disk or a hung network share from blocking
 * the engine, whose main thread also receives. (The CLI's `send`, with nothing else to do, calls
 * collectSendableFilesSync itself.)
 */
export function collectSendableFiles(paths: string[]): Promise<CollectedFiles> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, { workerData: paths, resourceLimits: { maxYoungGenerationSizeMb: 4 } });
    let collected: CollectedFiles | undefined;
    worker.once('message', (reply: CollectedFiles) => (collected = reply));
    worker.once('error', reject);
    worker.once('exit', (code) =>
      collected ? resolve(collected) : reject(new Error(`the thread reading the files' headers ended (code ${code}) without an answer`)),
    );
  });
}

/**
 * Files in the order given; folders walked recursively in name order. Nothing but regular files is
 * opened: a FIFO, socket, device or symbolic link loop is skipped with its reason, named or found.
 * Synchronous: for the header-reading thread (collectSendableFiles) and a command with nothing else to do.
 */
export function collectSendableFilesSync(paths: string[]): CollectedFiles {
  const found: Found[] = [];
  const collected: CollectedFiles = { files: [], skipped: [], missing: [] };
  for (const path of paths) {
    const kind = pathKindSync(path);
    if (kind.kind === 'folder') walkFolder(found, path);
    else if (kind.kind === 'file') found.push({ file: path, explicit: true });
    else if (kind.missing) collected.missing.push(path);
    else found.push({ skipped: { file: path, reason: kind.reason, explicit: true } });
  }
  for (const f of found) {
    if ('skipped' in f) {
      collected.skipped.push(f.skipped);
      continue;
    }
    const result = readSendableFile(f.file);
    if ('reason' in result) collected.skipped.push({ file: f.file, reason: result.reason, explicit: f.explicit });
    else collected.files.push(result);
  }
  return collected;
}

function walkFolder(found: Found[], dir: string): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walkFolder(found, path);
    else if (entry.isFile()) found.push({ file: path, explicit: false });
    else if (entry.isSymbolicLink()) found.push(followLink(path));
    else found.push({ skipped: otherKind(path) });
  }
}

/** A FIFO, socket or device in a folder: listed as skipped, never opened. */
function otherKind(path: string): SkippedFile {
  const kind = pathKindSync(path);
  return { file: path, reason: kind.kind === 'unusable' ? kind.reason : 'not a regular file; not opened', explicit: false };
}

/** A link to a file is sent as the file; a link to a folder is not followed, which keeps the walk free of cycles. */
function followLink(path: string): Found {
  const kind = pathKindSync(path);
  if (kind.kind === 'file') return { file: path, explicit: false };
  if (kind.kind === 'folder') return { skipped: { file: path, reason: 'a symbolic link to a folder; not followed', explicit: false } };
  return { skipped: { file: path, reason: kind.reason, explicit: false } };
}
