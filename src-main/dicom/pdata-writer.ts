/**
 * P-DATA-TF framing (PS3.8 §9.3.5) for the byte-exact send path: the dataset is read from the
 * file in large chunks and cut into PDVs of at most (max PDU length - 6) bytes, each sent as its
 * own PDU. The bytes themselves are never copied or touched: each PDV's value is a view of the
 * chunk read from disk. The one exception the standard demands: a deflated dataset of odd length
 * gets a single trailing NUL (PS3.5 A.5), as every PDV must be even (PS3.8 E.1).
 */
import type { Hash } from 'node:crypto';
import type { Socket } from 'node:net';
import type { DatasetFile } from './dataset-file.ts';
import { MAX_SEND_PDU } from './ul/pdu-constants.ts';

/** Where PDUs go: the Upper Layer connection (its writes count as activity for its timers). */
export interface PduWriter {
  /** `flushed`: called once the socket no longer holds `data`, so its memory may be reused. */
  write(data: Buffer, flushed?: () => void): boolean;
  readonly socket: Socket;
}

const PDU_TYPE_P_DATA_TF = 0x04;
const PDV_HEADER = 6; // item length (4) + presentation context ID (1) + message control header (1)
const PDU_HEADER = 6; // type (1) + reserved (1) + length (4)
const CONTROL_COMMAND = 0x01;
/** Message control header bit 1 (PS3.8 E.2): the last fragment of a command or dataset. */
export const CONTROL_LAST = 0x02;
export { MAX_SEND_PDU };
const READ_CHUNK = 1024 * 1024;

/** The P-DATA-TF PDU header and PDV header (12 bytes) in front of one PDV value. */
export function pduHeader(presentationContextId: number, valueLength: number, control: number): Buffer {
  const header = Buffer.allocUnsafe(PDU_HEADER + PDV_HEADER);
  header.writeUInt8(PDU_TYPE_P_DATA_TF, 0);
  header.writeUInt8(0, 1);
  header.writeUInt32BE(PDV_HEADER + valueLength, 2);
  header.writeUInt32BE(valueLength + 2, 6);
  header.writeUInt8(presentationContextId, 10);
  header.writeUInt8(control, 11);
  return header;
}

/** Largest PDV value for the peer's max PDU length (even, so fragments stay word-aligned). */
export function maxPdvValue(peerMaxPduLength: number): number {
  const max = peerMaxPduLength === 0 ? MAX_SEND_PDU : Math.min(peerMaxPduLength, MAX_SEND_PDU);
  return (max - PDV_HEADER) & ~1;
}

export function writeCommandPdu(writer: PduWriter, presentationContextId: number, command: Buffer): void {
  writer.socket.cork();
  writer.write(pduHeader(presentationContextId, command.length, CONTROL_COMMAND | CONTROL_LAST));
  writer.write(command);
  writer.socket.uncork();
}

export interface DatasetSource {
  path: string;
  offset: number;
  length: number;
  /** Append one NUL after the last byte (only for a deflated dataset of odd length). */
  padByte?: boolean;
}

/**
 * The read buffers of one association's sends, each reused once the socket has let go of the
 * PDVs cut from it. A new buffer per chunk read (512 MB of them to send 1000 x 512 KiB) kept V8's
 * collector marking for a fifth of the send's CPU; two buffers in turn let reading the next chunk
 * overlap sending the last.
 */
export class SendBuffers {
  /** The largest PDV value the peer takes. */
  readonly pdvValue: number;
  /** Bytes read per chunk: whole PDVs, about READ_CHUNK. */
  readonly readSize: number;
  private readonly spare: Buffer[] = [];
  private readonly sending: Promise<Buffer>[] = [];
  private readonly count: number;
  private made = 0;

  constructor(peerMaxPduLength: number, count = 2) {
    this.count = count;
    this.pdvValue = maxPdvValue(peerMaxPduLength);
    this.readSize = Math.max(this.pdvValue, Math.floor(READ_CHUNK / this.pdvValue) * this.pdvValue);
  }

  /** A buffer free to read into: a spare one, a new one while fewer than `count` exist, else the oldest once flushed. */
  async take(): Promise<Buffer> {
    const spare = this.spare.pop();
    if (spare) return spare;
    if (this.made < this.count) {
      this.made++;
      return Buffer.allocUnsafe(this.readSize + 1); // + the pad byte of an odd deflated dataset
    }
    return this.sending.shift()!;
  }

