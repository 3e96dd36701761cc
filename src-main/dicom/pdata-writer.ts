/**
 * P-DATA-TF framing (PS3.8 §9.3.5) for the byte-exact send path: the dataset is read from the
 * file in large chunks and cut into PDVs of at most (max PDU length - 6) bytes, each sent as its
 * own PDU. The bytes themselves are never copied or touched: each PDV's value is a view of the
 * chunk read from disk.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { Socket } from 'node:net';

const PDU_TYPE_P_DATA_TF = 0x04;
const PDV_HEADER = 6; // item length (4) + presentation context ID (1) + message control header (1)
const PDU_HEADER = 6; // type (1) + reserved (1) + length (4)
const CONTROL_COMMAND = 0x01;
const CONTROL_LAST = 0x02;
/** The library's own ceiling for outgoing PDUs; also used when the peer announces "no limit" (0). */
export const MAX_SEND_PDU = 4 * 1024 * 1024;
const READ_CHUNK = 1024 * 1024;

function pduHeader(presentationContextId: number, valueLength: number, control: number): Buffer {
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

export function writeCommandPdu(socket: Socket, presentationContextId: number, command: Buffer): void {
  socket.cork();
  socket.write(pduHeader(presentationContextId, command.length, CONTROL_COMMAND | CONTROL_LAST));
  socket.write(command);
  socket.uncork();
}

export interface DatasetSource {
  path: string;
  offset: number;
  length: number;
}

/**
 * Streams `source` (already open as `file`) as dataset PDVs; resolves with the SHA-256 of exactly
 * the bytes put on the wire. Honours socket back-pressure, so memory stays at a few chunks
 * whatever the file size. Rejects, naming the file, if it cannot be read to its indexed length:
 * by then the command is on the wire, so the caller must abort the association.
 */
export async function writeDatasetPdus(
  socket: Socket,
  presentationContextId: number,
  peerMaxPduLength: number,
  file: FileHandle,
  source: DatasetSource,
  onBytes: (sent: number) => void = () => {},
): Promise<string> {
  const pdvValue = maxPdvValue(peerMaxPduLength);
  const readSize = Math.max(pdvValue, Math.floor(READ_CHUNK / pdvValue) * pdvValue);
  const hash = createHash('sha256');
  let sent = 0;
  while (sent < source.length) {
    const want = Math.min(readSize, source.length - sent);
    const chunk = Buffer.allocUnsafe(want);
    const { bytesRead } = await file.read(chunk, 0, want, source.offset + sent).catch((err: Error) => {
      throw new Error(`${source.path}: cannot be read while being sent: ${err.message}`);
    });
    if (bytesRead !== want) throw new Error(`${source.path}: file shrank while being sent (read ${bytesRead} of ${want} bytes at ${source.offset + sent})`);
    hash.update(chunk);
    const drained = writeFragments(socket, presentationContextId, chunk, pdvValue, sent + want === source.length);
    sent += want;
    onBytes(sent);
    if (!drained) await waitForDrain(socket);
  }
  return hash.digest('hex');
}

function writeFragments(socket: Socket, pcId: number, chunk: Buffer, pdvValue: number, lastChunk: boolean): boolean {
  let ok = true;
  socket.cork();
  for (let start = 0; start < chunk.length; start += pdvValue) {
    const fragment = chunk.subarray(start, Math.min(start + pdvValue, chunk.length));
    const last = lastChunk && start + pdvValue >= chunk.length;
    socket.write(pduHeader(pcId, fragment.length, last ? CONTROL_LAST : 0));
    ok = socket.write(fragment) && ok;
  }
  socket.uncork();
  return ok;
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
