/** Writes every byte of a list of buffers at a position, however many writev calls it takes. */
import { writevSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

export async function writeFully(file: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let pending: Buffer[] | undefined = buffers;
  for (let at = position; pending;) {
    const { bytesWritten } = await file.writev(pending, at);
    at += bytesWritten;
    pending = unwritten(pending, bytesWritten);
  }
}

/** writeFully on the calling thread, for a write too short to be worth a trip through libuv's pool. */
export function writeFullySync(fd: number, buffers: Buffer[], position: number): void {
  let pending: Buffer[] | undefined = buffers;
  for (let at = position; pending;) {
    const bytesWritten = writevSync(fd, pending, at);
    at += bytesWritten;
    pending = unwritten(pending, bytesWritten);
  }
}

/** What is left to write after `written` bytes of `buffers` (writev may write less than asked), or undefined. */
function unwritten(buffers: Buffer[], written: number): Buffer[] | undefined {
  const total = buffers.reduce((n, b) => n + b.length, 0);
  return written >= total ? undefined : [Buffer.concat(buffers).subarray(written)];
}
