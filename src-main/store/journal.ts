/**
 * The receive journal: the point where an arriving instance becomes durable.
 *
 * A C-STORE is acknowledged once its record (what is needed to index and route it, and the P10
 * bytes) is written into a journal segment, durably. Segments are files of a fixed size, written
 * full of zeros once when created, so a record write only overwrites blocks the file already owns
 * and has no metadata to flush. Segments are opened with O_DSYNC: a record is durable when its one
 * positional write returns, one system call where a write then an fdatasync took two (5-10 % of a
 * receive, measured; docs/benchmarks.md), made on the event loop's thread for a small record while
 * one association is open and the disk is quick, else through libuv's pool (journal-write-path.ts).
 * Concurrent records each flush only their own range: four senders at once were no slower than
 * with the shared fdatasync this replaced.
 *
 * Layout of a segment: a 4 KiB header (magic, generation, salt), then records, each starting at a
 * 4 KiB boundary: a 72-byte header (magic, generation, salt, lsn, lengths, the body's SHA-256 past
 * its first `crcBytes`, CRC-32) + JSON meta + body. The CRC covers the header, the meta and the
 * body's first `crcBytes`; the rest of the body is checked against the SHA-256, which the caller
 * has computed anyway (an instance's dataset digest), so a large body is not read a second time on
 * the acknowledgement's path just to checksum it. (Records of the first format, a 32-byte header
 * whose CRC covers the whole body, are still read.) Records are written in parallel and may finish out of order, so a crash can leave a torn
 * record before complete ones: replay checks every record's CRC and, past a torn one, looks for
 * the next valid header at each 4 KiB boundary. The salt (random per use of a segment) seeds the
 * CRC, so bytes a peer sent (stale bodies from an earlier use of the segment) can never pass for
 * a record. A segment whose records are all applied is retired: its header is cleared and the file
 * is reused for a later generation, so the journal stops growing once the background catches up.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readdir, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { fsyncDir } from './fsync-dir.ts';
import { JournalWritePath } from './journal-write-path.ts';
import { writeFully, writeFullySync } from './write-fully.ts';

export const BLOCK = 4096;
const SEGMENT_MAGIC = 0x4a534547; // 'JSEG'
const RECORD_MAGIC_V1 = 0x4a524543; // 'JREC': 32-byte header, CRC over the whole body
const RECORD_HEADER_V1 = 32;
const RECORD_MAGIC = 0x3245524a; // 'JRE2'
export const RECORD_HEADER = 72;
const HASH_AT = 32;
const CRC_AT = 64;
const SEGMENT_HEADER_USED = 16;
const ZERO_CHUNK = Buffer.alloc(1024 * 1024);
export const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;
/** Every write to a segment is durable once it returns (synchronized I/O data integrity). */
const OPEN_SEGMENT = constants.O_RDWR | constants.O_DSYNC;
const CREATE_SEGMENT = OPEN_SEGMENT | constants.O_CREAT | constants.O_EXCL;

export interface JournalRecord<M> {
  lsn: number;
  meta: M;
  /** Where the body is (bodyPlace() says in which file). */
  body: BodyLocation;
}

/** The SHA-256 of a body past its first `after` bytes, as the caller computed it while receiving. */
export interface BodyDigest {
  after: number;
  sha256: Buffer;
}

/** A record body's place as a file path and a byte range (BodyLocation names its segment by slot). */
export interface JournalPlace {
  file: string;
  offset: number;
  length: number;
}

export interface BodyLocation {
  segment: number;
  offset: number;
  length: number;
}

/** The journal has no room for a record (no segment could be created): the caller falls back or refuses. */
export class JournalFullError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.name = 'JournalFullError';
    this.code = code;
  }
}

interface Segment {
  slot: number;
  file: FileHandle;
  generation: number;
  salt: number;
  /** Highest lsn written into this use of the segment (0 when none). */
  maxLsn: number;
  writeOffset: number;
}

