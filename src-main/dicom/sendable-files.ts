/**
 * Turns what a user points at (files, folders) into the list of DICOM files to send, and says
 * why everything else was left out. Only the Part-10 header is read.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathKind } from './input-path.ts';
import { metaGroupLengthProblem, readP10Header } from './p10-reader.ts';
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

export async function readSendableFile(file: string): Promise<SendableFile | { reason: string }> {
  try {
    const header = await readP10Header(file);
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

/**
 * Headers read at once while collecting. Each read is three trips through libuv's thread pool (open,
 * read, close), so a folder of small files read one by one is bound by those round trips, not by
 * the disk: the headers of 5000 x 10 KiB took 0.71-0.77 s one at a time (a third of sending them),
 * 0.29-0.39 s 16 at a time; 4 to 64 at a time made no clear difference (libuv's four threads bound it).
 */
const HEADER_READS_AT_ONCE = 16;

/** What the walk found, in order: a file whose header is still to be read, or something left out. */
type Found = { file: string; explicit: boolean } | { skipped: SkippedFile };

/**
 * Files in the order given; folders walked recursively in name order. Nothing but regular files is
 * opened: a FIFO, socket, device or symbolic link loop is skipped with its reason, named or found.
 */
export async function collectSendableFiles(paths: string[]): Promise<CollectedFiles> {
  const found: Found[] = [];
  const missing: string[] = [];
  for (const path of paths) {
    const kind = await pathKind(path);
    if (kind.kind === 'folder') await walkFolder(found, path);
    else if (kind.kind === 'file') found.push({ file: path, explicit: true });
    else if (kind.missing) missing.push(path);
    else found.push({ skipped: { file: path, reason: kind.reason, explicit: true } });
  }
  const read = await mapInOrder(found, HEADER_READS_AT_ONCE, async (f) => {
    if ('skipped' in f) return f;
    const result = await readSendableFile(f.file);
    return 'reason' in result ? { skipped: { file: f.file, reason: result.reason, explicit: f.explicit } } : result;
  });
  const collected: CollectedFiles = { files: [], skipped: [], missing };
  for (const r of read) {
    if ('skipped' in r) collected.skipped.push(r.skipped);
    else collected.files.push(r);
  }
  return collected;
}

async function walkFolder(found: Found[], dir: string): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walkFolder(found, path);
    else if (entry.isFile()) found.push({ file: path, explicit: false });
    else if (entry.isSymbolicLink()) found.push(await followLink(path));
    else found.push({ skipped: await otherKind(path) });
  }
}

/** A FIFO, socket or device in a folder: listed as skipped, never opened. */
async function otherKind(path: string): Promise<SkippedFile> {
  const kind = await pathKind(path);
  return { file: path, reason: kind.kind === 'unusable' ? kind.reason : 'not a regular file; not opened', explicit: false };
}

/** A link to a file is sent as the file; a link to a folder is not followed, which keeps the walk free of cycles. */
async function followLink(path: string): Promise<Found> {
  const kind = await pathKind(path);
  if (kind.kind === 'file') return { file: path, explicit: false };
  if (kind.kind === 'folder') return { skipped: { file: path, reason: 'a symbolic link to a folder; not followed', explicit: false } };
  return { skipped: { file: path, reason: kind.reason, explicit: false } };
}

/** `fn` over `items` with at most `limit` calls running at once; the results in the items' order. */
async function mapInOrder<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
