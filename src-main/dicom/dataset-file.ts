/**
 * How a sender reads the files it sends. 'async' (the default) goes through libuv's thread pool, so
 * a slow disk or a hung network share never holds the thread's event loop: the engine's main
 * thread, which also receives, sends what the user drops on the window this way. 'sync' makes one
 * blocking call each, for a thread that has nothing else to do meanwhile (the CLI's `send`, the
 * forward thread): the three trips through the pool per file (open, read, close) were about a fifth
 * of a small file's send (docs/benchmarks.md, ninth session).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';

export type FileReads = 'async' | 'sync';

/** What a sender needs of an open file (a FileHandle has it). */
export interface DatasetFile {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

/** Opens `path` for reading; a failure is a rejection either way, never a throw. */
export function openDatasetFile(path: string, reads: FileReads): Promise<DatasetFile> {
  return reads === 'async' ? open(path, 'r') : openSyncDatasetFile(path);
}

// async: a failing blocking call becomes a rejection, as the pool's calls fail.
async function openSyncDatasetFile(path: string): Promise<DatasetFile> {
  return new SyncDatasetFile(openSync(path, 'r'));
}

/**
 * A descriptor used once closed could be another file's by then (the number is reused): as with
 * a FileHandle, a read after close is refused and a second close does nothing.
 */
class SyncDatasetFile implements DatasetFile {
  private fd: number | undefined;

  constructor(fd: number) {
    this.fd = fd;
  }

  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    return { bytesRead: readSync(this.descriptor(), buffer, offset, length, position) };
  }

  async close(): Promise<void> {
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) closeSync(fd);
  }

  private descriptor(): number {
    if (this.fd === undefined) throw Object.assign(new Error('file closed'), { code: 'EBADF' });
    return this.fd;
  }
}
