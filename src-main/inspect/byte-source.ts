/**
 * Sequential readers over a dataset's bytes, for walking files of any size in bounded memory.
 * A plain dataset is read from the file by position (skipping a value costs nothing); a deflated
 * one is inflated as a stream, so its positions count inflated bytes.
 */
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createInflateRaw } from 'node:zlib';

/** Receives a value's bytes piece by piece; a chunk is only valid during the call. */
export type ChunkSink = (chunk: Buffer) => void;

export interface ByteSource {
  /** Position of the next byte: a file offset, or for an inflated dataset an offset in the inflated bytes. */
  readonly position: number;
  /** Exactly `length` bytes, copied (the caller may keep them); throws EndOfData if fewer remain. */
  read(length: number): Promise<Buffer>;
  /**
   * The next `length` bytes if they are already buffered (and moves past them), else undefined:
   * lets the walker read headers without waiting. The view is valid only until the next read.
   */
  readNow(length: number): Buffer | undefined;
  /** Up to `length` next bytes without moving (fewer only at the end of the data). */
  peek(length: number): Promise<Buffer>;
  /** Moves `length` bytes forward, handing them to `sink` when given; throws EndOfData if fewer remain. */
  pass(length: number, sink?: ChunkSink): Promise<void>;
  atEnd(): Promise<boolean>;
  close(): Promise<void>;
}

/** The data ended before a length it announced; `position` is where the missing bytes should have been. */
export class EndOfData extends Error {
  readonly position: number;
  constructor(position: number, wanted: number) {
    super(`data ends at byte ${position}, ${wanted} more byte(s) expected`);
    this.name = 'EndOfData';
    this.position = position;
  }
}

const CHUNK_BYTES = 1024 * 1024;

/** Reads [start, end) of a file by position through one buffer. */
export class FileByteSource implements ByteSource {
  private readonly handle: FileHandle;
  private readonly end: number;
  private buffer: Buffer = Buffer.alloc(0);
  private bufferStart = 0;
  private scratch: Buffer | undefined;
  position: number;

  private constructor(handle: FileHandle, start: number, end: number) {
    this.handle = handle;
    this.position = start;
    this.end = end;
  }

  static async open(path: string, start: number, end?: number): Promise<FileByteSource> {
    const handle = await open(path, 'r');
    const size = end ?? (await handle.stat()).size;
    return new FileByteSource(handle, start, size);
  }

  async read(length: number): Promise<Buffer> {
    this.requireAvailable(length);
    const buffered = this.bufferedFrom(this.position);
    if (buffered.length < length) await this.fill(length);
    const out = Buffer.from(this.bufferedFrom(this.position).subarray(0, length));
    this.position += length;
    return out;
  }

  readNow(length: number): Buffer | undefined {
    const offset = this.position - this.bufferStart;
    if (offset < 0 || offset + length > this.buffer.length) return undefined;
    this.position += length;
    return this.buffer.subarray(offset, offset + length);
  }

  async peek(length: number): Promise<Buffer> {
    const wanted = Math.min(length, this.end - this.position);
    if (this.bufferedFrom(this.position).length < wanted) await this.fill(wanted);
    return Buffer.from(this.bufferedFrom(this.position).subarray(0, wanted));
  }

  async pass(length: number, sink?: ChunkSink): Promise<void> {
    this.requireAvailable(length);
    if (!sink) {
      this.position += length;
      return;
    }
    let left = length;
    const buffered = this.bufferedFrom(this.position);
    if (buffered.length > 0) {
      const take = Math.min(buffered.length, left);
      sink(buffered.subarray(0, take));
      this.position += take;
      left -= take;
    }
    // Large values go straight through one reused buffer, never through `this.buffer`.
    this.scratch ??= Buffer.allocUnsafe(CHUNK_BYTES);
    while (left > 0) {
      const want = Math.min(left, this.scratch.length);
      const { bytesRead } = await this.handle.read(this.scratch, 0, want, this.position);
      if (bytesRead === 0) throw new EndOfData(this.position, left);
      sink(this.scratch.subarray(0, bytesRead));
      this.position += bytesRead;
      left -= bytesRead;
    }
  }

  async atEnd(): Promise<boolean> {
    return this.position >= this.end;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  private requireAvailable(length: number): void {
    if (this.position + length > this.end) throw new EndOfData(this.end, this.position + length - this.end);
  }

  private bufferedFrom(position: number): Buffer {
    const offset = position - this.bufferStart;
    if (offset < 0 || offset >= this.buffer.length) return Buffer.alloc(0);
    return this.buffer.subarray(offset);
  }

  private async fill(minimum: number): Promise<void> {
    const size = Math.min(Math.max(CHUNK_BYTES / 16, minimum), this.end - this.position);
    const buffer = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await this.handle.read(buffer, filled, size - filled, this.position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    this.buffer = buffer.subarray(0, filled);
    this.bufferStart = this.position;
    if (filled < minimum) throw new EndOfData(this.position + filled, minimum - filled);
  }
}

/** Inflates a Deflated Explicit VR Little Endian dataset (raw deflate, PS3.5 §A.5) as it is read. */
export class InflatedByteSource implements ByteSource {
  private readonly chunks: AsyncIterator<Buffer>;
  private readonly destroy: () => void;
  private current: Buffer = Buffer.alloc(0);
  private done = false;
  position = 0;

  private constructor(chunks: AsyncIterator<Buffer>, destroy: () => void) {
    this.chunks = chunks;
    this.destroy = destroy;
  }

  static open(path: string, start: number): InflatedByteSource {
    const file = createReadStream(path, { start, highWaterMark: 256 * 1024 });
    const inflate = createInflateRaw({ chunkSize: 256 * 1024 });
    file.on('error', (err) => inflate.destroy(err));
    file.pipe(inflate);
    return new InflatedByteSource(inflate[Symbol.asyncIterator]() as AsyncIterator<Buffer>, () => {
      file.destroy();
      inflate.destroy();
    });
  }

  async read(length: number): Promise<Buffer> {
    const out = Buffer.allocUnsafe(length);
    let filled = 0;
    await this.pass(length, (chunk) => {
      chunk.copy(out, filled);
      filled += chunk.length;
    });
    return out;
  }

  readNow(length: number): Buffer | undefined {
    if (this.current.length < length) return undefined;
    const view = this.current.subarray(0, length);
    this.current = this.current.subarray(length);
    this.position += length;
    return view;
  }

  async peek(length: number): Promise<Buffer> {
    while (this.current.length < length) {
      const before = this.current;
      if (!(await this.next())) {
        this.current = before;
        break;
      }
      this.current = Buffer.concat([before, this.current]);
    }
    return Buffer.from(this.current.subarray(0, length));
  }

  async pass(length: number, sink?: ChunkSink): Promise<void> {
    let left = length;
    while (left > 0) {
      if (this.current.length === 0 && !(await this.next())) throw new EndOfData(this.position, left);
      const take = Math.min(left, this.current.length);
      sink?.(this.current.subarray(0, take));
      this.current = this.current.subarray(take);
      this.position += take;
      left -= take;
    }
  }

  async atEnd(): Promise<boolean> {
    return this.current.length === 0 && !(await this.next());
  }

  async close(): Promise<void> {
    this.destroy();
  }

  private async next(): Promise<boolean> {
    while (!this.done) {
      const result = await this.chunks.next();
      if (result.done) {
        this.done = true;
        return false;
      }
      if (result.value.length > 0) {
        this.current = result.value;
        return true;
      }
    }
    return false;
  }
}
