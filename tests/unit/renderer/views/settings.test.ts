// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayStatus, Settings } from '../../../../src-main/api/contract.ts';
import SettingsView from '../../../../src-renderer/src/views/SettingsView.svelte';
import { gatewayStatus, settings } from '../fixtures.ts';
import { installTestBridge } from './view-test-bridge.ts';

const SETTINGS: Settings = settings(
  { storage: '/data/gateway', allowedCallingAes: ['CT1', 'MR2'] },
  { aeTitle: { kind: 'saved' }, allowedCallingAes: { kind: 'saved' } },
);

const STATUS: GatewayStatus = gatewayStatus({ host: '0.0.0.0', storage: '/data/gateway' });

afterEach(() => {
  cleanup();
  delete window.gateway;
});

async function type(label: string, value: string): Promise<void> {
  const input = screen.getByLabelText(label) as HTMLInputElement;
  await fireEvent.input(input, { target: { value } });
  await fireEvent.blur(input);
}

describe('SettingsView', () => {
  it('says under each field where its value comes from; a value a flag or the config file set cannot be edited and is never sent', async () => {
    const pinned: Settings = {
      ...SETTINGS,
      sources: {
        ...SETTINGS.sources,
        port: { kind: 'flag', flag: '--port' },
        maxAssociations: { kind: 'config-file', file: '/etc/gateway.yaml', key: 'maxAssociations' },
      },
    };
    const bridge = installTestBridge()
      .answer('getSettings', pinned)
      .answer('saveSettings', ({ settings }) => ({ ...pinned, ...settings }))
      .answer('getStatus', STATUS);
    render(SettingsView, { active: true });
    const port = (await screen.findByLabelText('Port')) as HTMLInputElement;
    expect(port.readOnly).toBe(true);
    expect(document.getElementById('settings-port-message')!.textContent).toContain(
      'Set by the --port flag the gateway was started with: change it there.',
    );
    expect(document.getElementById('settings-maxAssociations-message')!.textContent).toContain(
      'Set by "maxAssociations" in /etc/gateway.yaml',
    );
    expect((screen.getByLabelText('Maximum associations') as HTMLInputElement).readOnly).toBe(true);
    expect(document.getElementById('settings-aeTitle-message')!.textContent).toContain('Saved here: used at every start.');
    expect(document.getElementById('settings-maxPduLength-message')!.textContent).toContain('Default.');
    await type('AE title', 'ROUTER1');
    await fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(bridge.argsOf('saveSettings')).toEqual([{ settings: { aeTitle: 'ROUTER1' } }]));
    // As a person reads it: the markup's line breaks are white space like any other.
    expect((await screen.findByRole('status')).textContent!.replace(/\s+/g, ' ')).toContain('used from now on and at every start');
  });

  it('shows the settings, the storage folder read-only', async () => {
    installTestBridge().answer('getSettings', SETTINGS);
    render(SettingsView, { active: true });
    const ae = (await screen.findByLabelText('AE title')) as HTMLInputElement;
    expect(ae.value).toBe('GATEWAY');
    const storage = screen.getByLabelText('Storage folder') as HTMLInputElement;
    expect(storage.value).toBe('/data/gateway');
    expect(storage.readOnly).toBe(true);
    expect((screen.getByLabelText('Allowed calling AE titles') as HTMLTextAreaElement).value).toBe('CT1, MR2');
  });

  it('offers no folder change in the browser, where serve --storage decides', async () => {
    installTestBridge().answer('getSettings', SETTINGS).answer('getStatus', STATUS);
    render(SettingsView, { active: true });
    await screen.findByLabelText('Storage folder');
    expect(screen.queryByRole('button', { name: 'Change folder…' })).toBeNull();
  });

  it("on the desktop changes the storage folder through the app's dialog and says that nothing was moved", async () => {
    const bridge = installTestBridge().answer('getSettings', SETTINGS).answer('getStatus', STATUS);
    window.gateway = bridge;
    bridge.answer('chooseStorageFolder', () => {
      bridge.answer('getSettings', { ...SETTINGS, storage: '/local/new-store' });
      return { changed: true, storage: '/local/new-store', previous: '/data/gateway' };
    });
    render(SettingsView, { active: true });
    await fireEvent.click(await screen.findByRole('button', { name: 'Change folder…' }));
    const done = await screen.findByText(/Storage folder changed/);
    expect(done.closest('[role="status"]')!.textContent).toMatch(
      /\/local\/new-store.*Images received before stay in \/data\/gateway; nothing was moved/s,
    );
    await waitFor(() => expect((screen.getByLabelText('Storage folder') as HTMLInputElement).value).toBe('/local/new-store'));
    expect(bridge.argsOf('chooseStorageFolder')).toEqual([undefined]);
  });

  it('on the desktop shows why a folder was refused', async () => {
    const bridge = installTestBridge().answer('getSettings', SETTINGS).answer('getStatus', STATUS);
    window.gateway = bridge;
    bridge.fail('chooseStorageFolder', {
      message: '/home/rad/Documents already holds other files. Choose an empty folder.',
      detail: 'chooseStorageFolder: refused',
    });
    render(SettingsView, { active: true });
    await fireEvent.click(await screen.findByRole('button', { name: 'Change folder…' }));
    expect(await screen.findByText(/already holds other files/)).toBeTruthy();
  });

  it('with the listener stopped, says why and lets the user retry the port or save another', async () => {
    const reason = 'Cannot listen on 0.0.0.0:11112: the port is already in use by another program. Choose another port. (EADDRINUSE)';
    const bridge = installTestBridge()
      .answer('getSettings', SETTINGS)
      .answer('getStatus', { ...STATUS, listening: false, listenError: reason });
    bridge.answer('saveSettings', ({ settings }) => ({ ...SETTINGS, ...settings }));
    render(SettingsView, { active: true });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain(reason);
    await fireEvent.click(screen.getByRole('button', { name: 'Try port 11112 again' }));
    await waitFor(() => expect(bridge.argsOf('saveSettings')).toEqual([{ settings: { port: 11112 } }]));
  });

  it('saves only the fields that changed and shows the gateway’s new status', async () => {
    const bridge = installTestBridge()
      .answer('getSettings', SETTINGS)
      .answer('saveSettings', ({ settings }) => ({ ...SETTINGS, ...settings }))
      .answer('getStatus', { ...STATUS, port: 4242 });
    render(SettingsView, { active: true });
    await screen.findByLabelText('Port');
    await type('Port', '4242');
    await type('Allowed calling AE titles', 'CT1,\nMR2, US3');
    await type('Maximum PDU length (bytes)', '65536');
    expect(screen.getByText(/Saving restarts the DICOM listener on port 4242/)).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() =>
      expect(bridge.argsOf('saveSettings')).toEqual([{ settings: { port: 4242, allowedCallingAes: ['CT1', 'MR2', 'US3'] } }]),
    );
    const listens = await screen.findByText(/The gateway now listens as/);
    expect(listens.textContent!.replace(/\s+/g, ' ')).toContain('on port 4242 (all interfaces).');
  });

  it('blocks an invalid port with a message next to the field', async () => {
    const bridge = installTestBridge().answer('getSettings', SETTINGS);
    render(SettingsView, { active: true });
    await screen.findByLabelText('Port');
    await type('Port', '70000');
    expect(screen.getByText('must be a port number 0-65535 (0: let the system choose), got 70000')).toBeTruthy();
    expect(screen.getByLabelText('Port').getAttribute('aria-invalid')).toBe('true');
    await fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(bridge.argsOf('saveSettings')).toHaveLength(0);
    expect(screen.queryByText(/Saving restarts the DICOM listener/)).toBeNull();
  });

  it('shows the engine’s refusal with its detail', async () => {
    installTestBridge().answer('getSettings', SETTINGS).fail('saveSettings', {
      message: 'Port 104 is in use by another program.',
      detail: 'listen EADDRINUSE: address already in use 0.0.0.0:104',
    });
    render(SettingsView, { active: true });
    await screen.findByLabelText('Port');
    await type('Port', '104');
    await fireEvent.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(await screen.findByText('Port 104 is in use by another program.')).toBeTruthy();
    expect(screen.getByText(/EADDRINUSE/)).toBeTruthy();
  });

  it('follows settings changed elsewhere while nothing is being edited', async () => {
    const bridge = installTestBridge().answer('getSettings', SETTINGS);
    render(SettingsView, { active: true });
    await screen.findByLabelText('AE title');
    bridge.emit('settings-changed', { ...SETTINGS, aeTitle: 'ROUTER' });
    await waitFor(() => expect((screen.getByLabelText('AE title') as HTMLInputElement).value).toBe('ROUTER'));
  });
});
