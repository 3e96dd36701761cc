/**
 * DICOM TLS against DCMTK built with OpenSSL (Debian's is): storescu/echoscu +tls into serve's TLS
 * listener, and the gateway's send/echo --tls out to storescp +tls, with certificates made by
 * openssl in the test. Bytes are compared as on the plain path: TLS changes the wire, not the data.
 */
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoscu, run, startStoreScp, storescu, type StoreScp } from '../helpers/dcmtk.ts';
import { makeLeaf, makePki, type Leaf, type Pki } from '../helpers/certificates.ts';
import { writeP10Files } from '../helpers/dicom-fixtures.ts';
import { localServeArgs, runCli, startGateway, type GatewayProcess } from '../helpers/gateway-process.ts';
import { waitFor } from '../helpers/wait.ts';
import { expectSameBytes, filesBySopInstance, sopInstanceOf, splitP10 } from '../helpers/p10-regions.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';

let work: string;
let pki: Pki;
let serverLeaf: Leaf;
let clientLeaf: Leaf;
let strangerLeaf: Leaf;
let sources: string[];

beforeAll(async () => {
  work = await makeTempDir('gateway-tls-');
  pki = await makePki();
  serverLeaf = await makeLeaf(pki, 'server');
  clientLeaf = await makeLeaf(pki, 'client');
  strangerLeaf = await makeLeaf(await makePki('Stranger CA'), 'stranger');
  sources = await writeP10Files(join(work, 'sources'), 5, (i) => ({ seed: 900 + i, sopInstanceUid: `1.2.826.0.1.3680043.9.7.${i + 1}` }));
});

afterAll(async () => {
  await removeDir(work);
});

/** DCMTK's TLS client flags: our client certificate, trusting the test CA. */
function dcmtkTls(leaf: Leaf = clientLeaf): string[] {
  return ['+tls', leaf.key, leaf.cert, '+cf', pki.caCert];
}

/** serve prints the TLS listener just after the plain one. */
function tlsPortOf(gateway: GatewayProcess): Promise<number> {
  return waitFor('the TLS listener', () => {
    const match = /DICOM TLS listening on \S+:(\d+)/.exec(gateway.output());
    return match ? Number(match[1]) : undefined;
  });
}

async function tlsGateway(extra: string[] = []): Promise<GatewayProcess & { tlsPort: number }> {
  const gateway = await startGateway({
    args: ['--tls-port', '0', '--tls-cert', serverLeaf.cert, '--tls-key', serverLeaf.key, '--tls-ca', pki.caCert, ...extra],
  });
  return Object.assign(gateway, { tlsPort: await tlsPortOf(gateway) });
}

describe('serve with a TLS listener', () => {
  let gateway: GatewayProcess & { tlsPort: number };
  beforeAll(async () => {
    gateway = await tlsGateway();
  });
  afterAll(async () => {
    await gateway.stop();
  });

  it('prints both listeners with their real ports', () => {
    expect(gateway.output()).toMatch(/DICOM listening on 127\.0\.0\.1:\d+\nDICOM TLS listening on 127\.0\.0\.1:\d+/);
    expect(gateway.tlsPort).not.toBe(gateway.port);
  });

  it('stores what storescu +tls sent, byte for byte', async () => {
    const result = await storescu(gateway.tlsPort, sources, { extraArgs: dcmtkTls() });
    expect(result.code, result.stderr).toBe(0);
    const stored = await filesBySopInstance(join(gateway.storage, 'studies'));
    for (const source of sources) {
      const bytes = await readFile(source);
      const { dataset } = splitP10(bytes, source);
      const sopInstanceUid = sopInstanceOf(bytes);
      expectSameBytes(splitP10(stored.get(sopInstanceUid!)!, 'stored').dataset, dataset, `${source} over TLS`);
    }
  });

  it('answers echoscu +tls', async () => {
    const result = await run('echoscu', ['-aet', 'ECHOSCU', '-aec', 'GATEWAY', ...dcmtkTls(), '127.0.0.1', String(gateway.tlsPort)]);
    expect(result.code, result.stderr).toBe(0);
  });

  it('refuses a plain client on the TLS port cleanly and goes on serving', async () => {
    const plain = await echoscu(gateway.tlsPort);
    expect(plain.code).not.toBe(0);
    expect((await echoscu(gateway.port)).code).toBe(0);
    expect(gateway.output()).toMatch(/association\.tls-refused/);
  });

  it("answers the gateway's own echo --tls, verifying the server certificate", async () => {
    const ok = await runCli(['echo', '--tls', '--tls-ca', pki.caCert, `GATEWAY@127.0.0.1:${gateway.tlsPort}`]);
    expect(ok.code, ok.stderr).toBe(0);
    const untrusted = await runCli(['echo', '--tls', `GATEWAY@127.0.0.1:${gateway.tlsPort}`]);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/TLS handshake with GATEWAY@127\.0\.0\.1:\d+ failed: .*not trusted/);
  });
});

