/**
 * `serve --ui-port` as a real process: the browser transport in front of the real engine. A page
 * (Node's WebSocket, fetch and File, and the renderer's own ws-bridge) talks to the gateway while
 * DCMTK storescu sends to it. The renderer files come from DICOM_GATEWAY_UI_DIR (a small
 * index.html), so the test does not depend on a renderer build.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UI_DIR_ENV } from '../../src-main/api/ui-static-dir.ts';
import type { InstanceReceived } from '../../src-main/api/types/events.ts';
import { createBrowserBridge, type BrowserBridge } from '../../src-renderer/src/transport/ws-bridge.ts';
import { canConnect, storescu } from '../helpers/dcmtk.ts';
import { datasetRegion, writeP10Files } from '../helpers/dicom-fixtures.ts';
import { CLI_ENTRY, startGateway, type GatewayProcess } from '../helpers/gateway-process.ts';
import { waitFor } from '../helpers/wait.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';

const AE = 'BROWSERGW';
let work: string;
let gateway: GatewayProcess;
let ui: { url: string; origin: string; port: number; token: string };
let page: { socket: WebSocket; messages: Record<string, unknown>[]; closed: Promise<number> };
let bridge: BrowserBridge | undefined;

/** Sends one request over the page's socket and waits for its answer. */
let nextId = 0;
async function call(command: string, args?: unknown): Promise<Record<string, unknown>> {
  const id = ++nextId;
  page.socket.send(JSON.stringify({ id, command, args }));
  return waitFor(`the answer to ${command}`, () => page.messages.find((m) => m.id === id));
}

function storedEventFor(sopInstanceUid: string): Promise<InstanceReceived> {
  return waitFor(`instance-stored for ${sopInstanceUid}`, () => {
    const message = page.messages.find(
      (m) => m.event === 'instance-stored' && (m.payload as InstanceReceived).sopInstanceUid === sopInstanceUid,
    );
    return message?.payload as InstanceReceived | undefined;
  });
}

beforeAll(async () => {
  work = await makeTempDir('browser-transport-');
  const uiDir = join(work, 'renderer');
  await mkdir(uiDir);
  await writeFile(join(uiDir, 'index.html'), '<!doctype html><title>DICOM Gateway test page</title>');
  // The gateway process inherits this environment.
  process.env[UI_DIR_ENV] = uiDir;
  gateway = await startGateway({ storage: join(work, 'storage'), args: ['--ae', AE, '--ui-port', '0'] });
  const match = await waitFor(
    'the UI line',
    () => /^UI listening on (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+))$/m.exec(gateway.output()) ?? undefined,
  );
  ui = { url: match[1]!, origin: `http://127.0.0.1:${match[2]}`, port: Number(match[2]), token: match[3]! };
  const socket = new WebSocket(`ws://127.0.0.1:${ui.port}/api?token=${ui.token}`);
  const messages: Record<string, unknown>[] = [];
  socket.onmessage = (event) => messages.push(JSON.parse(String(event.data)) as Record<string, unknown>);
  const closed = new Promise<number>((resolve) => (socket.onclose = (event) => resolve(event.code)));
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = () => reject(new Error(`cannot open the UI WebSocket:\n${gateway.output()}`));
  });
  page = { socket, messages, closed };
});

afterAll(async () => {
  bridge?.close();
  await gateway?.stop();
  delete process.env[UI_DIR_ENV];
  await removeDir(work);
});