export class Journal<M> {
  private readonly dir: string;
  private readonly segmentBytes: number;
  private readonly segments = new Map<number, Segment>();
  private readonly spares: FileHandle[] = [];
  private readonly spareSlots: number[] = [];
  private active: Segment | undefined;
  private nextLsn: number;
  private nextGeneration: number;
  private nextSlot: number;
  private preparingSpare: Promise<void> | undefined;
  private closed = false;
  private readonly writePath: JournalWritePath;

  private constructor(
    dir: string,
    segmentBytes: number,
    writePath: JournalWritePath,
    nextLsn: number,
    nextGeneration: number,
    nextSlot: number,
  ) {
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    this.writePath = writePath;
    this.nextLsn = nextLsn;
    this.nextGeneration = nextGeneration;
    this.nextSlot = nextSlot;
  }

  /**
   * Opens the journal in `dir` and returns every valid record with an lsn above `appliedLsn`, in
   * lsn order. New records get lsns above both those found and `appliedLsn`.
   */
  static async open<M>(
    dir: string,
    appliedLsn: number,
    segmentBytes = DEFAULT_SEGMENT_BYTES,
    writePath = new JournalWritePath(),
  ): Promise<{ journal: Journal<M>; records: JournalRecord<M>[] }> {
    const slots = (await readdir(dir))
      .map(slotOfName)
      .filter((s): s is number => s !== undefined)
      .sort((a, b) => a - b);
    const found: { slot: number; file: FileHandle; generation: number; salt: number; records: JournalRecord<M>[] }[] = [];
    const free: { slot: number; file: FileHandle }[] = [];
    for (const slot of slots) {
      const file = await open(join(dir, nameOfSlot(slot)), OPEN_SEGMENT);
      const scanned = await scanSegment<M>(file, slot);
      if (scanned) found.push({ slot, file, ...scanned });
      else free.push({ slot, file });
    }
    const maxLsn = Math.max(appliedLsn, ...found.flatMap((s) => s.records.map((r) => r.lsn)));
    const maxGeneration = Math.max(0, ...found.map((s) => s.generation));
    const journal = new Journal<M>(dir, segmentBytes, writePath, maxLsn + 1, maxGeneration + 1, (slots.at(-1) ?? 0) + 1);
    const records: JournalRecord<M>[] = [];
    for (const s of found) {
      const live = s.records.filter((r) => r.lsn > appliedLsn);
      records.push(...live);
      journal.segments.set(s.slot, {
        slot: s.slot,
        file: s.file,
        generation: s.generation,
        salt: s.salt,
        maxLsn: Math.max(0, ...live.map((r) => r.lsn)),
        writeOffset: segmentBytes,
      });
    }
    for (const f of free) journal.addSpare(f.slot, f.file);
    records.sort((a, b) => a.lsn - b.lsn);
    // An lsn is written once; a second copy can only be bytes inside a body read past a torn record.
    return { journal, records: records.filter((r, i) => i === 0 || records[i - 1]!.lsn !== r.lsn) };
  }

  /**
   * Writes a record and resolves once it is durable, with where its body is. The lsn is taken
   * synchronously (in the order of the calls); `onLsn` receives it before any I/O, so a caller
   * knows it even when the append then fails.
   */
  async append(meta: M, body: readonly Buffer[], onLsn?: (lsn: number) => void, digest?: BodyDigest): Promise<BodyLocation> {
    if (this.closed) throw new Error('journal is closed');
    const metaBytes = Buffer.from(JSON.stringify(meta));
    const bodyLength = body.reduce((n, b) => n + b.length, 0);
    const size = alignUp(RECORD_HEADER + metaBytes.length + bodyLength);
    if (size > this.segmentBytes - BLOCK)
      throw new JournalFullError(`a record of ${size} bytes does not fit a journal segment of ${this.segmentBytes}`);
    const lsn = this.nextLsn++;
    onLsn?.(lsn);
    const segment = await this.segmentWithRoom(size);
    const offset = segment.writeOffset;
    segment.writeOffset += size;
    segment.maxLsn = lsn;
    const header = recordHeader(segment, lsn, metaBytes, body, bodyLength, digest);
    await this.write(segment.file, [header, metaBytes, ...body], offset, size);
    return { segment: segment.slot, offset: offset + RECORD_HEADER + metaBytes.length, length: bodyLength };
  }

