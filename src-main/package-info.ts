/** Where the package lives and what version it is. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let root: string | undefined;

/**
 * The folder holding this package's package.json, found by walking up from `from` (default: this
 * module), because the code runs from src-main/ (tests), dist/main/ (Electron) and dist/cli/ (the
 * CLI bundle), at different depths.
 */
export function packageRoot(from?: string): string {
  if (from === undefined && root) return root;
  const start = from ?? import.meta.dirname;
  for (let dir = start; dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'dicom-gateway') {
      if (from === undefined) root = dir;
      return dir;
    }
  }
  throw new Error(`cannot find the dicom-gateway package above ${start}`);
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