describe('mutual TLS', () => {
  let gateway: GatewayProcess & { tlsPort: number };
  beforeAll(async () => {
    gateway = await tlsGateway(['--tls-require-client-cert', 'true']);
  });
  afterAll(async () => {
    await gateway.stop();
  });

  it('accepts a client certificate from the CA and refuses one from another, staying up', async () => {
    const known = await storescu(gateway.tlsPort, sources.slice(0, 1), { extraArgs: dcmtkTls(clientLeaf) });
    expect(known.code, known.stderr).toBe(0);
    const stranger = await storescu(gateway.tlsPort, sources.slice(1, 2), { extraArgs: dcmtkTls(strangerLeaf) });
    expect(stranger.code).not.toBe(0);
    expect((await echoscu(gateway.port)).code).toBe(0);
    const stored = await filesBySopInstance(join(gateway.storage, 'studies'));
    expect(stored.has(sopInstanceOf(await readFile(sources[1]!))!)).toBe(false);
  });
});

describe('send and echo over TLS to storescp +tls', () => {
  let scp: StoreScp;
  beforeAll(async () => {
    const outputDir = join(work, 'storescp-tls');
    await mkdir(outputDir);
    scp = await startStoreScp({ outputDir, extraArgs: ['+tls', serverLeaf.key, serverLeaf.cert, '+cf', pki.caCert, '+xa'] });
  });
  afterAll(async () => {
    await scp.stop();
  });

  it('delivers every dataset byte for byte with our client certificate', async () => {
    const result = await runCli([
      'send',
      '--to',
      `${scp.aeTitle}@127.0.0.1:${scp.port}`,
      '--tls',
      '--tls-ca',
      pki.caCert,
      '--tls-cert',
      clientLeaf.cert,
      '--tls-key',
      clientLeaf.key,
      ...sources,
    ]);
    expect(result.code, `${result.stdout}\n${result.stderr}\n${scp.output()}`).toBe(0);
    const received = await filesBySopInstance(scp.outputDir);
    for (const source of sources) {
      const bytes = await readFile(source);
      const { dataset } = splitP10(bytes, source);
      const sopInstanceUid = sopInstanceOf(bytes);
      expectSameBytes(splitP10(received.get(sopInstanceUid!)!, 'received').dataset, dataset, `${source} sent over TLS`);
    }
  });

  it('says plainly when the node wants a client certificate we did not give', async () => {
    const result = await runCli(['echo', '--tls', '--tls-ca', pki.caCert, `${scp.aeTitle}@127.0.0.1:${scp.port}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/STORESCP@127\.0\.0\.1:\d+/);
  });

  it('says the node did not answer in TLS when it is a plain port', async () => {
    const plain = await startStoreScp({ outputDir: await mkdtemp(join(work, 'plain-')) });
    try {
      const result = await runCli(['echo', '--tls', '--tls-ca', pki.caCert, `${plain.aeTitle}@127.0.0.1:${plain.port}`]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/did not answer in TLS|closed the connection|ECONNRESET/);
    } finally {
      await plain.stop();
    }
  });
});

describe('certificates are checked before serve starts', () => {
  it('refuses an expired certificate, naming the file, and listens on nothing', async () => {
    const expired = await makeLeaf(pki, 'expired-server', { expired: true });
    const result = await runCli([
      'serve',
      ...localServeArgs(join(work, 'expired-store')),
      '--tls-port',
      '0',
      '--tls-cert',
      expired.cert,
      '--tls-key',
      expired.key,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`the certificate ${expired.cert}`);
    expect(result.stderr).toContain('expired on');
    expect(result.stdout).not.toContain('listening');
  });
});
