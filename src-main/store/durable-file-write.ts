/**
 * Writes new files whole and makes them durable, for the filing thread: write() each file of a
 * batch, then syncAll() fsyncs them several at a time.
 *
 * Several fsyncs in flight: the block layer and the device overlap them, and a journaling ext4
 * commits them together (the machine of the eighteenth session ran ext4 without a journal). On
 * this project's disks a new 10 KiB file's fsync took 0.39-0.49 ms one after another,
 * 0.23-0.37 ms with four in flight; receiving 5000 x 10 KiB, serve was faster in 8 pairs of 10
 * (docs/benchmarks.md, seventeenth session). They run in libuv's pool, which the
 * acknowledgements' journal writes share: serve's pool is sized for both (runtime/thread-pool.ts).
 *
 * A large file is written with O_DIRECT: its bytes go from our buffer to the device without
 * passing through the page cache. Written through the cache, every 4 KiB of a new file takes a
 * fresh page of memory, and on a virtual machine whose host takes free pages back (this project's
 * machines) a fresh page is a fault to the host: copying 512 KiB instances into the cache was the
 * busiest thread of a large receive (docs/benchmarks.md, sixteenth session). The file is not in
 * the cache afterwards, so its first reader (a forward, the Inspector) reads it from the device.
 *
 * O_DIRECT wants the buffer's address, the file offset and the length aligned to the device's
 * block. A Buffer's memory starts 16 bytes into a page, a WebAssembly memory on a page boundary:
 * the bytes are staged in one (staged()), written in whole 4 KiB blocks with the padding zeroed,
 * and the file is cut to its length. Small files gain nothing (10 KiB ones were no faster) and
 * stay buffered. Where direct I/O is refused (EINVAL: a file system without it, a device whose
 * blocks are larger), the writer goes on with buffered writes for good.
 */
import { closeSync, constants, fsync, ftruncateSync, openSync, unlinkSync } from 'node:fs';
import { writeFullySync } from './write-fully.ts';

const BLOCK = 4096;
const WASM_PAGE = 64 * 1024;
/** From this size on a file is written direct: 512 KiB ones were faster that way, 10 KiB ones not. */
export const DIRECT_FROM_BYTES = 64 * 1024;
/** Undefined where the platform has no O_DIRECT (macOS, Windows): buffered writes only. */
const O_DIRECT = constants.O_DIRECT as number | undefined;

/** How many fsyncs syncAll() keeps in flight: four of libuv's threads, half of serve's pool (runtime/thread-pool.ts). */
export const SYNCS_IN_FLIGHT = 4;

/** A new file written whole, still open and not yet durable. */
export interface WrittenFile {
  fd: number;
  path: string;
}

/** The one part of WebAssembly used here (the project's `lib` has no WebAssembly types). */
declare const WebAssembly: { Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer } };

export class DurableFileWriter {
  private direct = O_DIRECT !== undefined;
  private staging: Buffer = Buffer.alloc(0);
  private readonly allocate: (size: number) => Buffer;

  /** `allocate` gives the staging memory (page-aligned unless a test says otherwise). */
  constructor(allocate: (size: number) => Buffer = pageAligned) {
    this.allocate = allocate;
  }

  /** Whether large files are still written direct (false once direct I/O was refused). */
  get writesDirect(): boolean {
    return this.direct;
  }

  /** A buffer of `length` bytes to fill and then write(); valid until the next call. */
  staged(length: number): Buffer {
    const capacity = alignUp(length);
    if (this.staging.length < capacity) this.staging = this.allocateStaging(capacity);
    return this.staging.subarray(0, length);
  }

  /** Writes `bytes` as the whole of the new file `path`, left open for syncAll(); on failure nothing stays at `path`. */
  write(path: string, bytes: Buffer): WrittenFile {
    if (this.direct && bytes.length >= DIRECT_FROM_BYTES && this.isStaged(bytes)) {
      try {
        return writeWhole(path, bytes, true);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
        this.direct = false;
      }
    }
    return writeWhole(path, bytes, false);
  }

  /** Only the staging buffer has the room (and the alignment) for the padded blocks. */
  private isStaged(bytes: Buffer): boolean {
    return bytes.buffer === this.staging.buffer && bytes.byteOffset === this.staging.byteOffset;
  }

  private allocateStaging(capacity: number): Buffer {
    try {
      return this.allocate(capacity);
    } catch {
      // No WebAssembly memory to be had (an address-space limit): plain memory, buffered writes.
      this.direct = false;
      return Buffer.allocUnsafe(capacity);
    }
  }
}

/** Memory that starts on a page boundary. */
function pageAligned(size: number): Buffer {
  return Buffer.from(new WebAssembly.Memory({ initial: Math.ceil(size / WASM_PAGE) }).buffer);
}

/**
 * Makes every file durable (fsync, SYNCS_IN_FLIGHT at a time) and closes it. If one fsync fails,
 * the others are let finish, then every file is closed and removed, and the first error thrown.
 */
export async function syncAll(files: WrittenFile[]): Promise<void> {
  let next = 0;
  let failure: unknown;
  const lane = async (): Promise<void> => {
    while (next < files.length && failure === undefined) {
      const file = files[next++]!;
      await new Promise<void>((resolve, reject) => fsync(file.fd, (err) => (err ? reject(err) : resolve()))).catch((err: unknown) => {
        failure ??= err;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(SYNCS_IN_FLIGHT, files.length) }, lane));
  if (failure !== undefined) {
    discardAll(files);
    throw failure;
  }
  for (const file of files) closeSync(file.fd);
}

/** Closes and removes files that will not be made durable (a batch that failed part way). */
export function discardAll(files: WrittenFile[]): void {
  for (const file of files) {
    quietly(() => closeSync(file.fd));
    quietly(() => unlinkSync(file.path));
  }
}

function writeWhole(path: string, bytes: Buffer, direct: boolean): WrittenFile {
  const fd = openSync(path, direct ? constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | O_DIRECT! : 'w');
  try {
    if (direct) {
      const blocks = Buffer.from(bytes.buffer, bytes.byteOffset, alignUp(bytes.length)).fill(0, bytes.length);
      writeFullySync(fd, [blocks], 0);
      ftruncateSync(fd, bytes.length);
    } else {
      writeFullySync(fd, [bytes], 0);
    }
  } catch (err) {
    // Disk full or refused: nothing partial stays behind.
    discardAll([{ fd, path }]);
    throw err;
  }
  return { fd, path };
}

function alignUp(n: number): number {
  return Math.ceil(n / BLOCK) * BLOCK;
}

/** Clean-up after a failure: its own failure must not hide the one being reported. */
function quietly(step: () => void): void {
  try {
    step();
  } catch {
    // the first error is the one that matters
  }
}
