/** Writes every byte of a list of buffers at a position, however many writev calls it takes. */
import type { FileHandle } from 'node:fs/promises';

export async function writeFully(file: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let pending = buffers;
  let at = position;
  // writev may write less than asked; write the rest or fail.
  for (;;) {
    const total = pending.reduce((n, b) => n + b.length, 0);
    const { bytesWritten } = await file.writev(pending, at);
    if (bytesWritten >= total) return;
    at += bytesWritten;
    pending = [Buffer.concat(pending).subarray(bytesWritten)];
  }
}
