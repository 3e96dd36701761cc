import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  HEAD_BYTES,
  IncomingInstanceWriter,
  StoreWriteError,
  TransferAbortedError,
} from '../../../src-main/store/incoming-instance-writer.ts';
import { useTempDir } from '../../helpers/temp-dir.ts';

describe('IncomingInstanceWriter', () => {
  const tmp = useTempDir('writer-', 'test');

  it('writes the header then every fragment byte for byte, and hashes only the dataset', async () => {
    const header = Buffer.from('HEADER-BYTES');
    const fragments = [randomBytes(16_378), randomBytes(1), randomBytes(3 * 1024 * 1024 + 7), randomBytes(10)];
    const writer = new IncomingInstanceWriter(join(tmp.path, 'a.part'), header);
    for (const f of fragments) expect(writer.write(f)).toBe(true);
    writer.end();
    const written = await writer.finished();
    const dataset = Buffer.concat(fragments);
    expect((await readFile(written.tempPath)).equals(Buffer.concat([header, dataset]))).toBe(true);
    expect(written.datasetSha256).toBe(createHash('sha256').update(dataset).digest('hex'));
    expect(written.datasetLength).toBe(dataset.length);
    expect(written.headerLength).toBe(header.length);
    expect(written.datasetHead.equals(dataset.subarray(0, written.datasetHead.length))).toBe(true);
    expect(written.datasetHead.length).toBeGreaterThanOrEqual(HEAD_BYTES);
    expect(written.headIsWholeDataset).toBe(false);
  });

  it('abort() closes the descriptor and removes the temp file at once, mid-batch included', async () => {
    const opened = async () => (await readdir('/proc/self/fd')).length;
    const before = await opened();
    const writer = new IncomingInstanceWriter(join(tmp.path, 'aborted.part'), Buffer.from('H'));
    writer.write(randomBytes(600 * 1024)); // past one batch: a writev is in flight
    writer.abort();
    await expect(writer.finished()).rejects.toBeInstanceOf(TransferAbortedError);
    expect(await readdir(tmp.path)).toEqual([]);
    expect(await opened()).toBe(before);
  });

  it('keeps a small dataset whole in memory so index fields need no second read', async () => {
    const writer = new IncomingInstanceWriter(join(tmp.path, 'b.part'), Buffer.alloc(4));
    writer.write(Buffer.from('abcd'));
    writer.end();
    const written = await writer.finished();
    expect(written.headIsWholeDataset).toBe(true);
    expect(written.datasetHead.toString()).toBe('abcd');
  });

  it('does not resolve before end(): nothing is acknowledged while bytes may still arrive', async () => {
    const writer = new IncomingInstanceWriter(join(tmp.path, 'c.part'), Buffer.alloc(4));
    writer.write(randomBytes(100));
    let settled = false;
    void writer.finished().then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    writer.end();
    await writer.finished();
    expect(settled).toBe(true);
  });

  it('pauses the socket when the disk falls behind and resumes it once written', async () => {
    const calls: string[] = [];
    const writer = new IncomingInstanceWriter(join(tmp.path, 'd.part'), Buffer.alloc(4), {
      pause: () => calls.push('pause'),
      resume: () => calls.push('resume'),
    });
    // 32 MiB arrive faster than any disk can take them: the writer must ask the sender to wait.
    for (let i = 0; i < 512; i++) writer.write(Buffer.alloc(64 * 1024, i));
    expect(calls).toContain('pause');
    writer.end();
    await writer.finished();
    expect(calls.at(-1)).toBe('resume');
    expect(calls.filter((c) => c === 'pause').length).toBe(calls.filter((c) => c === 'resume').length);
  });

  it('fails with StoreWriteError and leaves no file when the temp file cannot be created', async () => {
    const writer = new IncomingInstanceWriter(join(tmp.path, 'missing-folder', 'e.part'), Buffer.alloc(4));
    writer.write(Buffer.alloc(10));
    writer.end();
    await expect(writer.finished()).rejects.toBeInstanceOf(StoreWriteError);
    expect(await readdir(tmp.path)).toEqual([]);
  });

  it('never overwrites an existing temp file', async () => {
    const path = join(tmp.path, 'f.part');
    const first = new IncomingInstanceWriter(path, Buffer.from('first'));
    first.end();
    await first.finished();
    const second = new IncomingInstanceWriter(path, Buffer.from('second'));
    second.end();
    await expect(second.finished()).rejects.toBeInstanceOf(StoreWriteError);
    expect((await readFile(path)).toString()).toBe('first');
  });

  it('starts flushing a large instance to the disk while it still arrives, so the fsync before the answer waits for its last part only', async () => {
    const probe = await open(join(tmp.path, 'probe'), 'w');
    const datasync = vi.spyOn(Object.getPrototypeOf(probe) as { datasync(): Promise<void> }, 'datasync');
    await probe.close();
    try {
      const writer = new IncomingInstanceWriter(join(tmp.path, 'flushed.part'), Buffer.from('H'));
      const fragments = Array.from({ length: 24 }, () => randomBytes(256 * 1024));
      for (const f of fragments) writer.write(f);
      await vi.waitFor(() => expect(datasync).toHaveBeenCalled(), { timeout: 10_000 });
      writer.end();
      const written = await writer.finished();
      expect((await readFile(written.tempPath)).equals(Buffer.concat([Buffer.from('H'), ...fragments]))).toBe(true);
    } finally {
      datasync.mockRestore();
    }
  });
});
