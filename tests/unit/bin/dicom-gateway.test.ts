/** The CLI's entry: it refuses an older Node in words before loading the engine, and starts serve with the heap sizes it needs. */
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { shebangNodeFlags } from '../../../bench/processes.ts';
import { THREAD_POOL_SIZE } from '../../../src-main/runtime/thread-pool.ts';
import { startGateway } from '../../helpers/gateway-process.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { cleanUpAfterEachTest } from '../../helpers/test-cleanup.ts';

const BIN = new URL('../../../bin/dicom-gateway.js', import.meta.url).pathname;
const SYSTEM_NODE = '/usr/bin/node';
const SERVE_HEAP = '--initial-old-space-size=32';

function systemNodeMajor(): number | undefined {
  if (!existsSync(SYSTEM_NODE)) return undefined;
  return Number(execFileSync(SYSTEM_NODE, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).trim());
}

const olderNode = (systemNodeMajor() ?? 24) < 24;

describe('bin/dicom-gateway.js', () => {
  const cleanup = cleanUpAfterEachTest();

  it.skipIf(!olderNode)('on a Node older than 24 exits 2 saying which Node it needs and how to run it, without a stack trace', () => {
    const run = spawnSync(SYSTEM_NODE, [BIN, 'serve', '--port', '0'], { encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^dicom-gateway: needs Node\.js 24 or later \(for node:sqlite\); this is Node 2\d\./);
    expect(run.stderr).toContain('npx dicom-gateway');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('package.json asks npm for the Node that runs npm ci (20), not the Node the engine needs', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe('>=20');
  });

  it('run as a program (npx, npm run serve) starts Node with the young generation its #! line sets, the flags the bench uses too', () => {
    // Percent-encoded: NODE_OPTIONS takes quotes as its own.
    const printExecArgv = `data:text/javascript,${encodeURIComponent('process.on("exit",()=>process.stderr.write("execArgv="+JSON.stringify(process.execArgv)))')}`;
    const run = spawnSync(BIN, ['--help'], {
      encoding: 'utf8',
      timeout: 30_000,
      // `env node` finds this Node first, as npx and npm run put node_modules/.bin first.
      env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}`, NODE_OPTIONS: `--import ${printExecArgv}` },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^usage:/);
    const execArgv = JSON.parse(/execArgv=(.*)/.exec(run.stderr)![1]!) as string[];
    expect(execArgv).toContain('--max-semi-space-size=1');
    // The old space's initial size is serve's alone: under it Node refuses its built-in code cache, a slower start.
    expect(execArgv).not.toContain(SERVE_HEAP);
    expect(shebangNodeFlags(BIN)).toEqual(['--max-semi-space-size=1']);
  });

  it("serve starts itself again, in the same process, with a 32 MB initial old space beside the #! line's young generation", async () => {
    const storage = cleanup.removeAfter(await makeTempDir('bin-serve-'));
    const gateway = cleanup.stopAfter(await startGateway({ storage, entry: BIN, nodeArgs: shebangNodeFlags(BIN) }));
    // The command line of the process spawn() started, as it runs now that it listens.
    const commandLine = (await readFile(`/proc/${gateway.process.pid}/cmdline`, 'utf8')).split('\0');
    expect(await gateway.stop()).toBe(0);
    expect(commandLine).toEqual(expect.arrayContaining(['--max-semi-space-size=1', SERVE_HEAP, BIN, 'serve']));
    expect(commandLine.filter((a) => a === SERVE_HEAP)).toHaveLength(1);
  });

  it("serve starts itself again with libuv's pool sized for the filing's fsyncs, and a pool size the user set stands", async () => {
    const poolOf = async (env: NodeJS.ProcessEnv) => {
      const storage = cleanup.removeAfter(await makeTempDir('bin-pool-'));
      const gateway = cleanup.stopAfter(await startGateway({ storage, entry: BIN, nodeArgs: shebangNodeFlags(BIN), env }));
      const environ = (await readFile(`/proc/${gateway.process.pid}/environ`, 'utf8')).split('\0');
      expect(await gateway.stop()).toBe(0);
      return environ.filter((e) => e.startsWith('UV_THREADPOOL_SIZE='));
    };
    const { UV_THREADPOOL_SIZE: _, ...unset } = process.env;
    expect(await poolOf(unset)).toEqual([`UV_THREADPOOL_SIZE=${THREAD_POOL_SIZE}`]);
    expect(await poolOf({ ...unset, UV_THREADPOOL_SIZE: '5' })).toEqual(['UV_THREADPOOL_SIZE=5']);
  });

  it('keeps its compiled code in a cache folder of its own user, so that one user does not lock the others out of it', () => {
    const run = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8', timeout: 30_000 });
    expect(run.status, run.stderr).toBe(0);
    const own = readdirSync(join(tmpdir(), `dicom-gateway-compile-cache-${process.getuid!()}`));
    expect(own.length).toBeGreaterThan(0);
  });
});
