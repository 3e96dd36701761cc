/**
 * The browser UI server over real sockets: Node's WebSocket and fetch as the page, raw HTTP where a
 * browser would normalize the request. The ApiHost is a small double; the transport is under test.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WsClient from 'ws';
import { startUiServer, type UiServer } from '../../../src-main/api/ws-server.ts';
import type { Logger } from '../../../src-main/log/logger.ts';
import { canConnect } from '../../helpers/dcmtk.ts';
import { waitFor } from '../../helpers/wait.ts';
import { makeStaticDir, openClient, rawRequest, TEST_STATUS, TestApiHost } from './ui-test-host.ts';
import { removeDir } from '../../helpers/temp-dir.ts';

let fixture: Awaited<ReturnType<typeof makeStaticDir>>;
let host: TestApiHost;
let server: UiServer;
let warnings: string[];

const logger: Logger = { debug() {}, info() {}, warn: (event) => warnings.push(event), error: (event) => warnings.push(event) };
const origin = () => `http://127.0.0.1:${server.port}`;
const wsUrl = (token = server.token) => `ws://127.0.0.1:${server.port}/api?token=${encodeURIComponent(token)}`;

beforeAll(async () => {
  fixture = await makeStaticDir();
});

afterAll(async () => {
  await removeDir(fixture.root);
});

beforeEach(async () => {
  warnings = [];
  host = new TestApiHost(join(fixture.root, 'uploads'));
  server = await startUiServer({ host, port: 0, staticDir: fixture.staticDir, logger, uploadLimitBytes: 1024 * 1024 });
});

afterEach(async () => {
  await server.close();
  await removeDir(host.uploadDir);
});

/** Why a WebSocket handshake was refused: the HTTP status, via the `ws` client (Node's global one hides it). */
function handshakeStatus(url: string, headers: { origin?: string; host?: string } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WsClient(url, { origin: headers.origin, headers: headers.host ? { host: headers.host } : {} });
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

describe('the access token', () => {
  it('is random, URL-safe, and part of the printed address', async () => {
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    const other = await startUiServer({ host, port: 0, staticDir: fixture.staticDir });
    await other.close();
    expect(other.token).not.toBe(server.token);
  });

  it('refuses the page without the token or with a wrong one (403), and serves it with the right one', async () => {
    expect((await rawRequest(server.port, '/')).status).toBe(403);
    expect((await rawRequest(server.port, '/?token=wrong')).status).toBe(403);
    expect((await rawRequest(server.port, `/?token=${server.token}x`)).status).toBe(403);
    expect((await rawRequest(server.port, '/assets/app.js')).status).toBe(403);
    expect((await rawRequest(server.port, `/?token=${server.token}`)).status).toBe(200);
  });

  it('refuses the WebSocket without the token or with a wrong one (403)', async () => {
    expect(await handshakeStatus(`ws://127.0.0.1:${server.port}/api`)).toBe(403);
    expect(await handshakeStatus(wsUrl('wrong-token-of-some-length'))).toBe(403);
    expect(await handshakeStatus(wsUrl())).toBe(101);
  });

  it('refuses uploads without the token or with a wrong one (403), writing nothing', async () => {
    for (const query of ['?name=a.dcm', '?token=wrong&name=a.dcm']) {
      const response = await fetch(`${origin()}/upload${query}`, { method: 'POST', body: Buffer.from('DICM') });
      expect(response.status).toBe(403);
    }
    await expect(readdir(host.uploadDir)).rejects.toThrow(/ENOENT/);
    // The page's cookie lets assets load, but never an upload.
    const page = await rawRequest(server.port, `/?token=${server.token}`);
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    const withCookie = await rawRequest(server.port, '/upload?name=a.dcm', {
      method: 'POST',
      headers: { Cookie: cookie },
      body: Buffer.from('x'),
    });
    expect(withCookie.status).toBe(403);
  });

  it('lets the assets of a page opened with the token load through the cookie that page set', async () => {
    const page = await rawRequest(server.port, `/?token=${server.token}`);
    const setCookie = String(page.headers['set-cookie']);
    expect(setCookie).toMatch(new RegExp(`^dicom-gateway-token-${server.port}=${server.token}; Path=/; HttpOnly; SameSite=Strict`));
    const cookie = setCookie.split(';')[0]!;
    const asset = await rawRequest(server.port, '/assets/app.js', { headers: { Cookie: cookie } });
    expect(asset.status).toBe(200);
    expect(asset.body.toString()).toBe('console.log("app");');
    const wrongCookie = await rawRequest(server.port, '/assets/app.js', { headers: { Cookie: `dicom-gateway-token-${server.port}=nope` } });
    expect(wrongCookie.status).toBe(403);
  });
});

describe('static files', () => {
  it('serves index.html for / with its content type and a Content-Security-Policy for the app', async () => {
    const response = await fetch(server.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toContain('<title>DICOM Gateway</title>');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).toContain("style-src 'self' 'unsafe-inline'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it.each([
    ['/assets/app.js', 'text/javascript; charset=utf-8'],
    ['/assets/style.css', 'text/css; charset=utf-8'],
    ['/assets/logo.svg', 'image/svg+xml'],
    ['/index.html', 'text/html; charset=utf-8'],
  ])('serves %s as %s', async (path, type) => {
    const response = await fetch(`${origin()}${path}?token=${server.token}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(type);
    expect(Buffer.from(await response.arrayBuffer()).equals(await readFile(join(fixture.staticDir, path)))).toBe(true);
  });

  it.each([
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/..%5csecret.txt',
    '//etc/passwd',
    '/%2fetc%2fpasswd',
    '/leak.txt',
    '/assets',
    '/%00index.html',
    '/%E0%A4%A',
  ])('refuses %s, which leaves the static folder or is no file in it, with 404', async (path) => {
    const response = await rawRequest(server.port, `${path}${path.includes('?') ? '&' : '?'}token=${server.token}`);
    expect(response.status).toBe(404);
    expect(response.body.toString()).not.toContain('not for the browser');
  });

  it('answers 404 for a file that does not exist', async () => {
    expect((await fetch(`${origin()}/nothing.js?token=${server.token}`)).status).toBe(404);
  });
});

describe('commands over the WebSocket', () => {
  it('answers a command with {id, result}, passing its args to the host', async () => {
    const client = await openClient(wsUrl());
    client.socket.send(JSON.stringify({ id: 1, command: 'getStatus' }));
    client.socket.send(JSON.stringify({ id: 2, command: 'listStudies', args: { limit: 5 } }));
    await waitFor('two answers', () => client.messages.length === 2);
    expect(client.messages).toContainEqual({ id: 1, result: TEST_STATUS });
    expect(client.messages).toContainEqual({ id: 2, result: [{ studyInstanceUid: '1.2.3', args: { limit: 5 } }] });
    expect(host.calls).toEqual([
      { command: 'getStatus', args: undefined },
      { command: 'listStudies', args: { limit: 5 } },
    ]);
    client.socket.close();
  });

  it('answers a CommandError with its own message and detail', async () => {
    const client = await openClient(wsUrl());
    client.socket.send(JSON.stringify({ id: 7, command: 'echo', args: { target: { destination: 'PACS' } } }));
    await waitFor('the answer', () => client.messages.length === 1);
    expect(client.messages[0]).toEqual({
      id: 7,
      error: {
        message: 'The PACS did not answer. Check that it is switched on and that its address is right.',
        detail: 'connect ECONNREFUSED 127.0.0.1:104',
      },
    });
    client.socket.close();
  });

  it('answers any other error with the generic sentence and the error message as detail', async () => {
    const client = await openClient(wsUrl());
    client.socket.send(JSON.stringify({ id: 8, command: 'digestChain', args: { instanceId: 1 } }));
    await waitFor('the answer', () => client.messages.length === 1);
    expect(client.messages[0]).toEqual({ id: 8, error: { message: 'Something went wrong in the gateway.', detail: 'database is locked' } });
    client.socket.close();
  });

  it('closes a socket that sends something other than a request (1007), and keeps serving others', async () => {
    const bad = await openClient(wsUrl());
    bad.socket.send('this is not JSON');
    expect(await bad.closed).toBe(1007);
    const good = await openClient(wsUrl());
    good.socket.send(JSON.stringify({ id: 1, command: 'getStatus' }));
    await waitFor('the answer', () => good.messages.length === 1);
    good.socket.close();
  });

  it('refuses a WebSocket path other than /api', async () => {
    expect(await handshakeStatus(`ws://127.0.0.1:${server.port}/other?token=${server.token}`)).toBe(404);
  });
});

describe('events', () => {
  it('pushes every event as {event, payload} to every connected page, in order', async () => {
    const a = await openClient(wsUrl());
    const b = await openClient(wsUrl());
    host.emit('instance-stored', { sopInstanceUid: '1.2.3.4', bytes: 1234 });
    host.emit('association-closed', { associationId: 9, result: 'released' });
    const expected = [
      { event: 'instance-stored', payload: { sopInstanceUid: '1.2.3.4', bytes: 1234 } },
      { event: 'association-closed', payload: { associationId: 9, result: 'released' } },
    ];
    await waitFor('both events on both pages', () => a.messages.length === 2 && b.messages.length === 2);
    expect(a.messages).toEqual(expected);
    expect(b.messages).toEqual(expected);
    a.socket.close();
    b.socket.close();
  });

  it('drops a page that stops reading instead of buffering for it, while a page that reads gets everything', async () => {
    await server.close();
    server = await startUiServer({ host, port: 0, staticDir: fixture.staticDir, logger, maxBufferedBytes: 256 * 1024 });
    const reader = await openClient(wsUrl());
    const stalled = await stalledWebSocket(server.port, server.token);
    const chunk = 'x'.repeat(512 * 1024);
    const events = 64;
    for (let i = 0; i < events; i++) {
      host.emit('send-progress', { i, chunk });
      // Paced by the page that reads: it never lags, the stalled one falls further behind each time.
      await waitFor(`event ${i} at the reading page`, () => reader.messages.length === i + 1);
    }
    expect(warnings).toEqual(['ui.client-dropped']);
    const received = await stalled.resumeUntilClosed();
    expect(received).toBeLessThan(events * chunk.length);
    expect(reader.socket.readyState).toBe(WebSocket.OPEN);
    reader.socket.close();
  });
});

/** A WebSocket page that completes the handshake and then stops reading (its TCP window fills up). */
async function stalledWebSocket(port: number, token: string) {
  const socket = connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    `GET /api?token=${token} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  await new Promise<void>((resolve, reject) =>
    socket.once('data', (data: Buffer) => (/^HTTP\/1\.1 101/.test(data.toString()) ? resolve() : reject(new Error(data.toString())))),
  );
  socket.pause();
  return {
    resumeUntilClosed: () =>
      new Promise<number>((resolve) => {
        let bytes = 0;
        socket.on('data', (data: Buffer) => (bytes += data.length));
        socket.on('error', () => {});
        socket.on('close', () => resolve(bytes));
        socket.resume();
      }),
  };
}

describe('uploads', () => {
  it('writes the exact bytes into a fresh folder inside uploadDir and answers {path}', async () => {
    const bytes = randomBytes(300_000);
    const paths: string[] = [];
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${origin()}/upload?token=${server.token}&name=CT%20slice.dcm`, { method: 'POST', body: bytes });
      expect(response.status).toBe(200);
      const { path } = (await response.json()) as { path: string };
      paths.push(path);
      expect(relative(host.uploadDir, path).startsWith('..')).toBe(false);
      expect(basename(path)).toBe('CT slice.dcm');
      expect((await readFile(path)).equals(bytes)).toBe(true);
    }
    // Two uploads of the same name do not overwrite each other.
    expect(dirname(paths[0]!)).not.toBe(dirname(paths[1]!));
  });

  it.each([
    ['../../escape.dcm', 'escape.dcm'],
    ['C:\\Users\\rad\\image.dcm', 'C_/Users/rad/image.dcm'],
    ['series1/IM0001', 'series1/IM0001'],
    ['..', 'upload.dcm'],
    ['', 'upload.dcm'],
    [undefined, 'upload.dcm'],
  ])('stores name %j as %s, inside its own folder in uploadDir', async (name, stored) => {
    const query = name === undefined ? '' : `&name=${encodeURIComponent(name)}`;
    const response = await fetch(`${origin()}/upload?token=${server.token}${query}`, { method: 'POST', body: Buffer.from('DICM') });
    const { path } = (await response.json()) as { path: string };
    const folder = relative(host.uploadDir, path).split(sep)[0]!;
    expect(folder).toMatch(/^upload-/);
    expect(relative(join(host.uploadDir, folder), path).split(sep).join('/')).toBe(stored);
  });

  it('refuses an upload over the size limit with 413 and leaves nothing behind', async () => {
    const response = await fetch(`${origin()}/upload?token=${server.token}&name=big.dcm`, {
      method: 'POST',
      body: randomBytes(1024 * 1024 + 1),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe(
      'big.dcm is too large to upload to the gateway.',
    );
    expect(await readdir(host.uploadDir).catch(() => [])).toEqual([]);
  });

  it('refuses uploads once all uploads together reach the total cap (507), each one under the per-upload limit', async () => {
    await server.close();
    server = await startUiServer({
      host,
      port: 0,
      staticDir: fixture.staticDir,
      logger,
      uploadLimitBytes: 1024 * 1024,
      uploadTotalBytes: 700_000,
    });
    const post = (name: string, bytes: number) =>
      fetch(`${origin()}/upload?token=${server.token}&name=${name}`, { method: 'POST', body: randomBytes(bytes) });
    expect((await post('one.dcm', 300_000)).status).toBe(200);
    expect((await post('two.dcm', 300_000)).status).toBe(200);
    const third = await post('three.dcm', 300_000);
    expect(third.status).toBe(507);
    expect(((await third.json()) as { error: { message: string; detail: string } }).error).toEqual({
      message: "three.dcm was not uploaded: the gateway's space for uploaded files is full. Restart `dicom-gateway serve` to empty it.",
      detail: 'uploads in total may take 700000 bytes; 600000 are used',
    });
    expect((await readdir(host.uploadDir)).length).toBe(2);
    // What is left of the budget can still be used.
    expect((await post('small.dcm', 100_000)).status).toBe(200);
  });

  it('accepts only POST for /upload', async () => {
    expect((await fetch(`${origin()}/upload?token=${server.token}`)).status).toBe(405);
  });
});

