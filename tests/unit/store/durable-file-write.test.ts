import { openSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DIRECT_FROM_BYTES,
  DurableFileWriter,
  syncAll,
  SYNCS_IN_FLIGHT,
  type WrittenFile,
} from '../../../src-main/store/durable-file-write.ts';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.ts';

/** `size` bytes of a pattern that differs at every offset of a block, so a misplaced block shows. */
function patterned(into: Buffer, seed: number): Buffer {
  for (let i = 0; i < into.length; i++) into[i] = (i * 31 + seed + (i >> 12)) & 0xff;
  return into;
}

describe('DurableFileWriter', () => {
  let dir: string;

  /** Writes and makes durable one file, as the filing does a batch. */
  async function writeDurably(writer: DurableFileWriter, name: string, bytes: Buffer): Promise<void> {
    await syncAll([writer.write(join(dir, name), bytes)]);
  }

  beforeEach(async () => {
    dir = await makeTempDir('durable-write-');
  });
  afterEach(async () => removeDir(dir));

  it('writes a large file direct, byte for byte and exactly its length, though the length is no multiple of a block', async () => {
    const writer = new DurableFileWriter();
    const size = 600_001;
    const bytes = patterned(writer.staged(size), 1);
    const expected = Buffer.from(bytes);
    await writeDurably(writer, 'large.dcm', bytes);
    expect(writer.writesDirect).toBe(true);
    expect((await readFile(join(dir, 'large.dcm'))).equals(expected)).toBe(true);
  });

  it('writes a smaller file after a larger one from the same staging buffer without any of the larger one in it', async () => {
    const writer = new DurableFileWriter();
    await writeDurably(writer, 'first.dcm', patterned(writer.staged(700_000), 2));
    const second = patterned(writer.staged(DIRECT_FROM_BYTES + 3), 3);
    const expected = Buffer.from(second);
    await writeDurably(writer, 'second.dcm', second);
    const small = patterned(writer.staged(1000), 4);
    const expectedSmall = Buffer.from(small);
    await writeDurably(writer, 'small.dcm', small);
    expect((await readFile(join(dir, 'second.dcm'))).equals(expected)).toBe(true);
    expect((await readFile(join(dir, 'small.dcm'))).equals(expectedSmall)).toBe(true);
  });

  it('writes a buffer it did not stage, buffered, byte for byte', async () => {
    const writer = new DurableFileWriter();
    const bytes = patterned(Buffer.alloc(200_000), 5);
    await writeDurably(writer, 'other.dcm', bytes);
    expect((await readFile(join(dir, 'other.dcm'))).equals(bytes)).toBe(true);
  });

  it('goes on with buffered writes for good once direct I/O is refused, and the refused file is written all the same', async () => {
    // Memory 16 bytes past a page boundary, as a Buffer's is: ext4 refuses it for O_DIRECT (EINVAL).
    const aligned = new DurableFileWriter();
    const misaligned = (size: number) => {
      const page = aligned.staged(size + 16);
      return Buffer.from(page.buffer, page.byteOffset + 16, size);
    };
    const writer = new DurableFileWriter(misaligned);
    const bytes = patterned(writer.staged(300_000), 6);
    const expected = Buffer.from(bytes);
    await writeDurably(writer, 'refused.dcm', bytes);
    expect(writer.writesDirect).toBe(false);
    expect((await readFile(join(dir, 'refused.dcm'))).equals(expected)).toBe(true);
  });

  it('makes a batch durable with several fsyncs at once, every file whole', async () => {
    const writer = new DurableFileWriter();
    const expected: Buffer[] = [];
    const files: WrittenFile[] = [];
    for (let k = 0; k < SYNCS_IN_FLIGHT * 2 + 1; k++) {
      const bytes = patterned(writer.staged(k % 2 === 0 ? 10_240 : 300_000), k);
      expected.push(Buffer.from(bytes));
      files.push(writer.write(join(dir, `f${k}.dcm`), bytes));
    }
    await syncAll(files);
    for (const [k, bytes] of expected.entries()) expect((await readFile(join(dir, `f${k}.dcm`))).equals(bytes)).toBe(true);
  });

  it('when one fsync of a batch fails, rejects with its error and leaves none of the batch behind', async () => {
    const writer = new DurableFileWriter();
    const before = writer.write(join(dir, 'before.dcm'), patterned(writer.staged(5000), 7));
    // A character device refuses fsync (EINVAL), as a disk that cannot make a file durable fails it.
    await writeFile(join(dir, 'refused.dcm'), 'x');
    const refused = { fd: openSync('/dev/null', 'w'), path: join(dir, 'refused.dcm') };
    const after = writer.write(join(dir, 'after.dcm'), patterned(writer.staged(5000), 8));
    await expect(syncAll([before, refused, after])).rejects.toMatchObject({ code: 'EINVAL' });
    expect(await readdir(dir)).toEqual([]);
  });
});
