/**
 * The browser-side GatewayBridge (src-renderer/src/transport/ws-bridge.ts) against the real UI
 * server, with Node's own WebSocket, fetch and File standing in for the browser's.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startUiServer, type UiServer } from '../../../src-main/api/ws-server.ts';
import { CommandError } from '../../../src-main/api/command-failure.ts';
import {
  connectBrowserBridge,
  createBrowserBridge,
  LOST_CONNECTION,
  NO_CONNECTION,
  TOKEN_REJECTED,
  type BrowserBridge,
  type ConnectionState,
} from '../../../src-renderer/src/transport/ws-bridge.ts';
import { osChosenPort } from '../../helpers/dcmtk.ts';
import { waitFor } from '../../helpers/wait.ts';
import { makeStaticDir, TestApiHost } from './ui-test-host.ts';
import { removeDir } from '../../helpers/temp-dir.ts';

let fixture: Awaited<ReturnType<typeof makeStaticDir>>;
let host: TestApiHost;
let server: UiServer;
let bridge: BrowserBridge | undefined;

const originOf = (s: UiServer) => `http://127.0.0.1:${s.port}`;

beforeAll(async () => {
  fixture = await makeStaticDir();
});

afterAll(async () => {
  await removeDir(fixture.root);
});

beforeEach(async () => {
  host = new TestApiHost(join(fixture.root, 'uploads'));
  server = await startUiServer({ host, port: 0, staticDir: fixture.staticDir, uploadLimitBytes: 1024 * 1024 });
});

afterEach(async () => {
  bridge?.close();
  bridge = undefined;
  await server.close();
  await removeDir(host.uploadDir);
});

function open(opts: Partial<Parameters<typeof createBrowserBridge>[0]> = {}): BrowserBridge {
  bridge = createBrowserBridge({ origin: originOf(server), token: server.token, reconnectDelayMs: 20, maxReconnectDelayMs: 100, ...opts });
  return bridge;
}

async function failureOf(promise: Promise<unknown>): Promise<CommandError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CommandError);
  return err as CommandError;
}

describe('commands', () => {
  it('answers calls made before the socket opens, once it opens', async () => {
    const b = open();
    expect(b.state).toBe('connecting');
    const [status, studies] = await Promise.all([b.invoke('getStatus'), b.invoke('listStudies', { limit: 3 })]);
    expect(status.aeTitle).toBe('TESTGW');
    expect(studies).toEqual([{ studyInstanceUid: '1.2.3', args: { limit: 3 } }]);
    expect(b.state).toBe('open');
  });

  it('rejects a failed command with the message and the detail the gateway gave', async () => {
    const b = open();
    const failure = await failureOf(b.invoke('echo', { target: { destination: 'PACS' } }));
    expect(failure.message).toBe('The PACS did not answer. Check that it is switched on and that its address is right.');
    expect(failure.detail).toBe('connect ECONNREFUSED 127.0.0.1:104');
  });

  it('fails a call with "Cannot reach the gateway." when no connection comes in time', async () => {
    const nothingThere = await osChosenPort();
    const b = open({ origin: `http://127.0.0.1:${nothingThere}`, queuedCallTimeoutMs: 300 });
    const failure = await failureOf(b.invoke('getStatus'));
    expect(failure.message).toBe(NO_CONNECTION);
    expect(failure.detail).toContain(`ws://127.0.0.1:${nothingThere}/api`);
    expect(failure.detail).not.toContain(server.token);
  });

  it("refuses an argument Electron's contextBridge could not copy (a Proxy, as Svelte $state is), as the desktop app would", async () => {
    const b = open();
    const failure = await failureOf(b.invoke('listStudies', new Proxy({ limit: 3 }, {})));
    expect(failure.message).toBe('The app could not send that request to the gateway.');
    expect(failure.detail).toMatch(/^listStudies: .*could not be cloned/);
    await expect(b.invoke('listStudies', { limit: 3 })).resolves.toEqual(expect.any(Array));
  });

  it('refuses every call, saying why, when the page address has no token', async () => {
    const b = open({ token: '' });
    const failure = await failureOf(b.invoke('getStatus'));
    expect(failure.message).toBe('This page was opened without its access key.');
    expect(failure.detail).toContain('?token=');
  });
});

describe('a refused access key', () => {
  it('closes for good and says the key was changed and what to do, instead of reconnecting forever', async () => {
    const b = open({ token: 'x'.repeat(32) });
    const states: ConnectionState[] = [];
    b.onConnectionChange((s) => states.push(s));
    const failed = failureOf(b.invoke('getStatus'));
    await waitFor('the bridge to give up', () => b.state === 'closed', 5000);
    expect(b.closedReason).toBe(TOKEN_REJECTED);
    expect(TOKEN_REJECTED).toMatch(/access key.*rotate-ui-token.*Open the address/);
    expect((await failed).message).toBe(TOKEN_REJECTED);
    expect(states.at(-1)).toBe('closed');
  });
});

describe('events', () => {
  it('delivers events to the listeners of that event until they unsubscribe', async () => {
    const b = open();
    const stored: unknown[] = [];
    const failed: unknown[] = [];
    const off = b.on('instance-stored', (payload) => stored.push(payload));
    b.on('instance-failed', (payload) => failed.push(payload));
    await b.invoke('getStatus');
    host.emit('instance-stored', { sopInstanceUid: '1.2' });
    host.emit('instance-failed', { sopInstanceUid: '1.3' });
    await waitFor('both events', () => stored.length === 1 && failed.length === 1);
    expect(stored).toEqual([{ sopInstanceUid: '1.2' }]);
    off();
    host.emit('instance-stored', { sopInstanceUid: '1.4' });
    host.emit('instance-failed', { sopInstanceUid: '1.5' });
    await waitFor('the second failed event', () => failed.length === 2);
    expect(stored).toEqual([{ sopInstanceUid: '1.2' }]);
  });

  it('keeps delivering to the other listeners when one throws', async () => {
    const b = open();
    const heard: unknown[] = [];
    const originalError = console.error;
    console.error = () => {};
    try {
      b.on('job-updated', () => {
        throw new Error('broken view');
      });
      b.on('job-updated', (payload) => heard.push(payload));
      await b.invoke('getStatus');
      host.emit('job-updated', { jobId: 1 });
      await waitFor('the event at the second listener', () => heard.length === 1);
    } finally {
      console.error = originalError;
    }
  });
});

describe('a dropped connection', () => {
  it('fails calls in flight with "Lost connection to the gateway.", reconnects with the same token, and works again', async () => {
    const b = open();
    await b.invoke('getStatus');
    const states: ConnectionState[] = [];
    b.onConnectionChange((s) => states.push(s));
    const inFlight = failureOf(b.invoke('scanPaths', { paths: ['/never/answered'] }));
    await waitFor('the call to reach the host', () => host.calls.some((c) => c.command === 'scanPaths'));
    const { port, token } = server;
    await server.close();
    const failure = await inFlight;
    expect(failure.message).toBe(LOST_CONNECTION);
    expect(failure.detail).toMatch(/^scanPaths: the connection to ws:\/\/127\.0\.0\.1:\d+\/api closed/);
    expect(b.state).toBe('reconnecting');
    // A call made while disconnected waits for the connection instead of failing.
    const queued = b.invoke('getStatus');
    server = await startUiServer({ host, port, token, staticDir: fixture.staticDir });
    expect((await queued).aeTitle).toBe('TESTGW');
    expect(b.state).toBe('open');
    expect(states).toEqual(['reconnecting', 'open']);
    const events: unknown[] = [];
    b.on('send-finished', (p) => events.push(p));
    host.emit('send-finished', { sendId: 1, sent: 2, failed: 0, cancelled: false });
    await waitFor('an event after reconnecting', () => events.length === 1);
  });

  it('after close() fails pending calls and refuses new ones', async () => {
    const b = open();
    await b.invoke('getStatus');
    const inFlight = failureOf(b.invoke('scanPaths', { paths: [] }));
    await waitFor('the call to reach the host', () => host.calls.some((c) => c.command === 'scanPaths'));
    b.close();
    expect((await inFlight).message).toBe(LOST_CONNECTION);
    expect((await failureOf(b.invoke('getStatus'))).message).toBe(LOST_CONNECTION);
    expect(b.state).toBe('closed');
  });
});

describe('dropped files', () => {
  it("uploads each File and returns the paths, whose bytes are the files' bytes", async () => {
    const b = open();
    const contents = [randomBytes(200_000), randomBytes(10)];
    const files = [new File([contents[0]!], 'IM0001.dcm'), new File([contents[1]!], 'IM0002.dcm')];
    const paths = await b.pathsForDroppedFiles(files);
    expect(paths.map((p) => basename(p))).toEqual(['IM0001.dcm', 'IM0002.dcm']);
    for (const [i, path] of paths.entries()) {
      expect(path.startsWith(host.uploadDir)).toBe(true);
      expect((await readFile(path)).equals(contents[i]!)).toBe(true);
    }
  });

  it("rejects with the gateway's words when an upload is refused", async () => {
    const b = open();
    const failure = await failureOf(b.pathsForDroppedFiles([new File([randomBytes(1024 * 1024 + 1)], 'huge.dcm')]));
    expect(failure.message).toBe('huge.dcm is too large to upload to the gateway.');
    expect(failure.detail).toBe('upload limit is 1048576 bytes');
  });
});

describe('connectBrowserBridge', () => {
  it('takes the origin and the token from the page address', async () => {
    const url = new URL(server.url);
    const scope = globalThis as { location?: unknown };
    scope.location = { origin: url.origin, search: url.search };
    try {
      bridge = connectBrowserBridge();
      expect((await bridge.invoke('getStatus')).aeTitle).toBe('TESTGW');
    } finally {
      delete scope.location;
    }
  });
});
