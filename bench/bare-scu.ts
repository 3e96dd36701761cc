/**
 * The floor of a C-STORE SCU written in Node, for the send scenario: it sends every file of a folder
 * to one peer the way the gateway's `send` does on the wire (the file's own transfer syntax, the
 * dataset's bytes as they are on disk, one C-STORE at a time), on the gateway's own codecs and
 * PDU framer, and does nothing else: no digest of what was sent, no results recorded, no worker
 * threads, synchronous file reads. Everything the gateway's send does on top is what the gateway's
 * time minus this time costs.
 *
 *   node bench/bare-scu.ts CALLED_AE HOST PORT FOLDER   exits 0 once every file was answered 0x0000
 */
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { CommandField, CommandSet, CommandTag, encodeCStoreRq } from '../src-main/dicom/dimse-command.ts';
import { readP10HeaderSync } from '../src-main/dicom/p10-reader.ts';
import { CONTROL_LAST, maxPdvValue, pduHeader, writeCommandPdu } from '../src-main/dicom/pdata-writer.ts';
import { decodeAssociateAc, encodeAssociateRq, encodeReleaseRq } from '../src-main/dicom/ul/pdu-codec.ts';
import { DICOM_APPLICATION_CONTEXT, PduType } from '../src-main/dicom/ul/pdu-constants.ts';
import { PduFramer } from '../src-main/dicom/ul/pdu-framer.ts';

interface Sendable {
  path: string;
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
  datasetOffset: number;
}

const [calledAe, host, port, folder] = process.argv.slice(2);
if (!folder) {
  console.error('usage: node bench/bare-scu.ts CALLED_AE HOST PORT FOLDER');
  process.exit(2);
}

const files: Sendable[] = readdirSync(folder)
  .sort()
  .map((name) => {
    const path = join(folder, name);
    const header = readP10HeaderSync(path);
    return {
      path,
      sopClassUid: header.mediaStorageSopClassUid ?? '',
      sopInstanceUid: header.mediaStorageSopInstanceUid ?? '',
      transferSyntaxUid: header.transferSyntaxUid,
      datasetOffset: header.datasetOffset,
    };
  });

/** One presentation context per (SOP class, transfer syntax) pair, ids 1, 3, 5... */
const contextKeys = [...new Set(files.map((f) => `${f.sopClassUid} ${f.transferSyntaxUid}`))];
const contextIds = new Map(contextKeys.map((key, i) => [key, 1 + 2 * i]));

const socket = connect({ host: host!, port: Number(port), noDelay: true });
const writer = { socket, write: (data: Buffer) => socket.write(data) };
let pdvValue = 0;
let next = 0;
let answer: Buffer[] = [];

function sendNext(): void {
  const file = files[next];
  if (!file) {
    socket.write(encodeReleaseRq());
    return;
  }
  const contextId = contextIds.get(`${file.sopClassUid} ${file.transferSyntaxUid}`)!;
  writeCommandPdu(writer, contextId, encodeCStoreRq(next + 1, file.sopClassUid, file.sopInstanceUid));
  const dataset = readFileSync(file.path).subarray(file.datasetOffset);
  socket.cork();
  for (let at = 0; at < dataset.length; at += pdvValue) {
    const value = dataset.subarray(at, Math.min(at + pdvValue, dataset.length));
    socket.write(pduHeader(contextId, value.length, at + value.length >= dataset.length ? CONTROL_LAST : 0));
    socket.write(value);
  }
  socket.uncork();
}

function answered(command: CommandSet): void {
  const status = command.uint16(CommandTag.Status);
  if (command.commandField !== CommandField.CStoreRsp || status !== 0) {
    console.error(`${files[next]!.path}: status 0x${(status ?? 0xffff).toString(16)}`);
    process.exit(1);
  }
  next++;
  sendNext();
}

const framer = new PduFramer({
  pduStarted() {},
  pduHeader: () => true,
  pdu(type, body) {
    if (type === PduType.AssociateAc) {
      const ac = decodeAssociateAc(body);
      if (ac.contexts.some((c) => c.result !== 0)) throw new Error('a presentation context was refused');
      pdvValue = maxPdvValue(ac.maxPduLength);
      sendNext();
    } else if (type === PduType.ReleaseRp) {
      socket.end();
      console.log(`sent ${files.length} files`);
    } else throw new Error(`unexpected PDU type ${type}`);
  },
  pdvStarted() {},
  pdvData: (slice) => void answer.push(slice),
  pdvEnded() {},
  pdataEnded() {
    answered(CommandSet.decode(Buffer.concat(answer)));
    answer = [];
  },
  malformed(message) {
    throw new Error(message);
  },
});
socket.on('data', (chunk: Buffer) => framer.push(chunk));
socket.on('connect', () =>
  socket.write(
    encodeAssociateRq({
      protocolVersion: 1,
      calledAe: calledAe!,
      callingAe: 'BARESCU',
      applicationContext: DICOM_APPLICATION_CONTEXT,
      maxPduLength: 65536,
      implementationClassUid: '1.2.826.0.1.3680043.10.1',
      implementationVersionName: 'BARE',
      hasUserInformation: true,
      contexts: contextKeys.map((key) => {
        const [abstractSyntaxUid, transferSyntaxUid] = key.split(' ');
        return { id: contextIds.get(key)!, abstractSyntaxUid: abstractSyntaxUid!, transferSyntaxUids: [transferSyntaxUid!] };
      }),
    }),
  ),
);
