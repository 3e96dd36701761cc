import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  maxPdvValue,
  SendBuffers,
  writeDatasetPdus,
  writeStreamedDatasetPdus,
  type PduWriter,
} from '../../../src-main/dicom/pdata-writer.ts';
import { useTempDir } from '../../helpers/temp-dir.ts';
import { parsePdus } from '../../helpers/ul-wire.ts';

/** Collects what is written; `full` makes every write report a full buffer until 'drain' is emitted. */
function collectingWriter(opts: { full?: boolean } = {}) {
  const socket = Object.assign(new EventEmitter(), { destroyed: false, cork() {}, uncork() {} });
  const written: Buffer[] = [];
  let drainsAwaited = 0;
  const writer: PduWriter = {
    socket: socket as unknown as Socket,
    write(data: Buffer) {
      written.push(Buffer.from(data));
      if (!opts.full) return true;
      // The writer waits for 'drain' only after a batch; answer it on the next turn, as a socket would.
      setImmediate(() => {
        drainsAwaited++;
        socket.emit('drain');
      });
      return false;
    },
  };
  const pdvs = () =>
    parsePdus(Buffer.concat(written)).map((pdu) => {
      expect(pdu.type).toBe(0x04);
      const length = pdu.body.readUInt32BE(0);
      expect(length + 4).toBe(pdu.body.length); // one PDV per PDU
      return { contextId: pdu.body[4]!, control: pdu.body[5]!, value: pdu.body.subarray(6) };
    });
  return { writer, socket, pdvs, drains: () => drainsAwaited };
}

async function* chunksOf(bytes: Buffer, sizes: number[]): AsyncGenerator<Buffer> {
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

const DIGEST = { digest: true };

const patterned = (length: number) => Buffer.from(Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff));

describe('writeStreamedDatasetPdus', () => {
  it('cuts chunks of any size into PDVs of at most the peer max, only the last one marked last, the bytes and digest unchanged', async () => {
    const maxPdu = 4096;
    const pdvMax = maxPdvValue(maxPdu);
    const dataset = patterned(pdvMax * 5 + 1234);
    const { writer, pdvs } = collectingWriter();
    const written = await writeStreamedDatasetPdus(writer, 3, maxPdu, chunksOf(dataset, [1, 777, pdvMax, 10_000, 2]), DIGEST);
    const out = pdvs();
    expect(out.every((p) => p.contextId === 3 && p.value.length <= pdvMax && p.value.length % 2 === 0)).toBe(true);
    expect(out.map((p) => p.control)).toEqual([...new Array(out.length - 1).fill(0), 0x02]);
    expect(Buffer.concat(out.map((p) => p.value)).equals(dataset)).toBe(true);
    expect(written).toEqual({ sha256: createHash('sha256').update(dataset).digest('hex'), bytes: dataset.length });
  });

  it('sends the same PDVs without a digest when none is asked for', async () => {
    const dataset = patterned(maxPdvValue(4096) * 2 + 100);
    const hashed = collectingWriter();
    const plain = collectingWriter();
    await writeStreamedDatasetPdus(hashed.writer, 1, 4096, chunksOf(dataset, [5_000]), DIGEST);
    const written = await writeStreamedDatasetPdus(plain.writer, 1, 4096, chunksOf(dataset, [5_000]), { digest: false });
    expect(written).toEqual({ sha256: undefined, bytes: dataset.length });
    expect(plain.pdvs()).toEqual(hashed.pdvs());
  });

  it('ends a dataset that is an exact multiple of the PDV size with a full last PDV, not an empty one', async () => {
    const pdvMax = maxPdvValue(4096);
    const { writer, pdvs } = collectingWriter();
    await writeStreamedDatasetPdus(writer, 1, 4096, chunksOf(patterned(pdvMax * 3), [pdvMax * 3]), DIGEST);
    expect(pdvs().map((p) => [p.value.length, p.control])).toEqual([
      [pdvMax, 0],
      [pdvMax, 0],
      [pdvMax, 2],
    ]);
  });

  it('waits for the socket to drain when it reports a full buffer, and still delivers everything', async () => {
    const dataset = patterned(50_000);
    const { writer, pdvs, drains } = collectingWriter({ full: true });
    await writeStreamedDatasetPdus(writer, 1, 4096, chunksOf(dataset, [9_000]), DIGEST);
    expect(drains()).toBeGreaterThan(0);
    expect(Buffer.concat(pdvs().map((p) => p.value)).equals(dataset)).toBe(true);
  });

  it('rejects when the stream fails mid-way, never having sent a PDV marked last', async () => {
    const { writer, pdvs } = collectingWriter();
    async function* failing(): AsyncGenerator<Buffer> {
      yield patterned(20_000);
      throw new Error('frame 2 of 2 cannot be decoded');
    }
    await expect(writeStreamedDatasetPdus(writer, 1, 4096, failing(), DIGEST)).rejects.toThrow(/frame 2 of 2/);
    const out = pdvs();
    expect(out.length).toBeGreaterThan(0);
    expect(out.every((p) => p.control === 0)).toBe(true);
  });

  it('refuses to finish an odd-length dataset: nothing marked last goes out', async () => {
    const { writer, pdvs } = collectingWriter();
    await expect(writeStreamedDatasetPdus(writer, 1, 4096, chunksOf(patterned(9_001), [9_001]), DIGEST)).rejects.toThrow(/odd length/);
    expect(pdvs().every((p) => p.control === 0)).toBe(true);
  });
});

