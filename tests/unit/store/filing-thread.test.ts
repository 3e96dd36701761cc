import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FilingThread } from '../../../src-main/store/filing-thread.ts';
import type { FilingJob } from '../../../src-main/store/instance-filing.ts';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.ts';

describe('FilingThread', () => {
  let root: string;
  let thread: FilingThread;

  beforeEach(async () => {
    root = await makeTempDir('filing-thread-');
    await mkdir(join(root, '.incoming'));
    thread = new FilingThread(root);
  });
  afterEach(async () => {
    await thread.stop();
    await removeDir(root);
  });

  async function jobFor(name: string, bytes: Buffer): Promise<FilingJob> {
    await writeFile(join(root, `${name}.journal`), bytes);
    return {
      lsn: 1,
      path: `studies/1/1/${name}.dcm`,
      tempName: null,
      body: { file: join(root, `${name}.journal`), offset: 0, length: bytes.length },
      headerLength: 0,
      datasetLength: bytes.length,
      datasetSha256: '',
      replayed: false,
    };
  }

  it('files a batch on its own thread and resolves once the files are in place', async () => {
    const bytes = Buffer.from('instance bytes');
    await thread.file([await jobFor('a', bytes)]);
    expect((await readFile(join(root, 'studies/1/1/a.dcm'))).equals(bytes)).toBe(true);
  });

  it("rejects a batch the thread could not file with the system error's code", async () => {
    const job = await jobFor('b', Buffer.from('x'));
    await writeFile(join(root, 'studies'), 'a file where a folder must go');
    const error = await thread.file([job]).catch((err: unknown) => err as NodeJS.ErrnoException);
    expect(error).toBeInstanceOf(Error);
    expect(error!.code).toBe('ENOTDIR');
  });

  it('fails the batch a thread held when the thread ends, and files the next batch on a new thread', async () => {
    const held = thread.file([await jobFor('c', Buffer.from('c'))]);
    await thread.stop();
    await expect(held).rejects.toThrow(/filing thread exited/);
    await thread.file([await jobFor('d', Buffer.from('d'))]);
    expect((await readFile(join(root, 'studies/1/1/d.dcm'))).toString()).toBe('d');
  });

  it('ends the thread once it has been idle for its idle time, and files the next batch on a new one', async () => {
    const quick = new FilingThread(root, 50);
    try {
      quick.warm();
      expect(quick.running).toBe(true);
      await quick.file([await jobFor('e', Buffer.from('e'))]);
      // Work postpones the end: still up right after a batch, gone once idle for 50 ms.
      expect(quick.running).toBe(true);
      await vi.waitFor(() => expect(quick.running).toBe(false), { timeout: 5000, interval: 10 });
      await quick.file([await jobFor('f', Buffer.from('f'))]);
      expect((await readFile(join(root, 'studies/1/1/f.dcm'))).toString()).toBe('f');
    } finally {
      await quick.stop();
    }
  });
});