describe('serve --ui-port', () => {
  it('prints exactly one UI line, address and token included, after the DICOM line', () => {
    const out = gateway.output();
    expect(out.match(/UI listening on /g)).toHaveLength(1);
    expect(out.indexOf('UI listening on')).toBeGreaterThan(out.indexOf('DICOM listening on'));
    expect(ui.token).toHaveLength(32);
  });

  it('serves the renderer from DICOM_GATEWAY_UI_DIR with the token, and nothing without it', async () => {
    const response = await fetch(ui.url);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('DICOM Gateway test page');
    expect(response.headers.get('content-security-policy')).toContain(`connect-src 'self' ws://127.0.0.1:${ui.port}`);
    expect((await fetch(`${ui.origin}/`)).status).toBe(403);
  });

  it("answers getStatus over the WebSocket with the gateway's AE title and DICOM port", async () => {
    const answer = await call('getStatus');
    expect(answer.result).toMatchObject({ aeTitle: AE, host: '127.0.0.1', port: gateway.port });
  });

  it("answers an invalid command with the host's CommandError words and detail", async () => {
    const answer = await call('listStudies', { limit: 'many' });
    expect(answer.error).toMatchObject({ message: 'The request was not valid.' });
    expect((answer.error as { detail: string }).detail).toMatch(/^listStudies: /);
  });

  it('pushes instance-stored to the page when storescu sends a file', async () => {
    const [file] = await writeP10Files(join(work, 'sent'), 1, { sopInstanceUid: '1.2.826.0.1.3680043.10.543.7001.1' });
    const result = await storescu(gateway.port, [file!], { calledAe: AE });
    expect(result.code, result.stderr).toBe(0);
    const event = await storedEventFor('1.2.826.0.1.3680043.10.543.7001.1');
    expect(event).toMatchObject({ callingAe: 'STORESCU', version: 1 });
    expect(event.bytes).toBe(datasetRegion(await readFile(file!)).length);
  });

  it('takes a file dropped in the browser as an upload into <storage>/.uploads, then sends it byte for byte', async () => {
    bridge = createBrowserBridge({ origin: ui.origin, token: ui.token });
    const [source] = await writeP10Files(join(work, 'dropped'), 1, {
      sopInstanceUid: '1.2.826.0.1.3680043.10.543.7002.1',
      edgeCases: true,
    });
    const bytes = await readFile(source!);
    const [uploaded] = await bridge.pathsForDroppedFiles([new File([bytes], 'dropped.dcm')]);
    expect(relative(join(gateway.storage, '.uploads'), uploaded!).startsWith('..')).toBe(false);
    expect((await readFile(uploaded!)).equals(bytes)).toBe(true);

    const scan = await bridge.invoke('scanPaths', { paths: [uploaded!] });
    expect(scan.files.map((f) => f.sopInstanceUid)).toEqual(['1.2.826.0.1.3680043.10.543.7002.1']);
    await bridge.invoke('sendFiles', { paths: [uploaded!], target: { aeTitle: AE, host: '127.0.0.1', port: gateway.port } });
    const event = await storedEventFor('1.2.826.0.1.3680043.10.543.7002.1');
    const stored = await readFile(isAbsolute(event.path) ? event.path : join(gateway.storage, event.path));
    expect(datasetRegion(stored).equals(datasetRegion(bytes))).toBe(true);
  });

  it('refuses, in words and naming the path, every read, scan or send of a file the user did not choose or upload', async () => {
    const outside = await writeP10Files(join(work, 'not-chosen'), 1, { sopInstanceUid: '1.2.826.0.1.3680043.10.543.7003.1' });
    const uploads = join(gateway.storage, '.uploads');
    const attempts: [string, unknown, string][] = [
      ['readByteRange', { file: { path: '/etc/shadow' }, offset: 0, length: 64 }, '/etc/shadow'],
      ['readByteRange', { file: { path: `${uploads}/../index.sqlite` }, offset: 0, length: 16 }, `${uploads}/../index.sqlite`],
      ['scanPaths', { paths: ['/etc'] }, '/etc'],
      ['scanPaths', { paths: [`${uploads}/../../..`] }, `${uploads}/../../..`],
      ['compareFiles', { a: { path: '/etc/passwd' }, b: { path: '/etc/hostname' } }, '/etc/passwd'],
      ['sendFiles', { paths: [outside[0]!], target: { aeTitle: AE, host: '127.0.0.1', port: gateway.port } }, outside[0]!],
      ['sendFiles', { paths: ['relative/file.dcm'], target: { aeTitle: AE, host: '127.0.0.1', port: gateway.port } }, 'relative/file.dcm'],
    ];
    for (const [command, args, path] of attempts) {
      const answer = await call(command, args);
      expect(answer.result, command).toBeUndefined();
      expect(answer.error, command).toEqual({
        message:
          'The gateway only opens files and folders you chose or dropped in this window, and images in its store. Choose or drop the file again.',
        detail: expect.stringContaining(`${command}: refused`),
      });
      expect((answer.error as { detail: string }).detail).toContain(JSON.stringify(path));
    }
  });

  it('refuses to start without a built renderer, telling the user to run npm run build', async () => {
    const empty = await mkdtemp(join(work, 'no-ui-'));
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [CLI_ENTRY, 'serve', '--host', '127.0.0.1', '--port', '0', '--storage', join(work, 'unused'), '--ui-port', '0'],
        { env: { ...process.env, [UI_DIR_ENV]: empty }, timeout: 30_000 },
        (_err, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
      );
    });
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('DICOM listening');
    expect(result.stderr).toContain(`the browser UI is not built: ${join(empty, 'index.html')} is missing. Run \`npm run build\` first`);
  });

  it("on SIGTERM closes the page's socket and the UI port along with the DICOM listener, and exits 0", async () => {
    expect(await gateway.stop('SIGTERM')).toBe(0);
    expect(await page.closed).toBe(1001);
    expect(await canConnect(ui.port)).toBe(false);
    expect(await canConnect(gateway.port)).toBe(false);
  });
});
