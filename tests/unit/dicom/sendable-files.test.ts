import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectSendableFiles, collectSendableFilesSync } from '../../../src-main/dicom/sendable-files.ts';
import { writeP10Files } from '../../helpers/dicom-fixtures.ts';
import { useTempDir } from '../../helpers/temp-dir.ts';

describe('collectSendableFiles', () => {
  const tmp = useTempDir('sendable-', 'test');

  it('lists a tree of files in walk order, with every left-out entry and its reason in place, on its own thread', async () => {
    const root = join(tmp.path, 'in');
    const first = await writeP10Files(join(root, 'a'), 40, (i) => ({ seed: 100 + i, pixelDataBytes: (i % 5) * 4096 }));
    const second = await writeP10Files(join(root, 'b'), 30, (i) => ({ seed: 200 + i }));
    await writeFile(join(root, 'a', '0005.txt'), 'not DICOM at all, and long enough to be read as a header');
    await mkdir(join(root, 'c'));
    await symlink(join(root, 'b'), join(root, 'c', 'folder-link'));
    await symlink(first[0]!, join(root, 'c', 'file-link'));
    execFileSync('mkfifo', [join(root, 'c', 'pipe')]);

    const collected = await collectSendableFiles([root, join(tmp.path, 'missing.dcm')]);

    expect(collected.files.map((f) => f.file)).toEqual([...first, ...second, join(root, 'c', 'file-link')]);
    expect(collected.files.every((f) => f.datasetLength > 0 && f.sopInstanceUid !== '')).toBe(true);
    expect(new Set(collected.files.slice(0, 70).map((f) => f.sopInstanceUid)).size).toBe(70);
    expect(collected.skipped.map((s) => [s.file, s.explicit])).toEqual([
      [join(root, 'a', '0005.txt'), false],
      [join(root, 'c', 'folder-link'), false],
      [join(root, 'c', 'pipe'), false],
    ]);
    expect(collected.skipped[1]!.reason).toBe('a symbolic link to a folder; not followed');
    expect(collected.skipped[2]!.reason).toMatch(/not a regular file|FIFO/i);
    expect(collected.missing).toEqual([join(tmp.path, 'missing.dcm')]);
    // The CLI's send collects on its own thread, with the same walk.
    expect(collectSendableFilesSync([root, join(tmp.path, 'missing.dcm')])).toEqual(collected);
  });

  it('marks a file named on its own that cannot be sent as explicit', async () => {
    const file = join(tmp.path, 'note.txt');
    await writeFile(file, 'hello');
    const collected = await collectSendableFiles([file]);
    expect(collected.files).toEqual([]);
    expect(collected.skipped).toEqual([{ file, reason: expect.any(String), explicit: true }]);
  });

  it("reads the headers off the calling thread: the engine's event loop goes on meanwhile", async () => {
    const files = await writeP10Files(join(tmp.path, 'many'), 300, (i) => ({ seed: 300 + i }));
    let turns = 0;
    let counting = true;
    const count = () => {
      turns++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const collected = await collectSendableFiles([join(tmp.path, 'many')]);
    counting = false;
    expect(collected.files).toHaveLength(files.length);
    expect(turns).toBeGreaterThan(0);
  });
});
