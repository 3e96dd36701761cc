/**
 * The floor of a durable receiver written in Node, for the receive scenario: a C-STORE SCP built on
 * the gateway's own wire layer (PDU framer, association codec, DIMSE command codec) that does one
 * thing per instance before answering success: one O_DSYNC positional write of the dataset's
 * bytes into a preallocated file, as the gateway's receive journal does. No store, no index, no
 * validation, no digest, one association at a time: everything the gateway does on top of this
 * is what the gateway's time minus this time costs.
 *
 *   node bench/bare-durable-scp.ts DIR    prints "DICOM listening on 127.0.0.1:PORT"; on SIGTERM
 *                                         prints "received N instances, B bytes" and exits 0
 */
import { closeSync, constants, fsyncSync, openSync, writeSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { CommandField, CommandSet, CommandTag, encodeResponse } from '../src-main/dicom/dimse-command.ts';
import { writeCommandPdu } from '../src-main/dicom/pdata-writer.ts';
import { decodeAssociateRq, encodeAssociateAc, encodeReleaseRp } from '../src-main/dicom/ul/pdu-codec.ts';
import { PduType } from '../src-main/dicom/ul/pdu-constants.ts';
import { PduFramer } from '../src-main/dicom/ul/pdu-framer.ts';
import { writeFullySync } from '../src-main/store/write-fully.ts';

/** Written in a ring, like the journal's reused segments: every block already written once, so a write flushes no metadata. */
const RING_BYTES = 64 * 1024 * 1024;
const BLOCK = 4096;
const MAX_PDU = 65536;

class DurableRing {
  private readonly fd: number;
  private at = 0;

  constructor(path: string) {
    const zeros = Buffer.alloc(1024 * 1024);
    const fd = openSync(path, 'w');
    for (let at = 0; at < RING_BYTES; at += zeros.length) writeSync(fd, zeros, 0, zeros.length, at);
    fsyncSync(fd);
    closeSync(fd);
    this.fd = openSync(path, constants.O_RDWR | constants.O_DSYNC);
  }

  /** Durable when it returns: one synchronous write on the main thread, the cheapest there is in Node. */
  write(parts: Buffer[], length: number): void {
    if (this.at + length > RING_BYTES) this.at = 0;
    writeFullySync(this.fd, parts, this.at); // the journal's inline write
    this.at = Math.ceil((this.at + length) / BLOCK) * BLOCK;
  }
}

const totals = { instances: 0, bytes: 0 };

/** One association: the command set is gathered, the dataset's fragments kept as views until the last one. */
function serve(socket: Socket, ring: DurableRing): void {
  socket.setNoDelay(true);
  const writer = { socket, write: (data: Buffer) => socket.write(data) };
  let fragment = { contextId: 0, command: false, last: false };
  let command: Buffer[] = [];
  let current: CommandSet | undefined;
  let dataset: Buffer[] = [];
  let datasetBytes = 0;

  const stored = () => {
    ring.write(dataset, datasetBytes);
    totals.instances++;
    totals.bytes += datasetBytes;
    dataset = [];
    datasetBytes = 0;
    const response = encodeResponse({
      commandField: CommandField.CStoreRsp,
      messageIdBeingRespondedTo: current?.uint16(CommandTag.MessageId) ?? 0,
      status: 0,
      sopClassUid: current?.text(CommandTag.AffectedSopClassUid),
      sopInstanceUid: current?.text(CommandTag.AffectedSopInstanceUid),
    });
    writeCommandPdu(writer, fragment.contextId, response);
  };

  const framer = new PduFramer({
    pduStarted() {},
    pduHeader: () => true,
    pdu(type, body) {
      if (type === PduType.AssociateRq) {
        const rq = decodeAssociateRq(body);
        const contexts = rq.contexts.map((c) => ({ id: c.id, result: 0, transferSyntaxUid: c.transferSyntaxUids[0]! }));
        const ac = { ...rq, maxPduLength: MAX_PDU, implementationClassUid: '1.2.826.0.1.3680043.10.1', implementationVersionName: 'BARE' };
        socket.write(encodeAssociateAc({ ...ac, contexts }));
      } else if (type === PduType.ReleaseRq) socket.end(encodeReleaseRp());
      else socket.destroy();
    },
    pdvStarted(contextId, control) {
      fragment = { contextId, command: (control & 1) === 1, last: (control & 2) === 2 };
    },
    pdvData(slice) {
      if (fragment.command) command.push(slice);
      else {
        dataset.push(slice);
        datasetBytes += slice.length;
      }
    },
    pdvEnded() {
      if (!fragment.last) return;
      if (!fragment.command) return stored();
      current = CommandSet.decode(Buffer.concat(command));
      command = [];
    },
    pdataEnded() {},
    malformed: () => socket.destroy(),
  });
  socket.on('data', (chunk: Buffer) => framer.push(chunk));
  socket.on('error', () => socket.destroy());
}

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node bench/bare-durable-scp.ts DIR');
  process.exit(2);
}
const ring = new DurableRing(join(dir, 'ring'));
const server = createServer((socket) => serve(socket, ring));
server.listen(0, '127.0.0.1', () => console.log(`DICOM listening on 127.0.0.1:${(server.address() as { port: number }).port}`));
process.on('SIGTERM', () => {
  console.log(`received ${totals.instances} instances, ${totals.bytes} bytes`);
  process.exit(0);
});