  /** One record's write, on this thread or through libuv's pool (journal-write-path.ts says which and why). */
  private async write(file: FileHandle, buffers: Buffer[], offset: number, size: number): Promise<void> {
    if (!this.writePath.inline(size)) return writeFully(file, buffers, offset);
    const started = performance.now();
    writeFullySync(file.fd, buffers, offset);
    this.writePath.wroteInline(performance.now() - started);
  }

  /** Where a record's body lies on disk, for a reader with its own descriptor (the filing thread). */
  bodyPlace(location: BodyLocation): JournalPlace {
    const segment = this.segments.get(location.segment);
    if (!segment) throw new Error(`journal segment ${location.segment} is not open`);
    return { file: join(this.dir, nameOfSlot(segment.slot)), offset: location.offset, length: location.length };
  }

  /** Segments that could be retired once everything up to `appliedLsn` is durable elsewhere. */
  retirable(appliedLsn: number): number {
    let n = 0;
    for (const s of this.segments.values()) if (s !== this.active && s.maxLsn <= appliedLsn) n++;
    return n;
  }

  /**
   * Frees every segment (but the active one) whose records all have lsn <= `appliedLsn`. The caller
   * must have made what those records describe durable first (files fsynced, index synced).
   */
  async retire(appliedLsn: number): Promise<number> {
    let retired = 0;
    for (const segment of [...this.segments.values()]) {
      if (segment === this.active || segment.maxLsn > appliedLsn) continue;
      await writeFully(segment.file, [Buffer.alloc(SEGMENT_HEADER_USED)], 0);
      this.segments.delete(segment.slot);
      this.addSpare(segment.slot, segment.file);
      retired++;
    }
    return retired;
  }

  /** Creates a spare segment ahead of need, so a rotation never waits for zeros to be written. */
  prepareSpare(): Promise<void> {
    if (this.spares.length > 0 || this.closed) return Promise.resolve();
    this.preparingSpare ??= this.createSegmentFile()
      .then(({ slot, file }) => this.addSpare(slot, file))
      .catch(() => undefined) // no room now: the next rotation tries again and reports it
      .finally(() => (this.preparingSpare = undefined));
    return this.preparingSpare;
  }

  segmentCount(): number {
    return this.segments.size + this.spares.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    // A segment still being created (for an append under way, or ahead of need) is closed with the rest.
    await this.rotation?.catch(() => undefined);
    await this.preparingSpare;
    for (const s of this.segments.values()) await s.file.close().catch(() => undefined);
    for (const f of this.spares) await f.close().catch(() => undefined);
    this.segments.clear();
    this.spares.length = 0;
  }

  private addSpare(slot: number, file: FileHandle): void {
    this.spares.push(file);
    this.spareSlots.push(slot);
  }

  private async segmentWithRoom(size: number): Promise<Segment> {
    if (this.active && this.active.writeOffset + size <= this.segmentBytes) return this.active;
    // Appends that arrive while a rotation is under way wait for it rather than start another.
    const rotation = (this.rotation ??= this.rotate().finally(() => (this.rotation = undefined)));
    await rotation;
    return this.segmentWithRoom(size);
  }

  private rotation: Promise<void> | undefined;

