/**
 * Bundles the Electron preload into one CommonJS file. A sandboxed preload cannot load ES modules
 * or other files: it gets a `require` that knows only 'electron' (and a few polyfills), so
 * everything it uses is inlined here and 'electron' alone stays external.
 *
 *   node scripts/build-preload.ts [OUTFILE]    (default dist/main/electron/preload.cjs)
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PRELOAD_ENTRY = join(projectRoot, 'src-main', 'electron', 'preload.ts');
export const PRELOAD_OUTFILE = join(projectRoot, 'dist', 'main', 'electron', 'preload.cjs');

export async function buildPreload(outfile: string = PRELOAD_OUTFILE): Promise<string> {
  await build({
    entryPoints: [PRELOAD_ENTRY],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    // Floors, not the exact versions: Electron 45's Chromium and Node are at least these.
    target: ['chrome140', 'node22'],
    external: ['electron'],
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  return outfile;
}

if (import.meta.main) {
  const outfile = await buildPreload(process.argv[2] !== undefined ? resolve(process.argv[2]) : PRELOAD_OUTFILE);
  process.stdout.write(`preload bundled into ${outfile}\n`);
}
