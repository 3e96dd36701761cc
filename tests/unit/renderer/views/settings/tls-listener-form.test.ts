import { describe, expect, it } from 'vitest';
import type { TlsListenerStatus } from '../../../../../src-main/api/contract.ts';
import {
  tlsChangeOf,
  tlsDraftChanged,
  tlsDraftOf,
  tlsStateWords,
  validateTlsDraft,
} from '../../../../../src-renderer/src/views/settings/tls-listener-form.ts';

const LISTENING: TlsListenerStatus = {
  settings: {
    port: 2762,
    cert: '/pki/server.pem',
    key: '/pki/server.key',
    ca: '/pki/ca.pem',
    requireClientCert: true,
    hasPassphrase: true,
  },
  state: 'listening',
  host: '0.0.0.0',
  port: 2762,
  reason: null,
  source: { kind: 'saved' },
};

const OFF: TlsListenerStatus = { settings: null, state: 'off', host: null, port: null, reason: null, source: { kind: 'default' } };

describe('the TLS listener form', () => {
  it('starts from the registered DICOM TLS port and no files when TLS is off', () => {
    expect(tlsDraftOf(OFF)).toEqual({ port: '2762', cert: '', key: '', ca: '', requireClientCert: false, passphrase: '' });
  });

  it('never holds a passphrase it was not typed, and sends one only when typed', () => {
    const draft = tlsDraftOf(LISTENING);
    expect(draft.passphrase).toBe('');
    expect(tlsChangeOf(draft)).toEqual({
      port: 2762,
      cert: '/pki/server.pem',
      key: '/pki/server.key',
      ca: '/pki/ca.pem',
      requireClientCert: true,
    });
    expect(tlsChangeOf({ ...draft, passphrase: 'secret' }).passphrase).toBe('secret');
    expect(tlsChangeOf({ ...draft, ca: '' }).ca).toBeNull();
  });

  it('asks for a port, a certificate and a key, and a CA bundle when client certificates are required', () => {
    const errors = validateTlsDraft({ port: '70000', cert: '', key: '', ca: '', requireClientCert: true, passphrase: '' });
    expect(errors.port).toMatch(/must be a port number 0-65535/);
    expect(errors.cert).toMatch(/certificate/);
    expect(errors.key).toMatch(/private key/);
    expect(errors.ca).toMatch(/CA bundle/);
    expect(validateTlsDraft(tlsDraftOf(LISTENING))).toEqual({});
  });

  it('tells an edited draft from the saved settings', () => {
    expect(tlsDraftChanged(LISTENING, tlsDraftOf(LISTENING))).toBe(false);
    expect(tlsDraftChanged(LISTENING, { ...tlsDraftOf(LISTENING), port: '2763' })).toBe(true);
  });

  it('says where it listens, or why it does not', () => {
    expect(tlsStateWords(LISTENING)).toBe('Listening for DICOM TLS on port 2762 (all interfaces), senders must show a client certificate.');
    expect(
      tlsStateWords({ ...LISTENING, state: 'stopped', host: null, reason: 'Cannot listen on 0.0.0.0:2762: the port is already in use' }),
    ).toBe('Not listening for DICOM TLS on port 2762: Cannot listen on 0.0.0.0:2762: the port is already in use');
    expect(tlsStateWords(OFF)).toMatch(/^Off/);
  });
});
