/**
 * The DICOM TLS listener set through the UI's API (saveTlsListener, Gateway.applyTlsListener):
 * storescu +tls (DCMTK) stores through it byte for byte, the saved listener comes back after a
 * restart, and every way it can go wrong is refused in words while the listener running keeps running.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApiHost } from '../../src-main/api/api-host.ts';
import type { TlsListenerStatus } from '../../src-main/api/contract.ts';
import { createApiHost } from '../../src-main/api/gateway-api.ts';
import { DEFAULT_CONFIG, Gateway, type GatewayConfig } from '../../src-main/gateway.ts';
import { makeLeaf, makePki, type Leaf, type Pki } from '../helpers/certificates.ts';
import { storescu } from '../helpers/dcmtk.ts';
import { writeP10Files } from '../helpers/dicom-fixtures.ts';
import { expectSameBytes, filesBySopInstance, sopInstanceOf, splitP10 } from '../helpers/p10-regions.ts';

let pki: Pki;
let server: Leaf;
let client: Leaf;
let locked: Leaf;
let work: string;
let sources: string[];
const running: Gateway[] = [];

beforeAll(async () => {
  pki = await makePki();
  server = await makeLeaf(pki, 'server');
  client = await makeLeaf(pki, 'client');
  locked = await makeLeaf(pki, 'locked', { passphrase: 'open sesame' });
});

afterAll(async () => {
  await rm(pki.dir, { recursive: true, force: true });
});

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'tls-settings-'));
  sources = await writeP10Files(join(work, 'sources'), 3, (i) => ({ seed: 700 + i, sopInstanceUid: `1.2.826.0.1.3680043.9.8.${i + 1}` }));
});

afterEach(async () => {
  for (const g of running.splice(0)) await g.stop();
  await rm(work, { recursive: true, force: true });
});

async function start(overrides: Partial<GatewayConfig> = {}): Promise<{ g: Gateway; api: ApiHost }> {
  const g = await Gateway.start({ ...DEFAULT_CONFIG, host: '127.0.0.1', port: 0, storage: join(work, 'store'), ...overrides });
  running.push(g);
  const api = createApiHost(g, { uploadDir: join(work, 'uploads') });
  return { g, api };
}

async function stop(g: Gateway): Promise<void> {
  running.splice(running.indexOf(g), 1);
  await g.stop();
}

function failureOf(promise: Promise<unknown>): Promise<{ message: string; detail: string }> {
  return promise.then(
    () => {
      throw new Error('expected the command to be refused');
    },
    (e: { message: string; detail: string }) => e,
  );
}

function dcmtkClientArgs(): string[] {
  return ['+tls', client.key, client.cert, '+cf', pki.caCert];
}

async function expectStoredAsSent(storage: string): Promise<void> {
  const stored = await filesBySopInstance(join(storage, 'studies'));
  for (const source of sources) {
    const bytes = await readFile(source);
    expectSameBytes(splitP10(stored.get(sopInstanceOf(bytes)!)!, 'stored').dataset, splitP10(bytes, source).dataset, `${source} over TLS`);
  }
}

describe('a TLS listener set through the API', () => {
  it('accepts storescu +tls byte for byte, and is listening again on the same port after a restart', async () => {
    const { g, api } = await start();
    expect((await api.dispatch('getTlsListener', undefined)) as TlsListenerStatus).toMatchObject({
      state: 'off',
      settings: null,
      source: { kind: 'default' },
    });
    api.allowPaths([server.cert, server.key, pki.caCert]);
    const status = (await api.dispatch('saveTlsListener', {
      tls: { port: 0, cert: server.cert, key: server.key, ca: pki.caCert, requireClientCert: true },
    })) as TlsListenerStatus;
    expect(status).toMatchObject({ state: 'listening', host: '127.0.0.1', source: { kind: 'saved' } });
    // Port 0 asked the system for one: the port it gave is the one saved.
    expect(status.settings).toMatchObject({ port: status.port, cert: server.cert, requireClientCert: true, hasPassphrase: false });

    const sent = await storescu(status.port!, sources, { extraArgs: dcmtkClientArgs() });
    expect(sent.code, sent.stderr).toBe(0);
    await expectStoredAsSent(g.config.storage);

    await stop(g);
    const again = await start({ onListenFailure: 'stay-stopped' });
    const after = (await again.api.dispatch('getTlsListener', undefined)) as TlsListenerStatus;
    expect(after).toMatchObject({ state: 'listening', port: status.port, source: { kind: 'saved' } });
    const resent = await storescu(after.port!, sources.slice(0, 1), { extraArgs: dcmtkClientArgs() });
    expect(resent.code, resent.stderr).toBe(0);
  });

  it('turns off when saved as null, and stays off after a restart', async () => {
    const { g, api } = await start();
    api.allowPaths([server.cert, server.key]);
    const on = (await api.dispatch('saveTlsListener', {
      tls: { port: 0, cert: server.cert, key: server.key, ca: null, requireClientCert: false },
    })) as TlsListenerStatus;
    expect(on.state).toBe('listening');
    const off = (await api.dispatch('saveTlsListener', { tls: null })) as TlsListenerStatus;
    expect(off).toMatchObject({ state: 'off', settings: null, port: null });
    const refused = await storescu(on.port!, sources.slice(0, 1), { extraArgs: dcmtkClientArgs() });
    expect(refused.code).not.toBe(0);
    await stop(g);
    const again = await start();
    expect(again.g.tlsListenerStatus()).toMatchObject({ state: 'off', source: { kind: 'saved' } });
  });

  it('keeps a key passphrase in the engine: never in what the UI reads, kept when the UI saves without it', async () => {
    const { g, api } = await start();
    api.allowPaths([locked.cert, locked.key]);
    const tls = { port: 0, cert: locked.cert, key: locked.key, ca: null, requireClientCert: false };
    const wrong = await failureOf(api.dispatch('saveTlsListener', { tls: { ...tls, passphrase: 'wrong' } }));
    expect(wrong.message).toMatch(/TLS listener was not changed.*locked\.key.*wrong passphrase/);
    const status = (await api.dispatch('saveTlsListener', { tls: { ...tls, passphrase: 'open sesame' } })) as TlsListenerStatus;
    expect(status).toMatchObject({ state: 'listening', settings: { hasPassphrase: true } });
    expect(JSON.stringify(status)).not.toContain('open sesame');
    // The UI changes only whether client certificates are required; it never had the passphrase.
    const edited = (await api.dispatch('saveTlsListener', {
      tls: { ...tls, port: status.port!, requireClientCert: false },
    })) as TlsListenerStatus;
    expect(edited).toMatchObject({ state: 'listening', port: status.port, settings: { hasPassphrase: true } });
    expect(JSON.stringify(await api.dispatch('getTlsListener', undefined))).not.toContain('open sesame');
    expect(g.config.tls?.passphrase).toBe('open sesame');
  });
});

describe('a TLS listener change that cannot work', () => {
  let busy: Server;
  let busyPort: number;
  beforeEach(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterEach(async () => {
    await new Promise((resolve) => busy.close(resolve));
  });

  async function listening(): Promise<{ g: Gateway; api: ApiHost; port: number }> {
    const { g, api } = await start();
    api.allowPaths([server.cert, server.key, pki.caCert, client.cert, client.key]);
    const status = (await api.dispatch('saveTlsListener', {
      tls: { port: 0, cert: server.cert, key: server.key, ca: null, requireClientCert: false },
    })) as TlsListenerStatus;
    return { g, api, port: status.port! };
  }

  it('refuses a busy port in words, keeps the old TLS listener answering, and saves nothing', async () => {
    const { g, api, port } = await listening();
    const failure = await failureOf(
      api.dispatch('saveTlsListener', { tls: { port: busyPort, cert: server.cert, key: server.key, ca: null, requireClientCert: false } }),
    );
    expect(failure.message).toMatch(new RegExp(`127\\.0\\.0\\.1:${busyPort}.*already in use.*Choose another port`));
    expect(failure.detail).toMatch(/^saveTlsListener: EADDRINUSE/);
    expect(g.tlsListenerStatus()).toMatchObject({ state: 'listening', port });
    const sent = await storescu(port, sources.slice(0, 1), { extraArgs: dcmtkClientArgs() });
    expect(sent.code, sent.stderr).toBe(0);
  });

  it('refuses a key that is not the certificate’s, naming both files, and keeps the old listener', async () => {
    const { g, api, port } = await listening();
    const failure = await failureOf(
      api.dispatch('saveTlsListener', { tls: { port, cert: server.cert, key: client.key, ca: null, requireClientCert: false } }),
    );
    expect(failure.message).toMatch(
      /TLS listener was not changed: the private key .*client\.key does not belong to the certificate .*server\.pem/,
    );
    expect(g.tlsListenerStatus()).toMatchObject({ state: 'listening', port, settings: { key: server.key } });
  });

  it('refuses requiring client certificates without a CA bundle', async () => {
    const { api, port } = await listening();
    const failure = await failureOf(
      api.dispatch('saveTlsListener', { tls: { port, cert: server.cert, key: server.key, ca: null, requireClientCert: true } }),
    );
    expect(failure.message).toMatch(/requireClientCert needs tls\.ca/);
  });

  it('refuses files the user did not choose', async () => {
    const { api } = await start();
    const failure = await failureOf(
      api.dispatch('saveTlsListener', { tls: { port: 0, cert: server.cert, key: server.key, ca: null, requireClientCert: false } }),
    );
    expect(failure.message).toMatch(/only opens files and folders you chose/);
  });

  it('refuses any change while the config file sets TLS, naming where to change it', async () => {
    const { api } = await start({
      tls: {
        port: 0,
        cert: server.cert,
        key: server.key,
        ca: undefined,
        passphrase: undefined,
        requireClientCert: false,
        ciphers: 'ECDHE-RSA-AES128-GCM-SHA256',
      },
      fixedSettings: { tls: { kind: 'config-file', file: '/etc/gateway.yaml', key: 'tls' } },
    });
    api.allowPaths([server.cert, server.key]);
    const status = (await api.dispatch('getTlsListener', undefined)) as TlsListenerStatus;
    expect(status).toMatchObject({ state: 'listening', source: { kind: 'config-file', key: 'tls' } });
    const failure = await failureOf(api.dispatch('saveTlsListener', { tls: null }));
    expect(failure.message).toMatch(/DICOM TLS listener is set by "tls" in the config file \/etc\/gateway\.yaml/);
  });

  it.each([
    ['the desktop', { onListenFailure: 'stay-stopped' as const }],
    ['serve', {}],
  ])('at a start of %s, a saved TLS port now in use leaves TLS stopped with the reason and the plain listener up', async (_, mode) => {
    const { g, api } = await start();
    api.allowPaths([server.cert, server.key]);
    await api.dispatch('saveTlsListener', { tls: { port: 0, cert: server.cert, key: server.key, ca: null, requireClientCert: false } });
    const savedPort = g.tlsListenerStatus().port!;
    await stop(g);
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(savedPort, '127.0.0.1', resolve));
    try {
      const again = await start(mode);
      expect(again.g.listener.state).toBe('listening');
      expect(again.g.tlsListenerStatus()).toMatchObject({
        state: 'stopped',
        port: savedPort,
        reason: expect.stringMatching(/already in use/),
      });
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