  /** `buffer` is being sent: it is free again once the returned function is called. */
  sent(buffer: Buffer): () => void {
    let flushed!: () => void;
    this.sending.push(new Promise((resolve) => (flushed = () => resolve(buffer))));
    return flushed;
  }

  /** A buffer taken but not sent (a failed read) can be reused at once. */
  giveBack(buffer: Buffer): void {
    this.spare.push(buffer);
  }
}

/** How a dataset goes out, besides its bytes. */
export interface DatasetWriteOptions {
  onBytes?: (sent: number) => void;
  /**
   * Compute the SHA-256 of what is sent, the proof a forward records. Off only where no one reads
   * it: hashing was a third of the CPU of sending large instances (docs/benchmarks.md).
   */
  digest: boolean;
}

/** The first chunk of a dataset, read (and hashed) before its turn (ScuAssociation's StoreRequest.next). */
export interface FirstChunk {
  source: DatasetSource;
  /** Taken from the association's SendBuffers: sent with the chunk, or given back. */
  buffer: Buffer;
  /** The bytes to send first: a view of `buffer`, the pad byte included when this is also the last chunk. */
  chunk: Buffer;
  /** The dataset's digest so far, `chunk` hashed; undefined when not computed. */
  hash: Hash | undefined;
  /** Dataset bytes in `chunk` (the pad byte not counted). */
  bytes: number;
}

/**
 * Reads (and, with `digest`, hashes) the first chunk of `source` from `file` (left open), or
 * resolves undefined when it cannot (the buffer given back): the send then reads it at its turn
 * and reports what it finds.
 */
export async function readFirstChunk(
  buffers: SendBuffers,
  file: DatasetFile,
  source: DatasetSource,
  digest: boolean,
): Promise<FirstChunk | undefined> {
  const read = await readChunk(buffers, file, source, 0).catch(() => undefined);
  return read && { source, ...read, hash: newDigest(digest)?.update(read.chunk) };
}

// node:crypto loads on the first digest: echo, which shares this chunk and hashes nothing, starts
// 5-8 ms sooner without it (issue 8's 150 ms).
function newDigest(digest: boolean): Hash | undefined {
  return digest ? process.getBuiltinModule('node:crypto').createHash('sha256') : undefined;
}

/** The first `bytes` of `buffer`, and one NUL after them when `pad`. */
function padded(buffer: Buffer, bytes: number, pad: boolean): Buffer {
  if (pad) buffer[bytes] = 0;
  return buffer.subarray(0, bytes + (pad ? 1 : 0));
}

/**
 * Streams `source` from `file` (already open, closed here when done) as dataset PDVs, read into
 * `buffers`; resolves with the SHA-256 of exactly the bytes put on the wire (the pad byte
 * included), or undefined without `digest`. Honours socket back-pressure, so memory stays at a few
 * chunks. `first`: the first chunk, already read (readFirstChunk, with the same `digest`).
 */
export async function writeDatasetPdus(
  writer: PduWriter,
  presentationContextId: number,
  buffers: SendBuffers,
  file: DatasetFile,
  source: DatasetSource,
  { onBytes, digest, first }: DatasetWriteOptions & { first?: FirstChunk | undefined },
): Promise<string | undefined> {
  const { pdvValue } = buffers;
  const hash = first ? first.hash : newDigest(digest);
  let ahead = first;
  try {
    let sent = 0;
    do {
      if (writer.socket.destroyed) throw new Error('connection closed while sending');
      const { buffer, chunk, bytes } = ahead ?? (await readChunk(buffers, file, source, sent));
      if (!ahead) hash?.update(chunk);
      ahead = undefined;
      const last = sent + bytes === source.length;
      const drained = writeFragments(writer, presentationContextId, chunk, pdvValue, last, buffers.sent(buffer));
      sent += bytes;
      onBytes?.(sent);
      if (!drained) await waitForDrain(writer.socket);
    } while (sent < source.length);
    return hash?.digest('hex');
  } finally {
    if (ahead) buffers.giveBack(ahead.buffer);
    await file.close();
  }
}