  private async rotate(): Promise<void> {
    if (this.spares.length === 0) {
      try {
        const { slot, file } = await this.createSegmentFile();
        this.addSpare(slot, file);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new JournalFullError(`cannot create a journal segment in ${this.dir}: ${e.code ?? e.message}`, e.code);
      }
    }
    const file = this.spares.shift()!;
    const slot = this.spareSlots.shift()!;
    const segment: Segment = {
      slot,
      file,
      generation: this.nextGeneration++,
      salt: randomBytes(4).readUInt32LE(0),
      maxLsn: 0,
      writeOffset: BLOCK,
    };
    const header = Buffer.alloc(SEGMENT_HEADER_USED);
    header.writeUInt32LE(SEGMENT_MAGIC, 0);
    header.writeUInt32LE(segment.generation, 4);
    header.writeUInt32LE(segment.salt, 8);
    header.writeUInt32LE(crc32(header.subarray(0, 12)), 12);
    try {
      await writeFully(file, [header], 0);
    } catch (err) {
      this.addSpare(slot, file);
      const e = err as NodeJS.ErrnoException;
      throw new JournalFullError(`cannot start journal segment ${nameOfSlot(slot)} in ${this.dir}: ${e.code ?? e.message}`, e.code);
    }
    this.segments.set(slot, segment);
    this.active = segment;
    void this.prepareSpare();
  }

  /** A new segment file of full size, every block written (zeros) and synced, its name durable. */
  private async createSegmentFile(): Promise<{ slot: number; file: FileHandle }> {
    const slot = this.nextSlot++;
    const path = join(this.dir, nameOfSlot(slot));
    const file = await open(path, CREATE_SEGMENT);
    try {
      for (let offset = 0; offset < this.segmentBytes; offset += ZERO_CHUNK.length) {
        const n = Math.min(ZERO_CHUNK.length, this.segmentBytes - offset);
        await writeFully(file, [ZERO_CHUNK.subarray(0, n)], offset);
      }
      await file.sync();
      await fsyncDir(this.dir);
      return { slot, file };
    } catch (err) {
      await file.close().catch(() => undefined);
      await unlink(path).catch(() => undefined);
      throw err;
    }
  }
}

/**
 * Deletes the journal's spare segments (files without a valid header: nothing in them is needed),
 * returning how many bytes that frees. They are the store's reserve: on a disk found full at
 * start-up they make room for the index to open, and they are written again once space returns.
 */
export async function releaseSpareSegments(dir: string): Promise<number> {
  let freed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (slotOfName(name) === undefined) continue;
    const path = join(dir, name);
    const file = await open(path, 'r');
    const header = Buffer.alloc(SEGMENT_HEADER_USED);
    let size: number;
    try {
      await file.read(header, 0, SEGMENT_HEADER_USED, 0);
      size = (await file.stat()).size;
    } finally {
      await file.close();
    }
    const valid = header.readUInt32LE(0) === SEGMENT_MAGIC && crc32(header.subarray(0, 12)) === header.readUInt32LE(12);
    if (valid) continue;
    await unlink(path);
    freed += size;
  }
  return freed;
}

function recordHeader(
  segment: Segment,
  lsn: number,
  meta: Buffer,
  body: readonly Buffer[],
  bodyLength: number,
  digest: BodyDigest | undefined,
): Buffer {
  const crcBytes = digest ? digest.after : bodyLength;
  const header = Buffer.alloc(RECORD_HEADER);
  header.writeUInt32LE(RECORD_MAGIC, 0);
  header.writeUInt32LE(segment.generation, 4);
  header.writeUInt32LE(segment.salt, 8);
  header.writeUInt32LE(bodyLength, 12);
  header.writeDoubleLE(lsn, 16);
  header.writeUInt32LE(meta.length, 24);
  header.writeUInt32LE(crcBytes, 28);
  digest?.sha256.copy(header, HASH_AT);
  let crc = crc32(header.subarray(0, CRC_AT), segment.salt);
  crc = crc32(meta, crc);
  let left = crcBytes;
  for (const b of body) {
    if (left === 0) break;
    const part = b.length <= left ? b : b.subarray(0, left);
    crc = crc32(part, crc);
    left -= part.length;
  }
  header.writeUInt32LE(crc, CRC_AT);
  return header;
}

