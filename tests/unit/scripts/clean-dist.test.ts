import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cleanDist } from '../../../scripts/clean-dist.ts';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.ts';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await removeDir(dir);
});

it('removes every stale build output, so a renamed source never reaches a package, and keeps built installers', async () => {
  dir = await makeTempDir('clean-dist-');
  await mkdir(join(dir, 'main', 'electron'), { recursive: true });
  await writeFile(join(dir, 'main', 'electron', 'old-name.js'), 'stale');
  await mkdir(join(dir, 'renderer'));
  await mkdir(join(dir, 'installers'));
  await writeFile(join(dir, 'installers', 'DICOM Gateway.AppImage'), 'built');
  expect((await cleanDist(dir)).sort()).toEqual(['main', 'renderer']);
  expect(await readdir(dir)).toEqual(['installers']);
  expect(await cleanDist(join(dir, 'missing'))).toEqual([]);
});
