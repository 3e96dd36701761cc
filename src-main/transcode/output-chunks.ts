/** Shapes the rewriter's many small pieces into the chunks a sender writes. */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDeflateRaw } from 'node:zlib';

const BATCH_BYTES = 64 * 1024;

/** Joins pieces into chunks of at least 64 KiB (the last may be smaller); large pieces pass as they are. */
export async function* batched(pieces: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let size = 0;
  for await (const piece of pieces) {
    if (piece.length === 0) continue;
    pending.push(piece);
    size += piece.length;
    if (size >= BATCH_BYTES) {
      yield pending.length === 1 ? pending[0]! : Buffer.concat(pending, size);
      pending = [];
      size = 0;
    }
  }
  if (size > 0) yield Buffer.concat(pending, size);
}

/**
 * Raw deflate (RFC 1951, no zlib header) as Deflated Explicit VR Little Endian requires, with the
 * single trailing NUL PS3.5 §A.5 adds when the deflated bytes are odd in number.
 */
export async function* deflated(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const deflate = createDeflateRaw();
  const feeding = pipeline(Readable.from(chunks), deflate);
  // The pipeline's failure also destroys `deflate`, which ends the loop below with that error.
  feeding.catch(() => undefined);
  let total = 0;
  try {
    for await (const chunk of deflate as AsyncIterable<Buffer>) {
      total += chunk.length;
      yield chunk;
    }
    await feeding;
  } finally {
    deflate.destroy();
  }
  if (total % 2) yield Buffer.alloc(1);
}
