/**
 * The transcoder's one entry point for a sender: a dataset in a file (after its meta group) in one
 * transfer syntax, as a stream of bytes in another. Memory stays bounded by the largest element
 * value chunk (1 MiB) or, when decoding, one compressed plus one decoded frame: a 1 GiB
 * multi-frame instance is never whole in memory. See docs/transcoding.md.
 */
import { type HeaderSyntax } from '../dicom/element-reader.ts';
import { describeTransferSyntax, encodingOf } from '../dicom/transfer-syntax.ts';
import { FileByteSource, InflatedByteSource, type ByteSource } from '../inspect/byte-source.ts';
import { rewriteDataset } from './dataset-rewriter.ts';
import { loadCodecs } from './frame-decoder.ts';
import { batched, deflated } from './output-chunks.ts';
import { TranscodeError } from './transcode-error.ts';
import { canTranscode, compressedSyntax } from './transcode-syntaxes.ts';

export { canTranscode } from './transcode-syntaxes.ts';
export { TranscodeError } from './transcode-error.ts';

export interface DatasetSource {
  path: string;
  /** File offset of the first dataset byte (after the meta group). */
  offset: number;
  /** Dataset bytes in the file, from `offset` (for a deflated dataset: the compressed bytes). */
  length: number;
}

/**
 * The dataset at `source`, encoded in `fromSyntax`, re-encoded in `toSyntax`, as chunks of at least
 * 64 KiB (the last may be smaller). Throws TranscodeError (naming the file, both syntaxes and the
 * reason) when `canTranscode(fromSyntax, toSyntax)` is false or the dataset cannot be read or
 * decoded; the error may come after some chunks, so a sender must treat the send as failed.
 * With fromSyntax === toSyntax the bytes are passed through unchanged.
 */
export async function* transcodeDataset(source: DatasetSource, fromSyntax: string, toSyntax: string): AsyncGenerator<Buffer> {
  const what = `${source.path}: ${describeTransferSyntax(fromSyntax)} -> ${describeTransferSyntax(toSyntax)}`;
  if (!canTranscode(fromSyntax, toSyntax)) throw new TranscodeError(`${what}: not a conversion the transcoder makes`);
  try {
    if (fromSyntax === toSyntax) yield* passThrough(source);
    else yield* converted(source, fromSyntax, toSyntax);
  } catch (err) {
    if (err instanceof TranscodeError && err.message.startsWith(what)) throw err;
    throw new TranscodeError(`${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function* converted(source: DatasetSource, fromSyntax: string, toSyntax: string): AsyncGenerator<Buffer> {
  const from = encodingOf(fromSyntax);
  const to = encodingOf(toSyntax);
  const compressed = compressedSyntax(fromSyntax);
  const decoding = compressed ? { syntax: compressed, codecs: await loadCodecs() } : undefined;
  const input = await openSource(source, from.deflated);
  try {
    const headerFrom: HeaderSyntax = { explicitVr: from.explicitVr, littleEndian: from.littleEndian };
    const headerTo: HeaderSyntax = { explicitVr: to.explicitVr, littleEndian: to.littleEndian };
    const chunks = batched(rewriteDataset({ source: input, from: headerFrom, to: headerTo, ...(decoding ? { decoding } : {}) }));
    yield* to.deflated ? deflated(chunks) : chunks;
  } finally {
    await input.close();
  }
}

async function openSource(source: DatasetSource, deflatedInput: boolean): Promise<ByteSource> {
  if (deflatedInput) return InflatedByteSource.open(source.path, source.offset);
  return FileByteSource.open(source.path, source.offset, source.offset + source.length);
}

async function* passThrough(source: DatasetSource): AsyncGenerator<Buffer> {
  const input = await FileByteSource.open(source.path, source.offset, source.offset + source.length);
  try {
    for (let left = source.length; left > 0;) {
      const take = Math.min(left, 1024 * 1024);
      yield await input.read(take);
      left -= take;
    }
  } finally {
    await input.close();
  }
}
