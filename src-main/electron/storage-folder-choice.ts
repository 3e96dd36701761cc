/**
 * Whether a folder the user picked may become the store. The desktop app never moves a store:
 * moving gigabytes while images arrive can only be done half, so the new folder must be empty (a
 * new store) or a store made before (switching back), and the old one keeps what it has.
 */
import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { INDEX_FILE } from '../store/store-layout.ts';

/** The reason `target` cannot be the store, in words; undefined when it can. */
export async function storageFolderProblem(target: string, current: string): Promise<string | undefined> {
  if (!isAbsolute(target)) return `"${target}" is not a full folder path.`;
  const from = resolve(current);
  const to = resolve(target);
  const inside = (a: string, b: string) => {
    const rel = relative(a, b);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  };
  if (inside(from, to)) return `${to} is inside the current storage folder ${from}. Choose a folder outside it.`;
  if (inside(to, from)) return `${to} contains the current storage folder ${from}. Choose an empty folder or another store.`;
  const info = await stat(to).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err)));
  if (info === undefined) return undefined;
  if (!info.isDirectory()) return `${to} is a file, not a folder.`;
  const entries = await readdir(to);
  if (entries.length === 0 || entries.includes(INDEX_FILE)) return undefined;
  return `${to} already holds other files. Choose an empty folder, or a folder DICOM Gateway kept its images in before. Nothing was moved.`;
}
