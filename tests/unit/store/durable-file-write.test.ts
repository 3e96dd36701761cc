import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIRECT_FROM_BYTES, DurableFileWriter } from '../../../src-main/store/durable-file-write.ts';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.ts';

/** `size` bytes of a pattern that differs at every offset of a block, so a misplaced block shows. */
function patterned(into: Buffer, seed: number): Buffer {
  for (let i = 0; i < into.length; i++) into[i] = (i * 31 + seed + (i >> 12)) & 0xff;
  return into;
}

describe('DurableFileWriter', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await makeTempDir('durable-write-');
  });
  afterEach(async () => removeDir(dir));

  it('writes a large file direct, byte for byte and exactly its length, though the length is no multiple of a block', async () => {
    const writer = new DurableFileWriter();
    const size = 600_001;
    const bytes = patterned(writer.staged(size), 1);
    const expected = Buffer.from(bytes);
    writer.write(join(dir, 'large.dcm'), bytes);
    expect(writer.writesDirect).toBe(true);
    expect((await readFile(join(dir, 'large.dcm'))).equals(expected)).toBe(true);
  });

  it('writes a smaller file after a larger one from the same staging buffer without any of the larger one in it', async () => {
    const writer = new DurableFileWriter();
    writer.write(join(dir, 'first.dcm'), patterned(writer.staged(700_000), 2));
    const second = patterned(writer.staged(DIRECT_FROM_BYTES + 3), 3);
    const expected = Buffer.from(second);
    writer.write(join(dir, 'second.dcm'), second);
    const small = patterned(writer.staged(1000), 4);
    const expectedSmall = Buffer.from(small);
    writer.write(join(dir, 'small.dcm'), small);
    expect((await readFile(join(dir, 'second.dcm'))).equals(expected)).toBe(true);
    expect((await readFile(join(dir, 'small.dcm'))).equals(expectedSmall)).toBe(true);
  });

  it('writes a buffer it did not stage, buffered, byte for byte', async () => {
    const writer = new DurableFileWriter();
    const bytes = patterned(Buffer.alloc(200_000), 5);
    writer.write(join(dir, 'other.dcm'), bytes);
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
    writer.write(join(dir, 'refused.dcm'), bytes);
    expect(writer.writesDirect).toBe(false);
    expect((await readFile(join(dir, 'refused.dcm'))).equals(expected)).toBe(true);
  });
});
