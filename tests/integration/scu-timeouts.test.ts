/**
 * The SCU's timeouts: connectTimeoutMs bounds the TCP connect, idleTimeoutMs the silence of an
 * established association. dcmjs-dimse arms the socket's idle timer with the connect timeout and
 * never changes it, which cut off any peer slower than the connect timeout to answer a C-STORE
 * (30 s by default, where destinations promise 60 s) with "Connection timeout".
 */
import { mkdtemp } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { readSendableFile, type SendableFile } from '../../src-main/dicom/sendable-files.ts';
import { sendFiles } from '../../src-main/dicom/store-scu.ts';
import { startStoreScp, type StoreScp } from '../helpers/dcmtk.ts';
import { writeP10Files } from '../helpers/dicom-fixtures.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';

const CONNECT_TIMEOUT_MS = 1_000;
/** How long the slow peer takes to answer, once associated: longer than the connect timeout. */
const PEER_DELAY_MS = 3 * CONNECT_TIMEOUT_MS;

let work: string;
let scp: StoreScp;
let proxy: Server;
const sockets = new Set<Socket>();

beforeEach(async () => {
  work = await makeTempDir('scu-timeouts-');
  scp = await startStoreScp({ outputDir: await mkdtemp(join(work, 'storescp-')) });
});

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => proxy?.close(resolve));
  await scp.stop();
  await removeDir(work);
});

/**
 * A peer that answers the association request at once and everything after it PEER_DELAY_MS
 * late: storescp behind a proxy that holds back its later replies.
 */
async function slowPeer(): Promise<number> {
  proxy = createServer((client) => {
    const server = connect({ host: '127.0.0.1', port: scp.port });
    sockets.add(client).add(server);
    let associated = false;
    client.pipe(server);
    server.on('data', (chunk: Buffer) => {
      if (!associated) {
        associated = true;
        client.write(chunk);
      } else {
        setTimeout(() => client.writable && client.write(chunk), PEER_DELAY_MS);
      }
    });
    client.on('error', () => server.destroy());
    server.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return (proxy.address() as { port: number }).port;
}

async function sendable(path: string): Promise<SendableFile> {
  const file = readSendableFile(path);
  if ('reason' in file) throw new Error(`${path}: ${file.reason}`);
  return file;
}

/** Sends one fixture instance through a new slow peer with this idle timeout. */
async function sendThroughSlowPeer(seed: number, idleTimeoutMs: number) {
  const [path] = await writeP10Files(join(work, 'src'), 1, { seed });
  const port = await slowPeer();
  const [result] = await sendFiles(
    [await sendable(path!)],
    { aeTitle: scp.aeTitle, host: '127.0.0.1', port },
    { callingAe: 'GATEWAY', connectTimeoutMs: CONNECT_TIMEOUT_MS, idleTimeoutMs },
  );
  return { port, result };
}

it('waits for a peer slower than the connect timeout to answer, up to the idle timeout', async () => {
  const { result } = await sendThroughSlowPeer(320, 20 * PEER_DELAY_MS);
  expect(result!.error).toBeUndefined();
  expect(result!.ok).toBe(true);
});

it('still gives up on a peer silent for longer than the idle timeout, naming it', async () => {
  const { port, result } = await sendThroughSlowPeer(321, PEER_DELAY_MS / 2);
  expect(result!.ok).toBe(false);
  expect(result!.error).toMatch(/timeout/i);
  expect(result!.error).toContain(`127.0.0.1:${port}`);
});
