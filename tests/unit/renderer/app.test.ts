// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import App from '../../../src-renderer/src/App.svelte';
import { setBridge } from '../../../src-renderer/src/lib/bridge.ts';
import { views } from '../../../src-renderer/src/views/views.ts';
import { addConnection, commandFailure, createTestBridge, type TestBridge } from './test-bridge.ts';
import { gatewayStatus, settings } from './fixtures.ts';

let bridge: TestBridge;

beforeEach(() => {
  bridge = createTestBridge({
    getStatus: () => gatewayStatus(),
    listStudies: () => [],
    listAssociations: () => [],
    listDestinations: () => [],
  });
  setBridge(bridge);
});

afterEach(() => setBridge(undefined));

function navButton(label: string): HTMLElement {
  return within(screen.getByRole('navigation', { name: 'Views' })).getByRole('button', { name: new RegExp(`^${label}\\b`) });
}

describe('App shell', () => {
  test('lists every registered view in the navigation, Live first and current', () => {
    render(App);
    const nav = screen.getByRole('navigation', { name: 'Views' });
    const labels = Array.from(nav.querySelectorAll('button')).map((b) => b.querySelector('.nav-label')?.textContent);
    expect(labels).toEqual(views.map((v) => v.label));
    expect(labels.slice(0, 2)).toEqual(['Live', 'Send']);
    expect(navButton('Live').getAttribute('aria-current')).toBe('page');
    expect(screen.getByRole('heading', { level: 1, name: 'Live' })).toBeTruthy();
  });

  test('Ctrl+2 switches to the Send view and puts focus on its heading', async () => {
    render(App);
    await fireEvent.keyDown(window, { key: '2', code: 'Digit2', ctrlKey: true });
    const heading = await screen.findByRole('heading', { level: 1, name: 'Send' });
    expect(navButton('Send').getAttribute('aria-current')).toBe('page');
    expect(navButton('Live').getAttribute('aria-current')).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(heading));
    // Live stays mounted (hidden), so its receive log keeps collecting.
    const liveSection = document.getElementById('view-title-live')!.closest('section')!;
    expect(liveSection.hidden).toBe(true);
    expect(bridge.listenerCount('instance-stored')).toBeGreaterThan(0);
  });

  test('Cmd+1 (macOS) brings Live back', async () => {
    render(App);
    await fireEvent.click(navButton('Send'));
    expect(navButton('Send').getAttribute('aria-current')).toBe('page');
    await fireEvent.keyDown(window, { key: '1', code: 'Digit1', metaKey: true });
    expect(navButton('Live').getAttribute('aria-current')).toBe('page');
  });

  // With ten views every digit has one; the tenth is reached from the navigation only.
  test('Ctrl+9 opens the ninth view, and no shortcut is shown for the tenth', async () => {
    render(App);
    await fireEvent.keyDown(window, { key: '9', code: 'Digit9', ctrlKey: true });
    expect(navButton(views[8]!.label).getAttribute('aria-current')).toBe('page');
    expect(navButton(views[9]!.label).getAttribute('aria-keyshortcuts')).toBeNull();
  });

  test('arrow keys move focus through the navigation', async () => {
    render(App);
    navButton('Live').focus();
    await fireEvent.keyDown(navButton('Live'), { key: 'ArrowDown' });
    expect(document.activeElement).toBe(navButton('Send'));
    await fireEvent.keyDown(navButton('Send'), { key: 'ArrowUp' });
    expect(document.activeElement).toBe(navButton('Live'));
  });

  test('the header shows the AE title and address from getStatus, and reads it again after a settings change', async () => {
    render(App);
    const banner = screen.getByRole('banner');
    await waitFor(() => expect(banner.textContent).toContain('GATEWAY'));
    expect(banner.textContent).toContain('127.0.0.1:11112');
    bridge.handlers.getStatus = () => gatewayStatus({ aeTitle: 'ROUTER', port: 4242 });
    bridge.emit(
      'settings-changed',
      settings(
        { aeTitle: 'ROUTER', port: 4242, acceptUnknownSopClasses: false, maxAssociations: 8 },
        { aeTitle: { kind: 'saved' }, port: { kind: 'saved' } },
      ),
    );
    await waitFor(() => expect(banner.textContent).toContain('ROUTER'));
    expect(banner.textContent).toContain('127.0.0.1:4242');
  });

  test('a stopped DICOM listener is shown with its reason and a way to Settings, until a saved port listens', async () => {
    const reason = 'Cannot listen on 0.0.0.0:11112: the port is already in use by another program. Choose another port. (EADDRINUSE)';
    bridge.handlers.getStatus = () => gatewayStatus({ host: '', listening: false, listenError: reason });
    render(App);
    const banner = screen.getByRole('banner');
    await waitFor(() => expect(banner.textContent).toContain(`Not receiving: ${reason}`));
    expect(banner.textContent).not.toContain('Listening as');
    screen.getByRole('button', { name: 'Open Settings' }).click();
    await waitFor(() => expect(screen.getByRole('heading', { level: 1, name: 'Settings' })).toBeTruthy());
    bridge.handlers.getStatus = () => gatewayStatus({ host: '0.0.0.0', port: 11113 });
    bridge.emit('settings-changed', settings({ port: 11113 }, { port: { kind: 'saved' } }));
    await waitFor(() => expect(banner.textContent).toContain('Listening as GATEWAY on port 11113 (all interfaces)'));
    // An address is set in the font of addresses; "all interfaces" is words, not an address to dial.
    expect([...banner.querySelectorAll('.mono')].map((e) => e.textContent)).toEqual(['11113']);
  });

  test('a store refusing images because its disk is full is said in the header, until the engine says it accepts them again', async () => {
    render(App);
    const banner = screen.getByRole('banner');
    const text = () => banner.textContent!.replace(/\s+/g, ' ');
    await waitFor(() => expect(text()).toContain('Listening as GATEWAY'));
    const reason = 'storage full: ENOSPC: no space left on device, write';
    bridge.handlers.getStatus = () => gatewayStatus({ storeReadOnly: reason });
    bridge.emit('store-state-changed', { readOnlyReason: reason, time: new Date().toISOString() });
    await waitFor(() =>
      expect(text()).toContain(
        'Refusing images as GATEWAY: the disk holding /data is full. Receiving resumes by itself once space is freed.',
      ),
    );
    expect(within(banner).getByTitle(reason)).toBeTruthy();
    bridge.handlers.getStatus = () => gatewayStatus();
    bridge.emit('store-state-changed', { readOnlyReason: null, time: new Date().toISOString() });
    await waitFor(() => expect(text()).toContain('Listening as GATEWAY on 127.0.0.1:11112'));
    expect([...banner.querySelectorAll('.mono')].map((e) => e.textContent)).toEqual(['127.0.0.1:11112']);
    expect(text()).not.toContain('Refusing');
  });

  test('while the desktop app quits, the header says how many transfers it is finishing and by when', async () => {
    render(App);
    const banner = screen.getByRole('banner');
    await waitFor(() => expect(banner.textContent).toContain('Listening as'));
    const deadlineAt = new Date(Date.now() + 15_000).toISOString();
    bridge.emit('gateway-stopping', { transfers: 3, deadlineAt });
    const text = () => banner.textContent!.replace(/\s+/g, ' ');
    await waitFor(() =>
      expect(text()).toContain(`Quitting: finishing 3 transfers, at the latest by ${new Date(deadlineAt).toLocaleTimeString()}`),
    );
    expect(banner.textContent).not.toContain('Listening as');
    bridge.emit('gateway-stopping', { transfers: 1, deadlineAt });
    await waitFor(() => expect(text()).toContain('finishing 1 transfer,'));
  });

  test('a gateway that does not answer is said in words, with the detail behind Details', async () => {
    bridge.handlers.getStatus = () => {
      throw commandFailure('Cannot reach the gateway.', 'ws://127.0.0.1:5000/api: connection refused');
    };
    render(App);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Cannot reach the gateway.');
    const details = alert.querySelector('details')!;
    expect(details.open).toBe(false);
    expect(details.querySelector('summary')!.textContent).toBe('Details');
    expect(details.textContent).toContain('connection refused');
    expect(screen.getByRole('banner').textContent).toContain('Gateway not reachable');
  });

  test('a lost browser connection is shown in the header and over the dimmed views until it comes back, then the status is read again', async () => {
    const report = addConnection(bridge);
    render(App);
    const banner = screen.getByRole('banner');
    await waitFor(() => expect(banner.textContent).toContain('GATEWAY'));
    report('reconnecting');
    await waitFor(() => expect(banner.textContent).toContain('Connection to the gateway lost — reconnecting…'));
    // Not only the header: the views say they are not live, and dim.
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('what is shown here is not live until it is back');
    expect(document.querySelector('main')!.classList.contains('stale')).toBe(true);
    bridge.handlers.getStatus = () => gatewayStatus({ aeTitle: 'GATEWAY2' });
    report('open');
    await waitFor(() => expect(banner.textContent).toContain('GATEWAY2'));
    expect(banner.textContent).not.toContain('reconnecting');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(document.querySelector('main')!.classList.contains('stale')).toBe(false);
  });
});
