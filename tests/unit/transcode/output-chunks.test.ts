import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { batched, deflated } from '../../../src-main/transcode/output-chunks.ts';

async function* pieces(...buffers: Buffer[]): AsyncGenerator<Buffer> {
  for (const buffer of buffers) yield buffer;
}

async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

describe('deflated', () => {
  it('adds one NUL when the deflated bytes are odd in number (PS3.5 A.5), and inflates back to the input', async () => {
    const seen = new Set<number>();
    for (let size = 1; size < 64 && seen.size < 2; size++) {
      const input = Buffer.from(Array.from({ length: size * 7 }, (_, i) => (i * 31 + size) & 0xff));
      const reference = deflateRawSync(input);
      const output = Buffer.concat(await collect(deflated(pieces(input))));
      seen.add(reference.length % 2);
      expect(output.subarray(0, reference.length).equals(reference)).toBe(true);
      expect(output.length).toBe(reference.length + (reference.length % 2));
      if (reference.length % 2) expect(output[output.length - 1]).toBe(0);
      expect(inflateRawSync(output).equals(input)).toBe(true);
    }
    // Both cases were met: an odd deflate length padded, an even one left alone.
    expect([...seen].sort()).toEqual([0, 1]);
  });

  it('passes on the error of its input', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.alloc(10);
      throw new Error('frame 3 cannot be decoded');
    }
    await expect(collect(deflated(failing()))).rejects.toThrow('frame 3 cannot be decoded');
  });
});

describe('batched', () => {
  it('joins small pieces into chunks of at least 64 KiB and keeps every byte in order', async () => {
    const input = Array.from({ length: 300 }, (_, i) => Buffer.alloc(1000, i & 0xff));
    const output = await collect(batched(pieces(...input)));
    expect(output.slice(0, -1).every((chunk) => chunk.length >= 64 * 1024)).toBe(true);
    expect(Buffer.concat(output).equals(Buffer.concat(input))).toBe(true);
  });
});
