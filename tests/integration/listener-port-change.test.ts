/**
 * Gateway.applySettings and the desktop start (src-main/gateway.ts) against a real busy port:
 * a port that cannot be listened on never leaves the gateway deaf, and is never saved.
 */
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiHost } from '../../src-main/api/gateway-api.ts';
import { DEFAULT_CONFIG, Gateway, listenFailureReason, type GatewayConfig } from '../../src-main/gateway.ts';
import { canConnect, echoscu } from '../helpers/dcmtk.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';

let work: string;
let busy: Server;
let busyPort: number;
const running: Gateway[] = [];

beforeEach(async () => {
  work = await makeTempDir('listener-');
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  busyPort = (busy.address() as { port: number }).port;
});

afterEach(async () => {
  for (const g of running.splice(0)) await g.stop();
  await new Promise((resolve) => busy.close(resolve));
  await removeDir(work);
});

function config(overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  return { ...DEFAULT_CONFIG, host: '127.0.0.1', port: 0, storage: join(work, 'store'), ...overrides };
}

async function start(overrides: Partial<GatewayConfig> = {}): Promise<Gateway> {
  const g = await Gateway.start(config(overrides));
  running.push(g);
  return g;
}

async function restart(g: Gateway): Promise<Gateway> {
  await g.stop();
  running.splice(running.indexOf(g), 1);
  return start({ onListenFailure: 'stay-stopped' });
}

describe('changing the port to one that is in use', () => {
  it('keeps the old listener answering, reports it truthfully, refuses in words, and saves nothing', async () => {
    const g = await start();
    const api = createApiHost(g, { uploadDir: join(work, 'uploads') });
    const oldPort = g.address!.port;
    const failure = await api.dispatch('saveSettings', { settings: { port: busyPort, aeTitle: 'NEWNAME' } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toMatchObject({
      message: expect.stringMatching(new RegExp(`127\\.0\\.0\\.1:${busyPort}.*already in use.*Choose another port`)),
    });
    expect((failure as { detail: string }).detail).toMatch(/^saveSettings: EADDRINUSE/);
    expect((await echoscu(oldPort, { calledAe: 'GATEWAY' })).code).toBe(0);
    expect(await api.dispatch('getStatus', undefined)).toMatchObject({
      port: oldPort,
      listening: true,
      listenError: null,
      aeTitle: 'GATEWAY',
    });
    const again = await restart(g);
    expect(again.settings().aeTitle).toBe('GATEWAY');
    expect(again.config.port).toBe(0);
  });
});

describe('a desktop start on a port that cannot be listened on', () => {
  it('runs with the listener stopped and the reason, then listens on the port the user saves, which is kept', async () => {
    const g = await start({ port: busyPort, onListenFailure: 'stay-stopped' });
    const api = createApiHost(g, { uploadDir: join(work, 'uploads') });
    expect(await api.dispatch('getStatus', undefined)).toMatchObject({
      port: busyPort,
      listening: false,
      listenError: expect.stringMatching(/already in use.*Choose another port/),
    });
    const saved = (await api.dispatch('saveSettings', { settings: { port: 0 } })) as { port: number };
    expect(saved.port).not.toBe(0);
    expect(await api.dispatch('getStatus', undefined)).toMatchObject({ port: saved.port, listening: true, listenError: null });
    expect((await echoscu(saved.port, { calledAe: 'GATEWAY' })).code).toBe(0);
    // The port that worked, not the 0 that was asked for, is what the next start uses.
    const again = await restart(g);
    expect(again.listener).toEqual({ state: 'listening', host: '127.0.0.1', port: saved.port });
  });

  it('listens on the same port when asked again once the other program has let it go', async () => {
    const g = await start({ port: busyPort, onListenFailure: 'stay-stopped' });
    expect(g.listener.state).toBe('stopped');
    await new Promise((resolve) => busy.close(resolve));
    busy = createServer();
    await g.applySettings({ port: busyPort });
    expect(g.listener).toMatchObject({ state: 'listening', port: busyPort });
    expect(await canConnect(busyPort)).toBe(true);
  });

  it('still fails the start for serve, which has no window to fix it in', async () => {
    await expect(Gateway.start(config({ port: busyPort }))).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('listen failure words', () => {
  it('say that ports below 1024 need administrator rights when the system refuses one', () => {
    const err = Object.assign(new Error('listen EACCES: permission denied 0.0.0.0:104'), { code: 'EACCES' });
    expect(listenFailureReason(undefined, 104, err)).toBe(
      'Cannot listen on 0.0.0.0:104: this user may not use port 104 (ports below 1024 need administrator rights). Choose a port from 1024 up. (EACCES)',
    );
  });
});
