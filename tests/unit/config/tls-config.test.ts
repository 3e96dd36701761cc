import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src-main/config/config-error.ts';
import { configFromValue } from '../../../src-main/config/load-config.ts';
import { BCP195_CIPHERS } from '../../../src-main/tls/tls-settings.ts';

const PACS = { name: 'pacs', ae: 'PACS', host: 'pacs.example.org', port: 2762 };

function load(value: unknown) {
  return configFromValue(value, 'gateway.yaml', '/etc/gateway');
}

function messageFor(value: unknown): string {
  try {
    load(value);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('accepted');
}

describe('DICOM TLS in the config file', () => {
  it('reads the listener, with paths relative to the config file and safe defaults', () => {
    const config = load({ tls: { port: 0, cert: 'tls/gateway.pem', key: '/keys/gateway.key' } });
    expect(config.tls).toEqual({
      port: 0,
      cert: '/etc/gateway/tls/gateway.pem',
      key: '/keys/gateway.key',
      ca: undefined,
      passphrase: undefined,
      requireClientCert: false,
      ciphers: BCP195_CIPHERS,
    });
  });

  it('has no TLS listener unless the file asks for one', () => {
    expect(load({}).tls).toBeUndefined();
  });

  it('reads a destination over TLS, verifying the server unless told not to', () => {
    const config = load({
      destinations: [
        { ...PACS, tls: { ca: 'ca.pem' } },
        { ...PACS, name: 'lab', tls: { verifyServer: false } },
      ],
    });
    expect(config.destinations[0]!.tls).toEqual({
      ca: '/etc/gateway/ca.pem',
      cert: undefined,
      key: undefined,
      passphrase: undefined,
      verifyServer: true,
    });
    expect(config.destinations[1]!.tls!.verifyServer).toBe(false);
  });

  it('names a missing key, a misspelt field and a bad port', () => {
    expect(messageFor({ tls: { port: 2762, cert: 'a.pem' } })).toContain('gateway.yaml: tls.key: is required');
    expect(messageFor({ tls: { port: 2762, cert: 'a.pem', key: 'a.key', requireClientCerts: true } })).toContain(
      'tls.requireClientCerts: unknown field (did you mean requireClientCert?)',
    );
    expect(messageFor({ tls: { port: 70000, cert: 'a.pem', key: 'a.key' } })).toContain('tls.port: must be a port number 0-65535');
    expect(messageFor({ destinations: [{ ...PACS, tls: { verifyServer: 'yes' } }] })).toContain(
      'destinations[0].tls.verifyServer: must be true or false, got "yes"',
    );
  });
});
