/**
 * What a path the user named (or a folder holds) is, before anything reads it: a regular file,
 * a folder, or something to leave alone with a reason a person understands. A FIFO is never
 * opened for reading (that blocks until some writer appears), a symbolic link loop is called one
 * (not "no such file"), and a device or socket is not read.
 */
import { closeSync, constants, fstatSync, openSync, statSync, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';

export type PathKind = { kind: 'file'; size: number } | { kind: 'folder' } | { kind: 'unusable'; reason: string; missing: boolean };

/** The reason an fs call failed, in words a user understands, with the system's code for searching. */
export function describeFsError(err: NodeJS.ErrnoException): string {
  const words = FS_ERROR_WORDS[err.code ?? ''] ?? 'cannot open';
  return `${words} (${err.code ?? err.message})`;
}
const FS_ERROR_WORDS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  ELOOP: 'symbolic link loop',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is not a folder',
  ENAMETOOLONG: 'path too long',
  EIO: 'the disk or share could not be read',
};

/** Why `info` is not something to read as a file, or undefined for a regular file. */
export function notAFileReason(info: Stats): string | undefined {
  if (info.isFile()) return undefined;
  if (info.isFIFO()) return 'a FIFO (named pipe), not a file; not opened';
  if (info.isSocket()) return 'a socket, not a file; not opened';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device, not a file; not opened';
  if (info.isDirectory()) return 'a folder, not a file';
  return 'not a regular file; not opened';
}

/** Follows symbolic links; never opens the path. */
export async function pathKind(path: string): Promise<PathKind> {
  return stat(path).then(kindOf, kindOfFailure);
}

/** pathKind with a synchronous stat, for a thread whose work is to read files (the header reader). */
export function pathKindSync(path: string): PathKind {
  try {
    return kindOf(statSync(path));
  } catch (err) {
    return kindOfFailure(err);
  }
}

function kindOf(info: Stats): PathKind {
  if (info.isDirectory()) return { kind: 'folder' };
  const reason = notAFileReason(info);
  return reason ? { kind: 'unusable', reason, missing: false } : { kind: 'file', size: info.size };
}

function kindOfFailure(err: unknown): PathKind {
  const error = err as NodeJS.ErrnoException;
  return { kind: 'unusable', reason: describeFsError(error), missing: error.code === 'ENOENT' };
}

/**
 * Opens a regular file for reading. O_NONBLOCK makes opening a FIFO return at once instead of
 * waiting for a writer (a path can change between a stat and an open); the handle's own stat
 * then refuses it. `fail` builds the caller's error type from a reason.
 */
export async function openRegularFile(path: string, fail: (reason: string) => Error): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw fail(describeFsError(err as NodeJS.ErrnoException));
  }
  // The handle's own stat can fail too (a share that went away): either way, what was opened is closed.
  const found = sizeOrReason(await handle.stat().catch((err: NodeJS.ErrnoException) => err));
  if ('size' in found) return { handle, size: found.size };
  await handle.close();
  throw fail(found.reason);
}

/** openRegularFile with synchronous calls, for a thread whose work is to read files; the caller closes `fd`. */
export function openRegularFileSync(path: string, fail: (reason: string) => Error): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw fail(describeFsError(err as NodeJS.ErrnoException));
  }
  const found = sizeOrReason(fstatOrError(fd));
  if ('size' in found) return { fd, size: found.size };
  closeSync(fd);
  throw fail(found.reason);
}

/** An open file's size, or why it is not to be read: from its own stat, or from that stat's failure. */
function sizeOrReason(info: Stats | NodeJS.ErrnoException): { size: number } | { reason: string } {
  if (info instanceof Error) return { reason: describeFsError(info) };
  const reason = notAFileReason(info);
  return reason === undefined ? { size: info.size } : { reason };
}

function fstatOrError(fd: number): Stats | NodeJS.ErrnoException {
  try {
    return fstatSync(fd);
  } catch (err) {
    return err as NodeJS.ErrnoException;
  }
}
