/**
 * Empties dist/ before a build, so a file whose source was renamed or removed is never left there
 * to be packaged (electron-builder takes dist/main/** whole). Installers in dist/installers are
 * kept: they are outputs of packaging, not of the build.
 */
import { readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export async function cleanDist(distDir: string, keep: readonly string[] = ['installers']): Promise<string[]> {
  const removed: string[] = [];
  for (const entry of await readdir(distDir).catch(() => [] as string[])) {
    if (keep.includes(entry)) continue;
    await rm(join(distDir, entry), { recursive: true, force: true });
    removed.push(entry);
  }
  return removed;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await cleanDist(resolve(import.meta.dirname, '..', 'dist'));
}
