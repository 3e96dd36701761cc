/**
 * The CLI bundle (scripts/build-cli.ts) that bin/dicom-gateway.js runs: built afresh here, it
 * answers its commands, finds the forward worker it starts beside itself, starts its workers
 * without the schema library, and loads for `echo` only what an echo needs (not even the schema library).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../../scripts/build-cli.ts';
import { run, startStoreScp, storescu, type StoreScp } from '../../helpers/dcmtk.ts';
import { writeP10Files } from '../../helpers/dicom-fixtures.ts';
import { runCli, startGateway, type GatewayProcess } from '../../helpers/gateway-process.ts';
import { expectSameBytes, filesBySopInstance, sopInstanceOf, splitP10 } from '../../helpers/p10-regions.ts';
import { writeRelayConfig } from '../../helpers/relay-setup.ts';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.ts';
import { waitFor } from '../../helpers/wait.ts';

// Inside the project, as dist/cli is: the bundle finds its package (version, UI folder) by walking up.
const outdir = resolve(import.meta.dirname, '../../../dist', `cli-test-${process.pid}`);
const entry = join(outdir, 'main.js');
let work: string;
let scp: StoreScp;
let gateway: GatewayProcess | undefined;

beforeAll(async () => {
  await buildCli(outdir);
  work = await makeTempDir('cli-bundle-');
  scp = await startStoreScp({ outputDir: await mkdtemp(join(work, 'storescp-')) });
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await scp?.stop();
  await removeDir(work);
  await rm(outdir, { recursive: true, force: true });
});

/** The bundle's files a module loads before it runs, with their code: its static imports, followed through the chunks. */
async function staticModuleGraph(dir: string, entry: string): Promise<Map<string, string>> {
  const loaded = new Map<string, string>();
  const pending = [entry];
  for (let file = pending.pop(); file; file = pending.pop()) {
    if (loaded.has(file)) continue;
    const code = await readFile(join(dir, file), 'utf8');
    loaded.set(file, code);
    for (const m of code.matchAll(/^(?:import|export)\b[^;]*?from "\.\/([^"]+)"|^import "\.\/([^"]+)"/gm)) pending.push((m[1] ?? m[2])!);
  }
  return loaded;
}

/** Prints, on exit, the Node built-in modules the process loaded. */
const BUILTINS_ON_EXIT =
  'data:text/javascript,process.on("exit",()=>process.stderr.write("builtins: "+process.moduleLoadList.filter(m=>m.startsWith("NativeModule ")).map(m=>m.slice(13)).join(" ")+"\\n"))';

describe('the CLI bundle', () => {
  it('is one entry and its workers beside their chunks, with zod inside (English messages only) and the other packages left to node_modules', async () => {
    const files = await readdir(outdir);
    const entries = ['main.js', 'forward-worker.js', 'filing-worker.js', 'preview-worker.js', 'sendable-files-worker.js'];
    for (const entry of entries) expect(files).toContain(entry);
    expect(files.filter((f) => !entries.includes(f)).every((f) => /^chunk-\w+\.js$/.test(f))).toBe(true);
    const code = (await Promise.all(files.map((f) => readFile(join(outdir, f), 'utf8')))).join('\n');
    expect(code).not.toMatch(/from "zod"/);
    expect(code).toContain('createRequire(import.meta.url)("dcmjs")');
    expect(code).toContain('// node_modules/zod/v4/locales/en.js');
    expect(code).not.toMatch(/\/\/ node_modules\/zod\/v4\/locales\/(?!en\.js)/);
  });

  it('starts its worker threads without zod, which only the main thread (config, flags) needs: each thread that loads it compiles it again', async () => {
    for (const worker of ['forward-worker.js', 'filing-worker.js', 'preview-worker.js', 'sendable-files-worker.js']) {
      const loaded = await staticModuleGraph(outdir, worker);
      const withZod = [...loaded].filter(([, code]) => code.includes('// node_modules/zod/')).map(([file]) => file);
      expect(withZod, `${worker} loads zod through ${withZod.join(', ')}`).toEqual([]);
    }
  });

  it("loads for echo no zod: its AE@HOST:PORT is checked by the plain rules zod's schemas are built on (50 ms of its start)", async () => {
    const main = await readFile(entry, 'utf8');
    const echoChunk = /echo: \{ load: async \(\) => \(await import\("\.\/([^"]+)"\)\)/.exec(main)?.[1];
    expect(echoChunk, 'main.js loads the echo command on demand').toBeDefined();
    const loaded = new Map([...(await staticModuleGraph(outdir, 'main.js')), ...(await staticModuleGraph(outdir, echoChunk!))]);
    const withZod = [...loaded].filter(([, code]) => code.includes('// node_modules/zod/')).map(([file]) => file);
    expect(withZod, `echo loads zod through ${withZod.join(', ')}`).toEqual([]);
  });

  it('answers a real storescp to echo, without loading TLS, the transcoder, the index or the digest', async () => {
    const echo = await run(process.execPath, ['--import', BUILTINS_ON_EXIT, entry, 'echo', `${scp.aeTitle}@127.0.0.1:${scp.port}`]);
    expect(echo.code, echo.stderr).toBe(0);
    expect(echo.stdout).toMatch(/0x0000 Success/);
    const builtins = /builtins: (.*)/.exec(echo.stderr)![1]!.split(' ');
    expect(builtins).toContain('net');
    for (const unneeded of ['tls', 'sqlite', 'zlib', 'crypto', 'perf_hooks'])
      expect(builtins, `echo loaded node:${unneeded}`).not.toContain(unneeded);
  });

  it('relays what storescu sends to a storescp through its forward worker, byte for byte, without loading TLS', async () => {
    const config = await writeRelayConfig(work, [{ name: 'pacs', peer: scp }]);
    gateway = await startGateway({
      entry,
      nodeArgs: ['--import', BUILTINS_ON_EXIT],
      storage: join(work, 'store'),
      args: ['--config', config],
    });
    const paths = await writeP10Files(join(work, 'sent'), 3, (i) => ({ seed: 900 + i }));
    const sent = await storescu(gateway.port, paths, { calledAe: 'GATEWAY' });
    expect(sent.code, sent.stderr).toBe(0);
    // Sent means storescp answered each C-STORE, so its file is whole by then.
    await waitFor('3 jobs sent', () => (gateway!.output().match(/job\.sent/g) ?? []).length === 3);
    const landed = await filesBySopInstance(scp.outputDir);
    expect(landed.size).toBe(3);
    for (const path of paths) {
      const original = await readFile(path);
      expectSameBytes(splitP10(landed.get(sopInstanceOf(original)!)!).dataset, splitP10(original).dataset, path);
    }
    expect(await gateway.stop()).toBe(0);
    expect(gateway.output()).not.toMatch(/ERROR/);
    // One line per thread: the main thread's (with the index) and the forward worker's.
    const threads = [...gateway.output().matchAll(/builtins: (.*)/g)].map((m) => m[1]!.split(' '));
    expect(threads.some((builtins) => builtins.includes('sqlite'))).toBe(true);
    for (const builtins of threads) expect(builtins, 'serve without a TLS listener or destination loaded node:tls').not.toContain('tls');
  });

  it('prints its usage for --help', async () => {
    const help = await runCli(['--help'], 30_000, entry);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/dicom-gateway serve/);
  });
});