/**
 * A socket that holds on to what it is given, as a real one does until the kernel has it, and lets
 * go of one write per event-loop turn: what it finally sends is read only then.
 */
function slowFlushingWriter() {
  const socket = Object.assign(new EventEmitter(), { destroyed: false, cork() {}, uncork() {} });
  const held: { data: Buffer; flushed?: () => void }[] = [];
  const sent: Buffer[] = [];
  const flushOne = () => {
    const next = held.shift();
    if (!next) return;
    sent.push(Buffer.from(next.data));
    next.flushed?.();
    setImmediate(flushOne);
  };
  const writer: PduWriter = {
    socket: socket as unknown as Socket,
    write(data: Buffer, flushed?: () => void) {
      held.push({ data, flushed });
      if (held.length === 1) setImmediate(flushOne);
      return true;
    },
  };
  const flushedAll = () =>
    new Promise<void>((resolve) =>
      (function check() {
        if (held.length === 0) resolve();
        else setImmediate(check);
      })(),
    );
  const values = () => parsePdus(Buffer.concat(sent)).map((pdu) => pdu.body.subarray(6));
  return { writer, values, flushedAll };
}

describe('writeDatasetPdus', () => {
  const dir = useTempDir('pdata-writer-');

  /** Three datasets of three chunks each, sent in turn through one association's two buffers. */
  async function sendThree(digest: boolean) {
    const buffers = new SendBuffers(16384);
    const datasets = [0, 1, 2].map((i) => Buffer.from(patterned(buffers.readSize * 2 + 1000 + i * 2).map((b) => b ^ i)));
    const { writer, values, flushedAll } = slowFlushingWriter();
    const digests: (string | undefined)[] = [];
    for (const [i, dataset] of datasets.entries()) {
      const path = join(dir.path, `dataset-${i}`);
      await writeFile(path, dataset);
      digests.push(
        await writeDatasetPdus(writer, 1, buffers, await open(path, 'r'), { path, offset: 0, length: dataset.length }, { digest }),
      );
    }
    await flushedAll();
    return { datasets, digests, sent: Buffer.concat(values()) };
  }

  it('reuses a read buffer only once the socket has let go of it: every dataset arrives intact, three chunks each through two buffers', async () => {
    const { datasets, digests, sent } = await sendThree(true);
    expect(sent.equals(Buffer.concat(datasets))).toBe(true);
    expect(digests).toEqual(datasets.map((d) => createHash('sha256').update(d).digest('hex')));
  });

  it('sends the same bytes without a digest when none is asked for', async () => {
    const { datasets, digests, sent } = await sendThree(false);
    expect(sent.equals(Buffer.concat(datasets))).toBe(true);
    expect(digests).toEqual([undefined, undefined, undefined]);
  });
});
