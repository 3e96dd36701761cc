import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { crc32 } from 'node:zlib';
import { mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BLOCK, Journal, RECORD_HEADER, type JournalRecord } from '../../../src-main/store/journal.ts';
import { INLINE_RECORD_MAX_BYTES } from '../../../src-main/store/journal-write-path.ts';
import { descriptorsUnder, openFlags } from '../../helpers/open-files.ts';

interface Meta {
  name: string;
}

const SEGMENT = 64 * 1024;

/** Whether `promise` settles within a few microtask turns, that is, without waiting for any I/O. */
async function settledWithoutIo(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  const watched = promise.then(() => (settled = true));
  for (let i = 0; i < 50; i++) await Promise.resolve();
  const result = settled;
  await watched;
  return result;
}

/** A record's body, read from the file and range bodyPlace() names. */
async function bodyOf(journal: Journal<Meta>, record: JournalRecord<Meta>): Promise<Buffer> {
  const { file, offset, length } = journal.bodyPlace(record.body);
  return (await readFile(file)).subarray(offset, offset + length);
}

describe('Journal', () => {
  let dir: string;
  const open_: Journal<Meta>[] = [];
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'journal-'))));
  afterEach(async () => {
    for (const j of open_.splice(0)) await j.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function openJournal(appliedLsn = 0, segmentBytes = SEGMENT) {
    const opened = await Journal.open<Meta>(dir, appliedLsn, segmentBytes);
    open_.push(opened.journal);
    return opened;
  }

  async function bodies(journal: Journal<Meta>, records: JournalRecord<Meta>[]) {
    return Promise.all(records.map(async (r) => ({ lsn: r.lsn, name: r.meta.name, body: await bodyOf(journal, r) })));
  }

  it('gives back after a reopen every record appended, in lsn order, with its body byte for byte', async () => {
    const { journal } = await openJournal();
    const written = [randomBytes(10), randomBytes(5000), Buffer.alloc(0), randomBytes(20_000)];
    const locations = await Promise.all(
      written.map((body, i) => journal.append({ name: `r${i}` }, [body.subarray(0, 3), body.subarray(3)])),
    );
    expect(locations.map((l) => l.length)).toEqual(written.map((b) => b.length));
    await journal.close();

    const reopened = await openJournal();
    const got = await bodies(reopened.journal, reopened.records);
    expect(got.map((r) => r.name)).toEqual(['r0', 'r1', 'r2', 'r3']);
    expect(got.map((r) => r.lsn)).toEqual([1, 2, 3, 4]);
    got.forEach((r, i) => expect(r.body.equals(written[i]!), r.name).toBe(true));
  });

  it('writes a small record on the calling thread and a large one through the pool, each read back byte for byte', async () => {
    const { journal } = await openJournal(0, 1024 * 1024);
    await journal.append({ name: 'first' }, [randomBytes(10)]); // the first append opens a segment
    const small = randomBytes(5000);
    const large = randomBytes(INLINE_RECORD_MAX_BYTES + 1);
    const smallDone = settledWithoutIo(journal.append({ name: 'small' }, [small]));
    const largeDone = settledWithoutIo(journal.append({ name: 'large' }, [large]));
    // Microtasks alone settle an inline write; a write through the pool needs the event loop to turn.
    expect(await smallDone).toBe(true);
    expect(await largeDone).toBe(false);
    await journal.close();

    const reopened = await openJournal(0, 1024 * 1024);
    const got = await bodies(reopened.journal, reopened.records);
    expect(got.map((r) => r.name)).toEqual(['first', 'small', 'large']);
    expect(got[1]!.body.equals(small)).toBe(true);
    expect(got[2]!.body.equals(large)).toBe(true);
  });

  it('opens every segment for synchronized writes (O_DSYNC), so a record is durable when its write returns', async () => {
    const { journal } = await openJournal(0, SEGMENT);
    // Enough records for a second segment (the first rotation prepares a spare ahead of need).
    for (let i = 0; i < 8; i++) await journal.append({ name: `r${i}` }, [randomBytes(12_000)]);
    await journal.prepareSpare();
    const flags = await segmentOpenFlags(dir);
    expect(flags.length).toBeGreaterThanOrEqual(2);
    for (const f of flags) expect(f.flags & constants.O_DSYNC, f.path).toBe(constants.O_DSYNC);
    await journal.close();
    const reopened = await openJournal(0, SEGMENT);
    const reopenedFlags = await segmentOpenFlags(dir);
    expect(reopenedFlags.length).toBeGreaterThanOrEqual(2);
    for (const f of reopenedFlags) expect(f.flags & constants.O_DSYNC, f.path).toBe(constants.O_DSYNC);
    expect(reopened.records).toHaveLength(8);
  });

  it('drops a torn record but keeps the complete ones written after it', async () => {
    const { journal } = await openJournal();
    await journal.append({ name: 'before' }, [randomBytes(3000)]);
    const torn = await journal.append({ name: 'torn' }, [randomBytes(3000)]);
    await journal.append({ name: 'after' }, [randomBytes(3000)]);
    await journal.close();
    // A crash in the middle of the record's write: its second half never reached the disk.
    const segment = (await readdir(dir)).find((n) => n.endsWith('.journal'))!;
    const file = await open(join(dir, segment), 'r+');
    await file.write(Buffer.alloc(1500), 0, 1500, torn.offset + 1500);
    await file.close();

    const { records } = await openJournal();
    expect(records.map((r) => r.meta.name)).toEqual(['before', 'after']);
  });

  it('never takes bytes inside a body for a record, even an exact copy of a real record read past a torn one', async () => {
    const { journal } = await openJournal();
    const real = await journal.append({ name: 'real' }, [randomBytes(100)]);
    const segment = join(
      dir,
      (await readdir(dir)).find((n) => n.endsWith('.journal'))!,
    );
    const recordStart = real.offset - (real.offset % BLOCK);
    const copy = (await readSegment(segment)).subarray(recordStart, recordStart + BLOCK);
    // A dataset that carries that record's bytes at a block boundary; then its own header is torn,
    // so replay has to look for records inside its body.
    const metaLength = JSON.stringify({ name: 'carrier' }).length;
    const carrier = await journal.append({ name: 'carrier' }, [Buffer.alloc(BLOCK - RECORD_HEADER - metaLength), copy]);
    await journal.close();
    const file = await open(segment, 'r+');
    await file.write(Buffer.alloc(RECORD_HEADER), 0, RECORD_HEADER, carrier.offset - RECORD_HEADER - metaLength);
    await file.close();

    const { records } = await openJournal();
    expect(records.map((r) => [r.lsn, r.meta.name])).toEqual([[1, 'real']]);
  });

  it('checks a body past its checksummed head against the digest the caller gave: a torn tail or a changed head drops the record', async () => {
    const { journal } = await openJournal();
    const withDigest = (name: string, head: Buffer, tail: Buffer) =>
      journal.append({ name }, [head, tail], undefined, { after: head.length, sha256: createHash('sha256').update(tail).digest() });
    await withDigest('kept', randomBytes(200), randomBytes(6000));
    const tornTail = await withDigest('torn tail', randomBytes(200), randomBytes(6000));
    const changedHead = await withDigest('changed head', randomBytes(200), randomBytes(6000));
    await journal.close();
    const segment = join(
      dir,
      (await readdir(dir)).find((n) => n.endsWith('.journal'))!,
    );
    const file = await open(segment, 'r+');
    await file.write(Buffer.alloc(3000), 0, 3000, tornTail.offset + 3000);
    // Flipped, not overwritten: a random head holds the byte written 1 time in 256.
    const headByte = Buffer.alloc(1);
    await file.read(headByte, 0, 1, changedHead.offset + 10);
    await file.write(Buffer.from([headByte[0]! ^ 0xff]), 0, 1, changedHead.offset + 10);
    await file.close();

    const { journal: reopened, records } = await openJournal();
    expect(records.map((r) => r.meta.name)).toEqual(['kept']);
    expect((await bodyOf(reopened, records[0]!)).length).toBe(6200);
  });

  it('still reads records of the first format (a 32-byte header whose CRC covers the whole body)', async () => {
    const { journal } = await openJournal();
    const body = randomBytes(5000);
    const at = await journal.append({ name: 'old' }, [body]);
    await journal.close();
    // Rewrite the record as the first format wrote it, in place.
    const segment = join(
      dir,
      (await readdir(dir)).find((n) => n.endsWith('.journal'))!,
    );
    const bytes = await readSegment(segment);
    const meta = Buffer.from(JSON.stringify({ name: 'old' }));
    const start = at.offset - meta.length - RECORD_HEADER;
    const header = Buffer.from(bytes.subarray(start, start + 32));
    header.writeUInt32LE(0x4a524543, 0);
    const salt = header.readUInt32LE(8);
    header.writeUInt32LE(crc32(body, crc32(meta, crc32(header.subarray(0, 28), salt))), 28);
    const file = await open(segment, 'r+');
    await file.write(Buffer.concat([header, meta, body]), 0, 32 + meta.length + body.length, start);
    await file.close();

    const { journal: reopened, records } = await openJournal();
    expect(records.map((r) => [r.lsn, r.meta.name])).toEqual([[1, 'old']]);
    expect((await bodyOf(reopened, records[0]!)).equals(body)).toBe(true);
  });

  it('replays only records above the applied lsn, the same ones however often it is opened, and numbers new ones above it', async () => {
    const { journal } = await openJournal();
    for (let i = 1; i <= 5; i++) await journal.append({ name: `r${i}` }, [randomBytes(100)]);
    await journal.close();
    const once = await openJournal(3);
    expect(once.records.map((r) => r.lsn)).toEqual([4, 5]);
    await once.journal.close();
    const twice = await openJournal(3);
    expect(twice.records.map((r) => r.meta.name)).toEqual(['r4', 'r5']);
    await twice.journal.close();
    // The index may be ahead of what the journal still holds (segments retired): new lsns go above it.
    const ahead = await openJournal(100);
    expect(ahead.records).toEqual([]);
    const location = await ahead.journal.append({ name: 'next' }, [randomBytes(10)]);
    expect(location.length).toBe(10);
    await ahead.journal.close();
    const last = await openJournal(100);
    expect(last.records.map((r) => [r.lsn, r.meta.name])).toEqual([[101, 'next']]);
  });

  it('wraps into new segments and reuses retired ones, so the journal stops growing once records are applied', async () => {
    const { journal } = await openJournal();
    let maxSegments = 0;
    for (let applied = 1; applied <= 200; applied++) {
      await journal.append({ name: `r${applied}` }, [randomBytes(6000)]);
      if (journal.retirable(applied) > 0) await journal.retire(applied);
      maxSegments = Math.max(maxSegments, journal.segmentCount());
    }
    // 200 records of 8 KiB would need 25 segments of 64 KiB; retiring keeps it to the active one and a spare or two.
    expect(maxSegments).toBeLessThanOrEqual(4);
    expect((await readdir(dir)).length).toBeLessThanOrEqual(4);
    await journal.close();
    const { records } = await openJournal(200);
    expect(records).toEqual([]);
  });

  it('leaves no segment file open when closed while an append is still creating the first segment', async () => {
    const { journal } = await openJournal();
    // The first append finds no spare segment: it creates one (zeros written, synced) before writing.
    const appending = journal.append({ name: 'r' }, [randomBytes(100)]).then(
      () => 'written',
      () => 'refused',
    );
    await journal.close();
    expect(['written', 'refused']).toContain(await appending);
    expect(await segmentOpenFlags(dir)).toEqual([]);
  });

  it('does not retire a segment holding a record above the applied lsn, and replays it after a reopen', async () => {
    const { journal } = await openJournal();
    for (let i = 1; i <= 30; i++) await journal.append({ name: `r${i}` }, [randomBytes(6000)]);
    await journal.retire(10);
    await journal.close();
    const { records } = await openJournal(10);
    expect(records.map((r) => r.lsn)).toEqual(Array.from({ length: 20 }, (_, i) => i + 11));
  });
});

async function readSegment(path: string): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    return await file.readFile();
  } finally {
    await file.close();
  }
}

/** The open flags of every descriptor this process holds on a segment file in `dir`. */
async function segmentOpenFlags(dir: string): Promise<{ path: string; flags: number }[]> {
  const found: { path: string; flags: number }[] = [];
  for (const { fd, path } of await descriptorsUnder(dir)) {
    const flags = path.endsWith('.journal') ? await openFlags(fd) : undefined;
    if (flags !== undefined) found.push({ path, flags });
  }
  return found;
}
