import * as fs from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openRegularFile, openRegularFileSync } from '../../../src-main/dicom/input-path.ts';
import { filesOpenUnder } from '../../helpers/open-files.ts';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.ts';

// The synchronous opener's fstat is made to fail once; everything else is node:fs itself.
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  return { ...actual, fstatSync: vi.fn(actual.fstatSync) };
});

const eio = () => Object.assign(new Error('EIO: i/o error, fstat'), { code: 'EIO' });
const fail = (reason: string) => new Error(`refused: ${reason}`);

let dir: string;
let file: string;
beforeAll(async () => {
  dir = await makeTempDir('input-path-');
  file = join(dir, 'a.dcm');
  await writeFile(file, Buffer.alloc(300, 1));
});
afterAll(() => removeDir(dir));
afterEach(() => vi.restoreAllMocks());

describe('openRegularFile', () => {
  it('opens a regular file and gives its size', async () => {
    const { handle, size } = await openRegularFile(file, fail);
    expect(size).toBe(300);
    await handle.close();
  });

  it('closes the file when its own stat fails (a share that went away), and says why in words', async () => {
    const probe = await open(file, 'r');
    const fileHandle = Object.getPrototypeOf(probe) as { stat: () => Promise<fs.Stats> };
    await probe.close();
    vi.spyOn(fileHandle, 'stat').mockRejectedValueOnce(eio());
    await expect(openRegularFile(file, fail)).rejects.toThrow('refused: the disk or share could not be read (EIO)');
    expect(await filesOpenUnder(dir)).toEqual([]);
  });
});

describe('openRegularFileSync', () => {
  it('opens a regular file and gives its size', () => {
    const { fd, size } = openRegularFileSync(file, fail);
    expect(size).toBe(300);
    fs.closeSync(fd);
  });

  it('closes the file when its own stat fails, and says why in words', async () => {
    vi.mocked(fs.fstatSync).mockImplementationOnce(() => {
      throw eio();
    });
    expect(() => openRegularFileSync(file, fail)).toThrow('refused: the disk or share could not be read (EIO)');
    expect(await filesOpenUnder(dir)).toEqual([]);
  });
});
