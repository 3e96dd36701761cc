/** The gateway as a real process (`dicom-gateway serve`), started from source on this Node (or from another entry, e.g. the CLI bundle). */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { run, type RunResult } from './dcmtk.ts';
import { gatewayListening, memoryOf } from './processes.ts';
import { makeTempDir } from './temp-dir.ts';

export const CLI_ENTRY = resolve(import.meta.dirname, '../../src-main/cli/main.ts');

/** `serve` flags for a gateway of the tests: loopback only, a port the system chooses, this store. */
export function localServeArgs(storage: string): string[] {
  return ['--host', '127.0.0.1', '--port', '0', '--storage', storage];
}

export interface GatewayProcess {
  host: string;
  port: number;
  storage: string;
  process: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM (drain) by default; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Peak resident set size of the process so far, in bytes (VmHWM). */
  peakRssBytes(): Promise<number>;
}

export async function startGateway(
  opts: { storage?: string; args?: string[]; timeoutMs?: number; entry?: string; nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<GatewayProcess> {
  const storage = opts.storage ?? (await makeTempDir('gateway-'));
  const args = [...(opts.nodeArgs ?? []), opts.entry ?? CLI_ENTRY, 'serve', ...localServeArgs(storage), ...(opts.args ?? [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env });
  const listening = gatewayListening(child, opts.timeoutMs ?? 20_000);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolveExit) =>
    child.on('exit', (code, signal) => {
      exitCode = code ?? (signal ? null : code);
      resolveExit(code);
    }),
  );
  const { host, port } = await listening;
  return {
    host,
    port,
    storage,
    process: child,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (exitCode === undefined) child.kill(signal);
      return exited;
    },
    peakRssBytes: async () => {
      const peak = await memoryOf(child.pid);
      if (peak === undefined) throw new Error(`no VmHWM in /proc/${child.pid}/status: the gateway is gone`);
      return peak;
    },
  };
}

/** Runs a one-shot CLI command (`send`, `echo`, `compare`) from source (or `entry`) and collects its output. */
export function runCli(args: string[], timeoutMs = 120_000, entry = CLI_ENTRY): Promise<RunResult> {
  return run(process.execPath, [entry, ...args], timeoutMs);
}
