/**
 * A small ApiHost for transport tests: the transport is what they test, so the host only has to
 * answer in every way a real one can (a result, a CommandError, an unexpected error, never) and
 * let the test push events.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import type { ApiHost } from '../../../src-main/api/api-host.ts';
import { CommandError } from '../../../src-main/api/command-failure.ts';
import type { GatewayStatus, UiEventName } from '../../../src-main/api/contract.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';

/** What the test host answers to getStatus. */
export const TEST_STATUS: GatewayStatus = {
  aeTitle: 'TESTGW',
  host: '127.0.0.1',
  port: 11112,
  storage: '/data',
  version: '0.0.0',
  listening: true,
  listenError: null,
  storeReadOnly: null,
};

export class TestApiHost implements ApiHost {
  readonly uploadDir: string;
  readonly calls: { command: string; args: unknown }[] = [];
  private readonly listeners = new Set<(event: UiEventName, payload: unknown) => void>();

  readonly allowed: string[] = [];

  constructor(uploadDir: string) {
    this.uploadDir = uploadDir;
  }

  allowPaths(paths: readonly string[]): void {
    this.allowed.push(...paths);
  }

  async dispatch(command: string, args: unknown): Promise<unknown> {
    this.calls.push({ command, args });
    switch (command) {
      case 'getStatus':
        return TEST_STATUS;
      case 'listStudies':
        return [{ studyInstanceUid: '1.2.3', args }];
      case 'echo':
        throw new CommandError(
          'The PACS did not answer. Check that it is switched on and that its address is right.',
          'connect ECONNREFUSED 127.0.0.1:104',
        );
      case 'digestChain':
        throw new Error('database is locked');
      case 'scanPaths':
        // Never answers: a call still running when the connection drops.
        return new Promise(() => {});
      default:
        throw new CommandError('The app asked the gateway for something it does not know.', `unknown command "${command}"`);
    }
  }

  subscribe(listener: (event: UiEventName, payload: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  emit(event: UiEventName, payload: unknown): void {
    for (const listener of this.listeners) listener(event, payload);
  }
}

/** A built-renderer stand-in: index.html and assets, a secret next to it, and a symlink pointing out. */
export async function makeStaticDir(): Promise<{ root: string; staticDir: string; secret: string }> {
  const root = await makeTempDir('ui-static-');
  const staticDir = join(root, 'renderer');
  await mkdir(join(staticDir, 'assets'), { recursive: true });
  await writeFile(
    join(staticDir, 'index.html'),
    '<!doctype html><title>DICOM Gateway</title><script type="module" src="./assets/app.js"></script>',
  );
  await writeFile(join(staticDir, 'assets', 'app.js'), 'console.log("app");');
  await writeFile(join(staticDir, 'assets', 'style.css'), 'body { color: black; }');
  await writeFile(join(staticDir, 'assets', 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  const secret = join(root, 'secret.txt');
  await writeFile(secret, 'not for the browser');
  await symlink(secret, join(staticDir, 'leak.txt'));
  return { root, staticDir, secret };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** An HTTP request with the path sent exactly as given (fetch and URL would normalize `..` away). */
export function rawRequest(
  port: number,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A WebSocket (Node's global client) that keeps every text message it receives. */
export async function openClient(url: string): Promise<{ socket: WebSocket; messages: unknown[]; closed: Promise<number> }> {
  const socket = new WebSocket(url);
  const messages: unknown[] = [];
  socket.onmessage = (event) => messages.push(JSON.parse(String(event.data)));
  const closed = new Promise<number>((resolve) => (socket.onclose = (event) => resolve(event.code)));
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = () => reject(new Error(`WebSocket to ${url} failed to open`));
  });
  return { socket, messages, closed };
}
