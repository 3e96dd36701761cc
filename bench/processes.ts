/**
 * The processes a benchmark run times: one-shot clients (storescu, `dicom-gateway send`) timed from
 * spawn to exit, and servers (storescp, `dicom-gateway serve`) whose peak RSS is read before they stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { collect, exitOf, gatewayListening, memoryOf } from '../tests/helpers/processes.ts';

/** GNU time reports the child's peak RSS and CPU time from wait4(2); without it they are not reported. */
const GNU_TIME = '/usr/bin/time';
const hasGnuTime = existsSync(GNU_TIME);

export interface TimedRun {
  seconds: number;
  code: number | null;
  stdout: string;
  stderr: string;
  /** Peak RSS of the client, when measurable. */
  peakRssBytes: number | undefined;
  /** User + system CPU seconds of the client, when measurable. */
  cpuSeconds: number | undefined;
}

/**
 * Runs a client to completion. The clock starts just before spawn and stops at the exit event;
 * both sides of a comparison go through the same GNU time wrapper, so its cost cancels out.
 */
export async function timedRun(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<TimedRun> {
  const rssDir = hasGnuTime ? await mkdtemp(join(tmpdir(), 'bench-rss-')) : undefined;
  const rssFile = rssDir && join(rssDir, 'maxrss');
  const [file, argv] = rssFile ? [GNU_TIME, ['-f', '%M %U %S', '-o', rssFile, command, ...args]] : [command, args];
  try {
    const started = performance.now();
    const child = spawn(file, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = collect(child);
    const code = await exitOf(child, `${command} ${args.slice(0, 6).join(' ')}`, timeoutMs);
    const seconds = (performance.now() - started) / 1000;
    const { stdout, stderr } = await output;
    const usage = rssFile ? await readGnuTime(rssFile) : undefined;
    return { seconds, code, stdout, stderr, peakRssBytes: usage?.peakRssBytes, cpuSeconds: usage?.cpuSeconds };
  } finally {
    if (rssDir) await rm(rssDir, { recursive: true, force: true });
  }
}

async function readGnuTime(path: string): Promise<{ peakRssBytes: number; cpuSeconds: number } | undefined> {
  // GNU time prefixes "Command exited with non-zero status N" on failure; the figures are the last line.
  const lines = (await readFile(path, 'utf8')).trim().split('\n');
  const [kb, user, system] = (lines.at(-1) ?? '').split(' ').map(Number);
  if (!(kb! > 0) || !Number.isFinite(user) || !Number.isFinite(system)) return undefined;
  return { peakRssBytes: kb! * 1024, cpuSeconds: user! + system! };
}

export interface GatewayServer {
  port: number;
  /** The DICOM TLS listener's port, when it was started with one. */
  tlsPort: number | undefined;
  process: ChildProcess;
  /** Reads VmHWM, then SIGTERM; rejects unless the gateway drains and exits 0. */
  stop(): Promise<{ peakRssBytes: number | undefined }>;
}

/** `dicom-gateway serve` on 127.0.0.1 and an OS-chosen port; resolves once it prints its listening line (and its TLS one, with `tls`). */
export async function startGatewayServer(
  cli: GatewayCli,
  storage: string,
  extraArgs: string[] = [],
  opts: { tls?: boolean; timeoutMs?: number } = {},
): Promise<GatewayServer> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const child = spawn(
    process.execPath,
    [...cli.nodeArgs, cli.entry, 'serve', '--host', '127.0.0.1', '--port', '0', '--storage', storage, ...extraArgs],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const listening = gatewayListening(child, timeoutMs, { tls: opts.tls });
  const output = collect(child);
  const exited = exitOf(child, 'dicom-gateway serve', 24 * 3600_000);
  // An exit or a failure to start before listening is reported by gatewayListening, with what the gateway printed.
  exited.catch(() => undefined);
  const { port, tlsPort } = await listening;
  return {
    port,
    tlsPort,
    process: child,
    stop: async () => {
      const peakRssBytes = await memoryOf(child.pid);
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`dicom-gateway serve exited with ${code} after SIGTERM:\n${(await output).stderr.slice(-4000)}`);
      return { peakRssBytes };
    },
  };
}

export interface BareScp {
  port: number;
  pid: number | undefined;
  /** SIGTERM; resolves with how many instances it received, once it has exited 0. */
  stop(): Promise<{ instances: number; peakRssBytes: number | undefined }>;
}

/** bench/bare-durable-scp.ts, writing its ring file into `dir`; resolves once it listens. */
export async function startBareDurableScp(dir: string): Promise<BareScp> {
  const name = 'bare-durable-scp';
  const child = spawn(process.execPath, [join(import.meta.dirname, 'bare-durable-scp.ts'), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = collect(child);
  const exited = exitOf(child, name, 24 * 3600_000);
  exited.catch(() => undefined);
  const { port } = await gatewayListening(child, 30_000, { name });
  return {
    port,
    pid: child.pid,
    stop: async () => {
      const peakRssBytes = await memoryOf(child.pid);
      child.kill('SIGTERM');
      const code = await exited;
      const { stdout, stderr } = await output;
      const count = /received (\d+) instances/.exec(stdout);
      if (code !== 0 || !count) throw new Error(`${name} exited with ${code} after SIGTERM:\n${(stdout + stderr).slice(-4000)}`);
      return { instances: Number(count[1]), peakRssBytes };
    },
  };
}

/** The flags `#!/usr/bin/env -S node FLAGS` gives Node when the file is run as a program (none without such a line). */
export function shebangNodeFlags(file: string): string[] {
  const first = readFileSync(file, 'utf8').split('\n', 1)[0]!;
  const words = /^#!\/usr\/bin\/env\s+(?:-S\s+)?node\b(.*)$/.exec(first);
  return words ? words[1]!.trim().split(/\s+/).filter(Boolean) : [];
}

/** How the gateway CLI is started: the built bundle through bin/ when present, the TypeScript source otherwise. */
export interface GatewayCli {
  entry: string;
  nodeArgs: string[];
  built: boolean;
}

export function gatewayCli(projectRoot: string, nodeArgs: string[]): GatewayCli {
  const built = join(projectRoot, 'dist/cli/main.js');
  // What `npx dicom-gateway` runs: bin/ with the Node flags of its #! line, which checks the Node
  // version, keeps the compile cache and loads the bundle.
  const bin = join(projectRoot, 'bin/dicom-gateway.js');
  if (existsSync(built)) return { entry: bin, nodeArgs: [...shebangNodeFlags(bin), ...nodeArgs], built: true };
  const source = join(projectRoot, 'src-main/cli/main.ts');
  if (existsSync(source)) return { entry: source, nodeArgs, built: false };
  throw new Error(`no gateway CLI: neither ${built} (npm run build) nor ${source} exists`);
}
