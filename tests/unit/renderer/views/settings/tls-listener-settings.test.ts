// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { TlsListenerStatus } from '../../../../../src-main/api/contract.ts';
import TlsListenerSettings from '../../../../../src-renderer/src/views/settings/TlsListenerSettings.svelte';
import { installTestBridge } from '../view-test-bridge.ts';

const OFF: TlsListenerStatus = { settings: null, state: 'off', host: null, port: null, reason: null, source: { kind: 'default' } };

const LISTENING: TlsListenerStatus = {
  settings: { port: 2762, cert: '/pki/server.pem', key: '/pki/server.key', ca: null, requireClientCert: false, hasPassphrase: true },
  state: 'listening',
  host: '0.0.0.0',
  port: 2762,
  reason: null,
  source: { kind: 'saved' },
};

afterEach(() => {
  cleanup();
});

async function choose(label: string, file: File): Promise<void> {
  const input = screen.getByLabelText(label) as HTMLInputElement;
  Object.defineProperty(input, 'files', { value: [file], configurable: true });
  await fireEvent.change(input);
}

describe('TlsListenerSettings', () => {
  it('starts a TLS listener from chosen files and shows where it now listens', async () => {
    const bridge = installTestBridge()
      .answer('getTlsListener', OFF)
      .answer('saveTlsListener', ({ tls }) => ({
        ...LISTENING,
        settings: { ...tls!, ca: tls!.ca, hasPassphrase: false },
        port: tls!.port,
      }));
    bridge.droppedPaths = ['/home/me/server.pem'];
    render(TlsListenerSettings, { active: true });
    expect((await screen.findByTestId('tls-state')).textContent).toMatch(/Off: the gateway receives over plain DICOM only/);
    await choose('Choose the certificate file', new File(['pem'], 'server.pem'));
    await waitFor(() => expect((screen.getByLabelText('Certificate') as HTMLInputElement).value).toBe('/home/me/server.pem'));
    bridge.droppedPaths = ['/home/me/server.key'];
    await choose('Choose the private key file', new File(['key'], 'server.key'));
    await waitFor(() => expect((screen.getByLabelText('Private key') as HTMLInputElement).value).toBe('/home/me/server.key'));
    await fireEvent.input(screen.getByLabelText('TLS port'), { target: { value: '11113' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Start TLS listener' }));
    await waitFor(() =>
      expect(bridge.argsOf('saveTlsListener')).toEqual([
        { tls: { port: 11113, cert: '/home/me/server.pem', key: '/home/me/server.key', ca: null, requireClientCert: false } },
      ]),
    );
    expect((await screen.findByTestId('tls-state')).textContent).toMatch(/Listening for DICOM TLS on port 11113 \(all interfaces\)/);
  });

  it('refuses to save without a CA bundle when client certificates are required, and sends nothing', async () => {
    const bridge = installTestBridge().answer('getTlsListener', LISTENING);
    render(TlsListenerSettings, { active: true });
    await fireEvent.click(await screen.findByLabelText('Require a client certificate'));
    await fireEvent.click(screen.getByRole('button', { name: 'Save TLS listener' }));
    expect(await screen.findByText('Requiring client certificates needs the CA bundle they must be signed by.')).toBeTruthy();
    expect(bridge.argsOf('saveTlsListener')).toEqual([]);
  });

  it('shows a refusal in plain words with its detail, keeps the edits, and sends the passphrase only when typed', async () => {
    const bridge = installTestBridge().answer('getTlsListener', LISTENING).fail('saveTlsListener', {
      message: 'Cannot listen on 0.0.0.0:2763: the port is already in use by another program. Choose another port. (EADDRINUSE)',
      detail: 'saveTlsListener: EADDRINUSE: listen EADDRINUSE',
    });
    render(TlsListenerSettings, { active: true });
    expect(((await screen.findByLabelText('Key passphrase')) as HTMLInputElement).value).toBe('');
    expect(screen.getByText('The gateway has this key’s passphrase: leave empty to keep it.')).toBeTruthy();
    await fireEvent.input(screen.getByLabelText('TLS port'), { target: { value: '2763' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save TLS listener' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('the port is already in use');
    expect(alert.textContent).toContain('saveTlsListener: EADDRINUSE');
    expect((screen.getByLabelText('TLS port') as HTMLInputElement).value).toBe('2763');
    expect(bridge.argsOf('saveTlsListener')[0]).not.toHaveProperty('tls.passphrase');
    await fireEvent.input(screen.getByLabelText('Key passphrase'), { target: { value: 's3cret' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save TLS listener' }));
    await waitFor(() => expect(bridge.argsOf('saveTlsListener')[1]).toMatchObject({ tls: { port: 2763, passphrase: 's3cret' } }));
  });

  it('shows a listener a flag set, read-only, with no way to save or turn it off', async () => {
    installTestBridge().answer('getTlsListener', { ...LISTENING, source: { kind: 'flag', flag: '--tls-port' } });
    render(TlsListenerSettings, { active: true });
    expect((await screen.findByText(/Set by the --tls-port flag/)).textContent).toContain('It cannot be changed here.');
    expect((screen.getByLabelText('TLS port') as HTMLInputElement).readOnly).toBe(true);
    expect(screen.queryByRole('button', { name: /Save TLS listener|Turn TLS off|Choose/ })).toBeNull();
    expect(screen.queryByLabelText('Key passphrase')).toBeNull();
  });

  it('turns TLS off and says so', async () => {
    const bridge = installTestBridge()
      .answer('getTlsListener', LISTENING)
      .answer('saveTlsListener', { ...OFF, source: { kind: 'saved' } });
    render(TlsListenerSettings, { active: true });
    await fireEvent.click(await screen.findByRole('button', { name: 'Turn TLS off' }));
    await waitFor(() => expect(bridge.argsOf('saveTlsListener')).toEqual([{ tls: null }]));
    expect((await screen.findByTestId('tls-state')).textContent).toMatch(/^\s*Off/);
  });

  it('shows a listener that could not start with the reason', async () => {
    installTestBridge().answer('getTlsListener', {
      ...LISTENING,
      state: 'stopped',
      host: null,
      reason: 'the certificate /pki/server.pem expired on Jan  2 00:00:00 2020 GMT',
    });
    render(TlsListenerSettings, { active: true });
    expect((await screen.findByTestId('tls-state')).textContent).toContain(
      'Not listening for DICOM TLS on port 2762: the certificate /pki/server.pem expired',
    );
  });
});
