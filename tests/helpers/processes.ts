/**
 * Child processes as tests and benchmarks watch them: output collected, exit awaited with a
 * deadline, memory read from /proc, and the gateway's "listening" line awaited. Shared by tests/
 * and bench/ so both start and judge a process the same way.
 */
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export function collect(child: ChildProcess): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', () => resolve({ stdout, stderr })));
}

/** The exit code; rejects (killing the child) when it has not exited after `timeoutMs`, or could not start. */
export function exitOf(child: ChildProcess, what: string, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${what}: ${error.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/**
 * A memory figure of a running process from /proc/<pid>/status, in bytes: VmHWM is the peak
 * resident set so far, VmRSS the resident set now. Undefined once the process has left.
 */
export async function memoryOf(pid: number | undefined, field: 'VmHWM' | 'VmRSS' = 'VmHWM'): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return kb ? Number(kb[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The address `dicom-gateway serve` prints once it listens. Rejects, with everything the process
 * printed, if it exits or fails to start first, or prints no such line within `timeoutMs`.
 * Call it right after spawn so that none of the output is missed.
 */
export function gatewayListening(
  child: ChildProcess,
  timeoutMs: number,
  opts: { tls?: boolean; name?: string } = {},
): Promise<{ host: string; port: number; tlsPort: number | undefined }> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let printed = '';
    const onStdout = (d: Buffer) => {
      stdout += d.toString();
      printed += d.toString();
      const match = /DICOM listening on (\S+):(\d+)/.exec(stdout);
      const tls = /DICOM TLS listening on \S+:(\d+)/.exec(stdout);
      if (!match || (opts.tls && !tls)) return;
      detach();
      resolve({ host: match[1]!, port: Number(match[2]), tlsPort: tls ? Number(tls[1]) : undefined });
    };
    const onStderr = (d: Buffer) => (printed += d.toString());
    const onExit = (code: number | null) => fail(`exited with ${code} before listening`);
    const onError = (error: Error) => fail(`could not start: ${error.message}`);
    const timer = setTimeout(() => fail(`printed no listening line within ${timeoutMs} ms`), timeoutMs);
    function detach() {
      clearTimeout(timer);
      child.stdout?.off('data', onStdout);
      child.stderr?.off('data', onStderr);
      child.off('exit', onExit);
      child.off('error', onError);
    }
    function fail(why: string) {
      detach();
      reject(new Error(`${opts.name ?? 'dicom-gateway serve'} ${why}:\n${printed}`));
    }
    child.stdout?.on('data', onStdout);
    child.stderr?.on('data', onStderr);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}
