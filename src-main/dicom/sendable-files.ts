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
 * Files in the order given; folders walked recursively in name order. Nothing but regular files is
 * opened: a FIFO, socket, device or symbolic link loop is skipped with its reason, named or found.
 */
export async function collectSendableFiles(paths: string[]): Promise<CollectedFiles> {
  const collected: CollectedFiles = { files: [], skipped: [], missing: [] };
  for (const path of paths) {
    const kind = await pathKind(path);
    if (kind.kind === 'folder') await addFolder(collected, path);
    else if (kind.kind === 'file') await add(collected, path, true);
    else if (kind.missing) collected.missing.push(path);
    else collected.skipped.push({ file: path, reason: kind.reason, explicit: true });
  }
  return collected;
}

async function add(collected: CollectedFiles, file: string, explicit: boolean): Promise<void> {
  const result = await readSendableFile(file);
  if ('reason' in result) collected.skipped.push({ file, reason: result.reason, explicit });
  else collected.files.push(result);
}

async function addFolder(collected: CollectedFiles, dir: string): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await addFolder(collected, path);
    else if (entry.isFile()) await add(collected, path, false);
    else if (entry.isSymbolicLink()) await addLink(collected, path);
    else await addOther(collected, path);
  }
}

/** A FIFO, socket or device in a folder: listed as skipped, never opened. */
async function addOther(collected: CollectedFiles, path: string): Promise<void> {
  const kind = await pathKind(path);
  collected.skipped.push({
    file: path,
    reason: kind.kind === 'unusable' ? kind.reason : 'not a regular file; not opened',
    explicit: false,
  });
}

/** A link to a file is sent as the file; a link to a folder is not followed, which keeps the walk free of cycles. */
async function addLink(collected: CollectedFiles, path: string): Promise<void> {
  const kind = await pathKind(path);
  if (kind.kind === 'file') await add(collected, path, false);
  else if (kind.kind === 'folder')
    collected.skipped.push({ file: path, reason: 'a symbolic link to a folder; not followed', explicit: false });
  else collected.skipped.push({ file: path, reason: kind.reason, explicit: false });
}
