/** Real DCMTK peers for integration tests (storescp +B as the reference receiver, storescu, echoscu). */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { collect, exitOf } from './processes.ts';
import { waitFor } from './wait.ts';
import { makeTempDir } from './temp-dir.ts';

/** DCMTK leaves Nagle on unless told; with it on, DCMTK peers run about 20x slower. */
export const DCMTK_ENV = { ...process.env, TCP_NODELAY: '1' };

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export async function run(command: string, args: string[], timeoutMs = 120_000): Promise<RunResult> {
  const child = spawn(command, args, { env: DCMTK_ENV });
  const output = collect(child);
  const code = await exitOf(child, `${command} ${args.join(' ')}`, timeoutMs);
  return { code, ...(await output) };
}

/** `run` for a step a test builds on (dcmconv, dcmodify...): a failure throws with the command and its stderr. */
export async function runOrThrow(command: string, args: string[]): Promise<void> {
  const result = await run(command, args);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
}

/** A port the OS chose for us; DCMTK cannot listen on port 0 itself. */
export async function osChosenPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port from the OS');
  return address.port;
}

export function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface StoreScp {
  port: number;
  aeTitle: string;
  outputDir: string;
  process: ChildProcess;
  /** Everything storescp printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts DCMTK `storescp +B` (bit-preserving: writes the dataset exactly as read) in its own folder.
 * `extraArgs` e.g. ['-pm'] for promiscuous mode, ['+xi'] to accept implicit VR only.
 */
export async function startStoreScp(
  opts: { aeTitle?: string; extraArgs?: string[]; outputDir?: string; port?: number } = {},
): Promise<StoreScp> {
  const aeTitle = opts.aeTitle ?? 'STORESCP';
  const outputDir = opts.outputDir ?? (await makeTempDir('storescp-'));
  const port = opts.port ?? (await osChosenPort());
  const args = ['+B', '-aet', aeTitle, '-od', outputDir, '--accept-all', ...(opts.extraArgs ?? []), String(port)];
  const child = spawn('storescp', args, { env: DCMTK_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let exited = false;
  child.on('exit', () => (exited = true));
  await waitFor(`storescp listening on ${port}`, async () => {
    if (exited) throw new Error(`storescp exited early: ${output}`);
    return canConnect(port);
  });
  return {
    port,
    aeTitle,
    outputDir,
    process: child,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** The DIMSE status of every C-STORE-RSP in `storescu -d` output, in order, as lower-case hex ("0x0000"). */
export function storeResponseStatuses(debugOutput: string): string[] {
  return [...debugOutput.matchAll(/DIMSE Status\s*:\s*(0x[0-9a-f]{4})/gi)].map((m) => m[1]!.toLowerCase());
}

/** DCMTK storescu; `-xs`-style syntax flags are left to the caller. */
export function storescu(port: number, files: string[], opts: { calledAe?: string; callingAe?: string; extraArgs?: string[] } = {}) {
  return run('storescu', [
    '-aet',
    opts.callingAe ?? 'STORESCU',
    '-aec',
    opts.calledAe ?? 'GATEWAY',
    ...(opts.extraArgs ?? []),
    '127.0.0.1',
    String(port),
    ...files,
  ]);
}

export function echoscu(port: number, opts: { calledAe?: string; callingAe?: string } = {}) {
  return run('echoscu', ['-aet', opts.callingAe ?? 'ECHOSCU', '-aec', opts.calledAe ?? 'GATEWAY', '127.0.0.1', String(port)]);
}

/**
 * A DCMTK tool whose output (stdout and stderr together) is read as it comes: `onLine` gets each
 * complete line, `log()` all of it so far.
 */
export function spawnFollowingLines(command: string, args: string[], onLine: (line: string) => void) {
  const child = spawn(command, args, { env: DCMTK_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  // Each stream keeps its own unfinished line: one shared between them glued the start of a line
  // on one to the next chunk of the other (a "Sending file:" path with storescu's XMIT progress
  // glued on, seen in CI).
  const follow = (stream: NodeJS.ReadableStream) => {
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) onLine(line);
    });
  };
  follow(child.stdout);
  follow(child.stderr);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exited, log: () => log };
}

/**
 * storescu -v run whose log is followed live: "Sending file: X" then "Received Store Response (Success)"
 * means X was acknowledged.
 */
export function followStorescu(port: number, files: string[]) {
  const acknowledged = new Set<string>();
  let current: string | undefined;
  const run = spawnFollowingLines(
    'storescu',
    ['-v', '-aet', 'STORESCU', '-aec', 'GATEWAY', '127.0.0.1', String(port), ...files],
    (line) => {
      const sending = /Sending file: (.+)$/.exec(line);
      if (sending) current = sending[1]!.trim();
      else if (/Received Store Response \(Success\)/.test(line) && current !== undefined) {
        acknowledged.add(current);
        current = undefined;
      }
    },
  );
  return { ...run, acknowledged };
}