/** The chunk of `source` from `sent` on, read into a buffer from `buffers` (given back if the read fails). */
async function readChunk(
  buffers: SendBuffers,
  file: DatasetFile,
  source: DatasetSource,
  sent: number,
): Promise<{ buffer: Buffer; chunk: Buffer; bytes: number }> {
  const bytes = Math.min(buffers.readSize, source.length - sent);
  const buffer = await buffers.take();
  const { bytesRead } = await file.read(buffer, 0, bytes, source.offset + sent).catch((err: unknown) => {
    buffers.giveBack(buffer);
    throw err;
  });
  if (bytesRead !== bytes) {
    buffers.giveBack(buffer);
    throw new Error(`${source.path}: file shrank while being sent (read ${bytesRead} of ${bytes} bytes at ${source.offset + sent})`);
  }
  return { buffer, chunk: padded(buffer, bytes, sent + bytes === source.length && source.padByte === true), bytes };
}

/**
 * Writes `chunk` as PDVs; `flushed` is called once the socket no longer holds any of them. Returns
 * false when the socket asks the writer to wait for 'drain'.
 */
function writeFragments(
  writer: PduWriter,
  pcId: number,
  chunk: Buffer,
  pdvValue: number,
  lastChunk: boolean,
  flushed?: () => void,
): boolean {
  let drained = true;
  writer.socket.cork();
  // An empty dataset still needs its one (empty) last fragment.
  for (let start = 0; start < chunk.length || start === 0; start += pdvValue) {
    const end = Math.min(start + pdvValue, chunk.length);
    const fragment = chunk.subarray(start, end);
    const last = lastChunk && start + pdvValue >= chunk.length;
    writer.write(pduHeader(pcId, fragment.length, last ? CONTROL_LAST : 0));
    // Writes are flushed in order: the chunk is free once its last fragment is.
    drained = writer.write(fragment, end === chunk.length ? flushed : undefined) && drained;
    if (chunk.length === 0) break;
  }
  writer.socket.uncork();
  return drained;
}

function waitForDrain(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed) return reject(new Error('connection closed while sending'));
    const settle = (err?: Error) => {
      socket.off('drain', onDrain);
      socket.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => settle();
    const onClose = () => settle(new Error('connection closed while sending'));
    socket.on('drain', onDrain);
    socket.on('close', onClose);
  });
}

/**
 * Streams a dataset that is produced as it goes (the transcoder's chunks, of any size) as dataset
 * PDVs of at most the peer's max PDV value; resolves with the SHA-256 of the bytes put on the wire
 * (undefined without `digest`) and their count.
 * One PDV's worth is held back until the stream ends, so the last PDV carries the last-fragment
 * bit. An error from the stream rejects with nothing marked last: the caller must abort the
 * association, so the peer never takes a truncated dataset for a whole one.
 */
export async function writeStreamedDatasetPdus(
  writer: PduWriter,
  presentationContextId: number,
  peerMaxPduLength: number,
  chunks: AsyncIterable<Buffer>,
  { onBytes, digest }: DatasetWriteOptions,
): Promise<{ sha256: string | undefined; bytes: number }> {
  const pdvValue = maxPdvValue(peerMaxPduLength);
  const hash = newDigest(digest);
  let held: Buffer[] = [];
  let heldBytes = 0;
  let sent = 0;
  for await (const chunk of chunks) {
    if (writer.socket.destroyed) throw new Error('connection closed while sending');
    held.push(chunk);
    heldBytes += chunk.length;
    if (heldBytes <= pdvValue) continue;
    // Everything but the tail (1..pdvValue bytes) goes out now, in whole PDVs.
    const all = Buffer.concat(held, heldBytes);
    const tail = heldBytes - (Math.ceil(heldBytes / pdvValue) - 1) * pdvValue;
    const ready = all.subarray(0, heldBytes - tail);
    // A copy, so the large concatenation is not kept alive by its small tail.
    held = [Buffer.from(all.subarray(heldBytes - tail))];
    heldBytes = tail;
    hash?.update(ready);
    const drained = writeFragments(writer, presentationContextId, ready, pdvValue, false);
    sent += ready.length;
    onBytes?.(sent);
    if (!drained) await waitForDrain(writer.socket);
  }
  const rest = Buffer.concat(held, heldBytes);
  if ((sent + rest.length) % 2 === 1) throw new Error(`the converted dataset is ${sent + rest.length} bytes long, an odd length; not sent`);
  if (writer.socket.destroyed) throw new Error('connection closed while sending');
  hash?.update(rest);
  const drained = writeFragments(writer, presentationContextId, rest, pdvValue, true);
  sent += rest.length;
  onBytes?.(sent);
  if (!drained) await waitForDrain(writer.socket);
  return { sha256: hash?.digest('hex'), bytes: sent };
}
