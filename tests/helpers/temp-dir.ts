/** Temp folders for tests: made under the system's temp folder, named for whose they are, removed after. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';

/** A new empty folder; `prefix` (e.g. 'journal-') says which test made it when one is left behind. */
export function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Removes a folder and everything in it; nothing happens if it is already gone. */
export function removeDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

export interface TempDir {
  /** The folder; set before the tests it serves run (read it inside tests and hooks only). */
  readonly path: string;
  /** Writes `bytes` to `name` in the folder and returns the file's path. */
  file(name: string, bytes: Buffer | string): Promise<string>;
}

/**
 * A temp folder for the tests of the enclosing file or describe block: made before them and
 * removed after them, or, `per: 'test'`, a fresh one for each test.
 */
export function useTempDir(prefix: string, per: 'suite' | 'test' = 'suite'): TempDir {
  let path: string | undefined;
  const [before, after] = per === 'suite' ? [beforeAll, afterAll] : [beforeEach, afterEach];
  before(async () => {
    path = await makeTempDir(prefix);
  });
  after(async () => {
    if (path) await removeDir(path);
    path = undefined;
  });
  const dir: TempDir = {
    get path() {
      if (path === undefined) throw new Error(`the ${prefix} temp folder is read outside the tests it serves`);
      return path;
    },
    async file(name, bytes) {
      const file = join(dir.path, name);
      await writeFile(file, bytes);
      return file;
    },
  };
  return dir;
}