describe('who may connect', () => {
  const otherAddresses = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && a.address !== '127.0.0.1' && !a.address.startsWith('fe80'))
    .map((a) => a!.address);

  it.skipIf(otherAddresses.length === 0)(
    "listens on 127.0.0.1 only: the port does not answer on the machine's other addresses",
    async () => {
      expect(await canConnect(server.port, '127.0.0.1')).toBe(true);
      for (const address of otherAddresses) expect(await canConnect(server.port, address), address).toBe(false);
    },
  );

  it('refuses a WebSocket from a foreign Origin, and accepts its own', async () => {
    expect(await handshakeStatus(wsUrl(), { origin: 'http://evil.example' })).toBe(403);
    expect(await handshakeStatus(wsUrl(), { origin: `http://localhost:${server.port}` })).toBe(403);
    expect(await handshakeStatus(wsUrl(), { origin: 'null' })).toBe(403);
    expect(await handshakeStatus(wsUrl(), { origin: origin() })).toBe(101);
  });

  it('refuses page loads and uploads from a foreign Origin', async () => {
    const page = await rawRequest(server.port, `/?token=${server.token}`, { headers: { Origin: 'http://evil.example' } });
    expect(page.status).toBe(403);
    const upload = await rawRequest(server.port, `/upload?token=${server.token}&name=a.dcm`, {
      method: 'POST',
      headers: { Origin: 'http://evil.example' },
      body: Buffer.from('x'),
    });
    expect(upload.status).toBe(403);
  });

  it('refuses a Host header other than its own address (DNS rebinding)', async () => {
    const page = await rawRequest(server.port, `/?token=${server.token}`, { headers: { Host: `evil.example:${server.port}` } });
    expect(page.status).toBe(403);
    expect(await handshakeStatus(wsUrl(), { host: `evil.example:${server.port}` })).toBe(403);
  });
});

describe('closing', () => {
  it('disconnects the pages, stops listening to the host and frees the port', async () => {
    const client = await openClient(wsUrl());
    expect(host.subscriberCount).toBe(1);
    await server.close();
    expect(await client.closed).toBe(1001);
    expect(host.subscriberCount).toBe(0);
    expect(await canConnect(server.port)).toBe(false);
  });
});
