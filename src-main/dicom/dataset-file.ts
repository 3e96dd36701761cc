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
  if (reads === 'async') return open(path, 'r');
  try {
    return Promise.resolve(new SyncDatasetFile(openSync(path, 'r')));
  } catch (err) {
    return Promise.reject(err as Error);
  }
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

  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    try {
      return Promise.resolve({ bytesRead: readSync(this.descriptor(), buffer, offset, length, position) });
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  close(): Promise<void> {
    const fd = this.fd;
    this.fd = undefined;
    try {
      if (fd !== undefined) closeSync(fd);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  private descriptor(): number {
    if (this.fd === undefined) throw Object.assign(new Error('file closed'), { code: 'EBADF' });
    return this.fd;
  }
}
