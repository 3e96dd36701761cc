import { connect, createServer, type TLSSocket } from 'node:tls';
import { createServer as createPlainServer, type AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { TlsConfigError } from '../../../src-main/tls/tls-config-error.ts';
import { clientTlsOptions, serverTlsOptions } from '../../../src-main/tls/tls-context.ts';
import { describeTlsFailure } from '../../../src-main/tls/tls-errors.ts';
import { BCP195_CIPHERS, type ListenerTls } from '../../../src-main/tls/tls-settings.ts';
import type { DestinationTls } from '../../../src-main/api/types/routing.ts';
import { makeLeaf, makePki, type Leaf, type Pki } from '../../helpers/certificates.ts';

let pki: Pki;
let server: Leaf;
let client: Leaf;

beforeAll(async () => {
  pki = await makePki();
  server = await makeLeaf(pki, 'server');
  client = await makeLeaf(pki, 'client');
});

function listener(overrides: Partial<ListenerTls> = {}): ListenerTls {
  return {
    port: 0,
    cert: server.cert,
    key: server.key,
    ca: pki.caCert,
    passphrase: undefined,
    requireClientCert: false,
    ciphers: BCP195_CIPHERS,
    ...overrides,
  };
}

function destination(overrides: Partial<DestinationTls> = {}): DestinationTls {
  return { ca: pki.caCert, cert: undefined, key: undefined, passphrase: undefined, verifyServer: true, ...overrides };
}

describe('TLS settings are checked before anything listens', () => {
  it('accepts a valid certificate and key and pins TLS 1.2 with the BCP 195 ciphers', () => {
    const options = serverTlsOptions(listener());
    expect(options.minVersion).toBe('TLSv1.2');
    expect(options.ciphers).toBe(BCP195_CIPHERS);
    expect(options.requestCert).toBe(false);
  });

  it('names the file that does not exist', () => {
    expect(() => serverTlsOptions(listener({ cert: '/nonexistent/server.pem' }))).toThrow(
      'cannot read the certificate /nonexistent/server.pem: no such file',
    );
  });

  it('says an encrypted key needs its passphrase, and that a wrong one is wrong', async () => {
    const locked = await makeLeaf(pki, 'locked', { passphrase: 'right horse' });
    expect(() => serverTlsOptions(listener({ ...locked }))).toThrow(/it is encrypted and no passphrase was given/);
    expect(() => serverTlsOptions(listener({ ...locked, passphrase: 'wrong' }))).toThrow(/wrong passphrase/);
    expect(serverTlsOptions(listener({ ...locked, passphrase: 'right horse' })).passphrase).toBe('right horse');
  });

  it('refuses a key that belongs to another certificate', () => {
    expect(() => serverTlsOptions(listener({ key: client.key }))).toThrow(
      `the private key ${client.key} does not belong to the certificate ${server.cert}`,
    );
  });

  it('refuses an expired certificate, naming the file and the date', async () => {
    const old = await makeLeaf(pki, 'old', { expired: true });
    expect(() => serverTlsOptions(listener({ ...old }))).toThrow(
      /the certificate .*old\.pem \(CN=localhost\) expired on Jan {2}2 00:00:00 2020 GMT/,
    );
  });

  it('needs a CA to require client certificates', () => {
    expect(() => serverTlsOptions(listener({ requireClientCert: true, ca: undefined }))).toThrow(TlsConfigError);
  });

  it('refuses a cipher list OpenSSL does not know', () => {
    expect(() => serverTlsOptions(listener({ ciphers: 'NOT-A-CIPHER' }))).toThrow(/names no cipher suite/);
  });

  it("wants a destination's client certificate and key together", () => {
    expect(() => clientTlsOptions(destination({ cert: client.cert }))).toThrow(/go together/);
  });
});

describe('handshake failures in plain words', () => {
  async function handshake(
    serverOptions: ReturnType<typeof serverTlsOptions> | 'plain',
    clientOptions: ReturnType<typeof clientTlsOptions>,
    servername = 'localhost',
  ) {
    const srv =
      serverOptions === 'plain' ? createPlainServer((s) => s.end('not tls at all\n')) : createServer(serverOptions, (s) => s.end());
    srv.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const { port } = srv.address() as AddressInfo;
    try {
      return await new Promise<string>((resolve) => {
        const socket: TLSSocket = connect({ ...clientOptions, host: '127.0.0.1', port, servername });
        socket.once('secureConnect', () => {
          // TLS 1.3 reports a refused client certificate after the handshake, on the first read.
          socket.once('data', () => undefined);
        });
        socket.once('error', (err) => resolve(describeTlsFailure(err, `PACS@127.0.0.1:${port}`) ?? `not TLS: ${err.message}`));
        socket.once('close', () => resolve('closed without error'));
      });
    } finally {
      srv.close();
    }
  }

  it('an untrusted server certificate', async () => {
    const other = await makePki('Other CA');
    expect(await handshake(serverTlsOptions(listener()), clientTlsOptions(destination({ ca: other.caCert })))).toMatch(
      /TLS handshake with PACS@127\.0\.0\.1:\d+ failed: .*not trusted/,
    );
  });

  it('a certificate for another host name', async () => {
    const elsewhere = await makeLeaf(pki, 'elsewhere', { host: 'pacs.example.org' });
    expect(await handshake(serverTlsOptions(listener({ ...elsewhere })), clientTlsOptions(destination()))).toMatch(
      /for another host name \[ERR_TLS_CERT_ALTNAME_INVALID\]/,
    );
  });

  it('a plain port where TLS was expected', async () => {
    expect(await handshake('plain', clientTlsOptions(destination()))).toMatch(/did not answer in TLS/);
  });

  it('a server that requires a client certificate we do not have', async () => {
    const result = await handshake(serverTlsOptions(listener({ requireClientCert: true })), clientTlsOptions(destination()));
    expect(result).toMatch(/requires a client certificate|refused our certificate|no TLS version or cipher suite/);
  });
});
