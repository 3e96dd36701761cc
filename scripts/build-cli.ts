/**
 * Bundles the headless CLI (`dicom-gateway`, bin/dicom-gateway.js) into dist/cli: its entry, the
 * worker threads it starts, and the chunks its commands load on demand.
 *
 * Why a bundle: started from tsc's output the CLI resolves, reads and compiles about 140 modules
 * (95 of them zod's) before it does anything, which costs `echo` and `serve` tens of milliseconds
 * and serve about 12 MB of idle RSS (docs/benchmarks.md, "Start-up and footprint"). Bundled, each
 * command compiles one or two files. Code splitting keeps each command's modules out of the
 * others' start: `echo` never loads the index, `serve` loads the transcoder only to transcode.
 *
 * The Electron app keeps tsc's dist/main (its packaging checks walk that module graph).
 *
 *   node scripts/build-cli.ts [OUTDIR]    (default dist/cli)
 */
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_OUTDIR = join(projectRoot, 'dist', 'cli');

/**
 * Dependencies stay in node_modules, except zod: serve and send parse their values with zod at start
 * (echo checks its few with the plain rules the schemas are built on), while the others are loaded
 * only by the code that needs them (dcmjs through createRequire, the
 * codecs with their wasm files, ws for --ui-port, yaml for --config).
 */
function externalPackages(): string[] {
  const manifest = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  return Object.keys(manifest.dependencies).filter((name) => name !== 'zod');
}

/**
 * zod's namespace object re-exports all of its 64 message locales (half of its code: 370 KB that
 * every command would compile at start). The gateway never switches zod's language: the messages
 * people read are its own (api/schemas/value-messages.ts), and zod's English default is imported
 * by zod directly. So the locales index keeps English only.
 */
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)
        ? { path: join(dirname(args.importer), args.path), namespace: 'zod-locales' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

export async function buildCli(outdir: string = CLI_OUTDIR): Promise<string> {
  // Chunk names change with their content: chunks of an earlier build would stay beside the new ones.
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: [
      join(projectRoot, 'src-main', 'cli', 'main.ts'),
      join(projectRoot, 'src-main', 'routing', 'forward-worker.ts'),
      join(projectRoot, 'src-main', 'store', 'filing-worker.ts'),
      join(projectRoot, 'src-main', 'imaging', 'preview-worker.ts'),
      join(projectRoot, 'src-main', 'dicom', 'sendable-files-worker.ts'),
    ],
    outdir,
    // One folder: each worker is found next to the module that starts it (forward-sender.ts, filing-thread.ts, preview-thread.ts, sendable-files.ts).
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    external: externalPackages(),
    plugins: [zodEnglishOnly],
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  return outdir;
}

if (import.meta.main) {
  const outdir = await buildCli(process.argv[2] !== undefined ? resolve(process.argv[2]) : CLI_OUTDIR);
  process.stdout.write(`CLI bundled into ${outdir}\n`);
}
