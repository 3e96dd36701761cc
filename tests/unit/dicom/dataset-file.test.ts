import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatasetFile, type FileReads } from '../../../src-main/dicom/dataset-file.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dataset-file-'));
  await writeFile(join(dir, 'file'), Buffer.from('0123456789'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe.each<FileReads>(['async', 'sync'])('openDatasetFile with %s reads', (reads) => {
  it('reads a range at a position, then a read past the end returns 0 bytes', async () => {
    const file = await openDatasetFile(join(dir, 'file'), reads);
    const buffer = Buffer.alloc(4);
    expect(await file.read(buffer, 0, 4, 3)).toMatchObject({ bytesRead: 4 });
    expect(buffer.toString()).toBe('3456');
    expect(await file.read(buffer, 0, 4, 10)).toMatchObject({ bytesRead: 0 });
    await file.close();
  });

  it('reports a missing file as a rejection with its code, never a throw', async () => {
    let opened: Promise<unknown> | undefined;
    expect(() => (opened = openDatasetFile(join(dir, 'missing'), reads))).not.toThrow();
    await expect(opened).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('once closed, refuses a read and leaves the descriptor alone on a second close, even when another file reuses it', async () => {
    const file = await openDatasetFile(join(dir, 'file'), reads);
    await file.close();
    const other = await openDatasetFile(join(dir, 'file'), reads);
    await expect(file.read(Buffer.alloc(1), 0, 1, 0)).rejects.toMatchObject({ code: 'EBADF' });
    await file.close();
    expect(await other.read(Buffer.alloc(1), 0, 1, 0)).toMatchObject({ bytesRead: 1 });
    await other.close();
  });
});