/** The valid records of a segment, or undefined when the segment is free (no valid header). */
async function scanSegment<M>(
  file: FileHandle,
  slot: number,
): Promise<{ generation: number; salt: number; records: JournalRecord<M>[] } | undefined> {
  const { size } = await file.stat();
  const data = Buffer.allocUnsafe(size);
  let read = 0;
  while (read < size) {
    const { bytesRead } = await file.read(data, read, size - read, read);
    if (bytesRead === 0) break;
    read += bytesRead;
  }
  const bytes = data.subarray(0, read);
  if (bytes.length < SEGMENT_HEADER_USED || bytes.readUInt32LE(0) !== SEGMENT_MAGIC) return undefined;
  if (crc32(bytes.subarray(0, 12)) !== bytes.readUInt32LE(12)) return undefined;
  const generation = bytes.readUInt32LE(4);
  const salt = bytes.readUInt32LE(8);
  const records: JournalRecord<M>[] = [];
  for (let offset = BLOCK; offset + RECORD_HEADER <= bytes.length;) {
    const record = parseRecord<M>(bytes, offset, generation, salt, slot);
    if (record) {
      records.push(record.record);
      offset += alignUp(record.size);
    } else {
      offset += BLOCK; // a torn or never-written record: a later one may still be complete
    }
  }
  return { generation, salt, records };
}

function parseRecord<M>(
  bytes: Buffer,
  offset: number,
  generation: number,
  salt: number,
  slot: number,
): { record: JournalRecord<M>; size: number } | undefined {
  const magic = bytes.readUInt32LE(offset);
  if (
    (magic !== RECORD_MAGIC && magic !== RECORD_MAGIC_V1) ||
    bytes.readUInt32LE(offset + 4) !== generation ||
    bytes.readUInt32LE(offset + 8) !== salt
  )
    return undefined;
  const headerLength = magic === RECORD_MAGIC ? RECORD_HEADER : RECORD_HEADER_V1;
  const bodyLength = bytes.readUInt32LE(offset + 12);
  const metaLength = bytes.readUInt32LE(offset + 24);
  const metaStart = offset + headerLength;
  const end = metaStart + metaLength + bodyLength;
  if (end > bytes.length || !recordIntact(bytes, offset, magic, salt, metaStart + metaLength, end)) return undefined;
  let meta: M;
  try {
    meta = JSON.parse(bytes.subarray(metaStart, metaStart + metaLength).toString('utf8')) as M;
  } catch {
    return undefined;
  }
  const lsn = bytes.readDoubleLE(offset + 16);
  return { record: { lsn, meta, body: { segment: slot, offset: metaStart + metaLength, length: bodyLength } }, size: end - offset };
}

/** Whether a record's CRC (and, in the current format, its body digest) match its bytes. */
function recordIntact(bytes: Buffer, offset: number, magic: number, salt: number, bodyStart: number, end: number): boolean {
  if (magic === RECORD_MAGIC_V1) {
    const crc = crc32(bytes.subarray(offset + RECORD_HEADER_V1, end), crc32(bytes.subarray(offset, offset + 28), salt));
    return crc === bytes.readUInt32LE(offset + 28);
  }
  const crcBytes = bytes.readUInt32LE(offset + 28);
  if (crcBytes > end - bodyStart) return false;
  const crcEnd = bodyStart + crcBytes;
  const crc = crc32(bytes.subarray(offset + RECORD_HEADER, crcEnd), crc32(bytes.subarray(offset, offset + CRC_AT), salt));
  if (crc !== bytes.readUInt32LE(offset + CRC_AT)) return false;
  if (crcEnd === end) return true;
  const digest = createHash('sha256').update(bytes.subarray(crcEnd, end)).digest();
  return digest.equals(bytes.subarray(offset + HASH_AT, offset + CRC_AT));
}

function alignUp(n: number): number {
  return Math.ceil(n / BLOCK) * BLOCK;
}

function nameOfSlot(slot: number): string {
  return `segment-${String(slot).padStart(6, '0')}.journal`;
}

function slotOfName(name: string): number | undefined {
  const match = /^segment-(\d{6})\.journal$/.exec(name);
  return match ? Number(match[1]) : undefined;
}
