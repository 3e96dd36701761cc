import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cleanDist } from '../../../scripts/clean-dist.ts';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('removes every stale build output, so a renamed source never reaches a package, and keeps built installers', async () => {
  dir = await mkdtemp(join(tmpdir(), 'clean-dist-'));
  await mkdir(join(dir, 'main', 'electron'), { recursive: true });
  await writeFile(join(dir, 'main', 'electron', 'old-name.js'), 'stale');
  await mkdir(join(dir, 'renderer'));
  await mkdir(join(dir, 'installers'));
  await writeFile(join(dir, 'installers', 'DICOM Gateway.AppImage'), 'built');
  expect((await cleanDist(dir)).sort()).toEqual(['main', 'renderer']);
  expect(await readdir(dir)).toEqual(['installers']);
  expect(await cleanDist(join(dir, 'missing'))).toEqual([]);
});
