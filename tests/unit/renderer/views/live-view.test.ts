// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import type { AssociationOpened } from '../../../../src-main/api/types/events.ts';
import LiveView from '../../../../src-renderer/src/views/LiveView.svelte';
import { setBridge } from '../../../../src-renderer/src/lib/bridge.ts';
import { instanceFocus } from '../../../../src-renderer/src/lib/instance-focus.svelte.ts';
import { addConnection, createTestBridge, nextFrame, type TestBridge } from '../test-bridge.ts';
import { destination, failed, forgetFocusedInstance, MR_IMAGE, received, study } from '../fixtures.ts';

let bridge: TestBridge;

beforeEach(() => {
  bridge = createTestBridge({
    listStudies: () => [
      study('1.2.3', { instanceCount: 10, seriesCount: 1 }),
      study('4.5.6', { patientName: 'ROE^RICHARD', instanceCount: 4 }),
    ],
    listAssociations: () => [],
    listDestinations: () => [destination('pacs'), destination('archive')],
    forwardStudies: (args) => ({ queued: args.studyInstanceUids.length * 7 }),
  });
  setBridge(bridge);
});

afterEach(() => {
  setBridge(undefined);
  vi.restoreAllMocks();
});

function logTable(): HTMLElement {
  return screen.getByRole('table', { name: 'Receive log' });
}

function logRows(): HTMLElement[] {
  return Array.from(logTable().querySelectorAll('.vlist-row'));
}

function logViewport(): HTMLElement {
  return logTable().querySelector('.vlist-viewport')!;
}

/** Association 7, a CT scanner calling the gateway from 10.1.1.9, as association-opened reports it now. */
function scannerAssociation(): AssociationOpened {
  return {
    associationId: 7,
    direction: 'inbound',
    callingAe: 'CT_SCANNER',
    calledAe: 'GATEWAY',
    peer: '10.1.1.9:50123',
    time: new Date().toISOString(),
  };
}

function studyRow(uid: string): HTMLElement {
  return document.querySelector(`tr[data-study="${uid}"]`)!;
}

async function renderLive() {
  const result = render(LiveView, { props: { active: true } });
  await waitFor(() => expect(studyRow('1.2.3')).toBeTruthy());
  return result;
}

describe('Live view', () => {
  test('instance events become log rows on the next frame, all of a burst in one batch', async () => {
    await renderLive();
    const frames = vi.spyOn(window, 'requestAnimationFrame');
    for (let i = 0; i < 50; i++) bridge.emit('instance-stored', received({ callingAe: 'CT_SCANNER' }));
    // Nothing is rendered while the events arrive: they wait for the frame.
    expect(logRows()).toHaveLength(0);
    expect(frames).toHaveBeenCalledTimes(1);
    await nextFrame();
    await waitFor(() => expect(logTable().getAttribute('aria-rowcount')).toBe('51'));
    const first = logRows()[0]!;
    expect(first.textContent).toContain('CT_SCANNER');
    expect(first.textContent).toContain('CT Image Storage');
    expect(first.textContent).toContain('Explicit VR Little Endian');
    expect(first.textContent).toContain('524 kB');
    expect(first.textContent).toContain('Stored');
  });

  test('duplicates and failures are logged with their status, a failure with its hex status and reason', async () => {
    await renderLive();
    bridge.emit('instance-duplicate', received({ sopClassUid: '1.2.840.10008.5.1.4.1.1.7' }));
    bridge.emit('instance-failed', failed());
    bridge.emit('instance-stored', received({ sopClassUid: '1.2.999.1', version: 2 }));
    await waitFor(() => expect(logRows()).toHaveLength(3));
    const [duplicate, failure, unknown] = logRows();
    expect(duplicate!.textContent).toContain('Secondary Capture Image Storage');
    expect(duplicate!.textContent).toContain('Duplicate');
    expect(failure!.textContent).toContain('MR Image Storage');
    expect(failure!.textContent).toContain('Failed 0xA700');
    expect(failure!.textContent).toContain('Out of resources: the disk is full');
    expect(failure!.textContent).toContain('Implicit VR Little Endian');
    // An unknown SOP class is shown by its UID, never guessed.
    expect(unknown!.textContent).toContain('1.2.999.1');
    expect(unknown!.textContent).toContain('Stored (version 2)');
  });

  test('the filter narrows the log to matching rows, and clearing it brings them back', async () => {
    await renderLive();
    for (let i = 0; i < 5; i++) bridge.emit('instance-stored', received({ callingAe: 'CT_SCANNER' }));
    for (let i = 0; i < 3; i++) bridge.emit('instance-stored', received({ callingAe: 'MR_SCANNER', sopClassUid: MR_IMAGE }));
    bridge.emit('instance-failed', failed({ callingAe: 'CT_SCANNER' }));
    await waitFor(() => expect(logRows()).toHaveLength(9));
    const filter = screen.getByLabelText('Filter the receive log');
    await fireEvent.input(filter, { target: { value: 'mr_scanner' } });
    await waitFor(() => expect(logRows()).toHaveLength(3));
    expect(logRows().every((r) => r.textContent!.includes('MR_SCANNER'))).toBe(true);
    await fireEvent.input(filter, { target: { value: 'ct 0xa700' } });
    await waitFor(() => expect(logRows()).toHaveLength(1));
    expect(logRows()[0]!.textContent).toContain('Failed 0xA700');
    // Rows arriving while filtered are filtered too.
    bridge.emit('instance-failed', failed({ callingAe: 'CT_SCANNER' }));
    bridge.emit('instance-stored', received({ callingAe: 'CT_SCANNER' }));
    await waitFor(() => expect(logRows()).toHaveLength(2));
    await fireEvent.input(filter, { target: { value: '' } });
    await waitFor(() => expect(logRows()).toHaveLength(11));
  });

  test('following keeps the newest row in view; pausing stops it', async () => {
    await renderLive();
    for (let i = 0; i < 200; i++) bridge.emit('instance-stored', received({ callingAe: `AE${i}` }));
    await nextFrame();
    // 200 rows of 30 px in a 420 px viewport: following scrolls to the end, and the last row is rendered.
    await waitFor(() => expect(logViewport().scrollTop).toBe(200 * 30 - 420));
    expect(logRows().at(-1)!.textContent).toContain('AE199');

    const toggle = screen.getByRole('button', { name: 'Following newest' });
    expect(toggle.getAttribute('aria-pressed')).toBe('true');
    await fireEvent.click(toggle);
    expect(screen.getByRole('button', { name: /Paused/ }).getAttribute('aria-pressed')).toBe('false');

    for (let i = 200; i < 300; i++) bridge.emit('instance-stored', received({ callingAe: `AE${i}` }));
    await nextFrame();
    await waitFor(() => expect(logTable().getAttribute('aria-rowcount')).toBe('301'));
    expect(logViewport().scrollTop).toBe(200 * 30 - 420);
    expect(logRows().some((r) => r.textContent!.includes('AE299'))).toBe(false);

    await fireEvent.click(screen.getByRole('button', { name: /Paused/ }));
    await waitFor(() => expect(logViewport().scrollTop).toBe(300 * 30 - 420));
    expect(logRows().at(-1)!.textContent).toContain('AE299');
  });

  test('scrolling up in the log stops following', async () => {
    await renderLive();
    for (let i = 0; i < 100; i++) bridge.emit('instance-stored', received());
    await waitFor(() => expect(logViewport().scrollTop).toBe(100 * 30 - 420));
    logViewport().scrollTop = 0;
    await fireEvent.scroll(logViewport());
    expect(screen.getByRole('button', { name: /Paused/ })).toBeTruthy();
  });

  test('instance counts of a listed study follow the index while instances arrive; duplicates do not count', async () => {
    let indexed = 9_999;
    bridge.handlers.listStudies = () => [study('4.5.6', { instanceCount: 4 }), study('1.2.3', { instanceCount: indexed })];
    await renderLive();
    const instances = () => studyRow('1.2.3').querySelector('[data-col="instances"]')!.textContent;
    expect(instances()).toBe('9,999');
    indexed = 10_001;
    bridge.handlers.listStudies = () => [study('1.2.3', { instanceCount: indexed }), study('4.5.6', { instanceCount: 4 })];
    bridge.emit('instance-stored', received({ studyInstanceUid: '1.2.3', seriesInstanceUid: '1.2.3.1' }));
    bridge.emit('instance-stored', received({ studyInstanceUid: '1.2.3', seriesInstanceUid: '1.2.3.1' }));
    bridge.emit('instance-duplicate', received({ studyInstanceUid: '1.2.3', seriesInstanceUid: '1.2.3.1' }));
    await waitFor(() => expect(instances()).toBe('10,001'));
    // The study that just received moved to the top, as the index orders them.
    expect(document.querySelector('tbody tr')!.getAttribute('data-study')).toBe('1.2.3');
  });

  test('an instance of a study not listed yet reloads the studies once (debounced) and shows it', async () => {
    await renderLive();
    expect(bridge.callsOf('listStudies')).toHaveLength(1);
    bridge.handlers.listStudies = () => [
      study('7.8.9', { patientName: 'NEW^PATIENT', instanceCount: 3, seriesCount: 2, modalities: 'CT,SR' }),
      study('1.2.3', { instanceCount: 10 }),
      study('4.5.6', { instanceCount: 4 }),
    ];
    for (let i = 0; i < 3; i++)
      bridge.emit('instance-stored', received({ studyInstanceUid: '7.8.9', seriesInstanceUid: `7.8.9.${i % 2}` }));
    await waitFor(() => expect(studyRow('7.8.9')).toBeTruthy());
    expect(bridge.callsOf('listStudies')).toHaveLength(2);
    const row = studyRow('7.8.9');
    expect(row.textContent).toContain('NEW, PATIENT');
    expect(row.querySelector('[data-col="series"]')!.textContent).toBe('2');
    expect(row.textContent).toContain('CT, SR');
  });

  test('open associations appear on association-opened, count their instances, and move to recent on close with peer, counts and bytes', async () => {
    await renderLive();
    bridge.emit('association-opened', scannerAssociation());
    const open = await screen.findByRole('list', { name: 'Open associations' });
    expect(open.textContent).toContain('CT_SCANNER → GATEWAY');
    expect(open.textContent).toContain('10.1.1.9:50123');
    bridge.emit('instance-stored', received({ associationId: 7 }));
    bridge.emit('instance-stored', received({ associationId: 7 }));
    await waitFor(() => expect(open.textContent).toContain('2 instances'));
    bridge.emit('association-closed', {
      ...scannerAssociation(),
      instances: 2,
      bytes: 1_048_576,
      result: 'released',
    });
    const recent = await screen.findByRole('list', { name: 'Recently closed associations' });
    // In full: who called whom, from where, how much, how it ended.
    expect(recent.textContent).toContain('CT_SCANNER → GATEWAY');
    expect(recent.textContent).toContain('10.1.1.9:50123');
    expect(recent.textContent).toContain('2 instances · 1.05 MB');
    expect(recent.textContent).toContain('released');
    // The list scrolls inside its panel, so it can be reached to scroll by keyboard.
    expect(screen.getByRole('region', { name: 'Associations, open and recently closed' }).tabIndex).toBe(0);
    expect(screen.queryByRole('list', { name: 'Open associations' })).toBeNull();
  });

  test('a stored row of the receive log opens its instance (that version) in the Instance view; a deleted one says so', async () => {
    bridge.handlers.listInstances = ({ sopInstanceUid }) =>
      sopInstanceUid === '9.9.9'
        ? [1, 2].map((version) => ({
            instanceId: 40 + version,
            sopInstanceUid: '9.9.9',
            sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
            sopClassName: 'CT Image Storage',
            version,
            transferSyntaxUid: '1.2.840.10008.1.2.1',
            studyInstanceUid: '1.2.3',
            seriesInstanceUid: '1.2.3.1',
            seriesNumber: 3,
            instanceNumber: 12,
            modality: 'CT',
            callingAe: 'CT_SCANNER',
            bytes: 10,
            receivedAt: new Date().toISOString(),
            duplicateCount: 0,
            encodingNote: null,
          }))
        : [];
    forgetFocusedInstance();
    await renderLive();
    bridge.emit('instance-stored', received({ sopInstanceUid: '9.9.9', version: 2 }));
    bridge.emit('instance-stored', received({ sopInstanceUid: '8.8.8' }));
    bridge.emit('instance-failed', failed({ sopInstanceUid: '7.7.7' }));
    await nextFrame();
    await fireEvent.click(await screen.findByRole('button', { name: 'Open instance 9.9.9 in the Instance view' }));
    await waitFor(() => expect(instanceFocus.current).toEqual({ instanceId: 42, label: 'CT Image Storage · series 3 · instance 12' }));
    // A failed instance was never stored: nothing to open.
    expect(screen.queryByRole('button', { name: 'Open instance 7.7.7 in the Instance view' })).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Open instance 8.8.8 in the Instance view' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Instance 8.8.8 is no longer stored');
    expect(instanceFocus.current?.instanceId).toBe(42);
  });

  test('associations already open when the view starts are listed, an IPv6 peer in brackets', async () => {
    bridge.handlers.listAssociations = () => [
      {
        associationId: 3,
        callingAe: 'US_CART',
        calledAe: 'GATEWAY',
        peer: 'fe80::3:4000',
        startedAt: new Date().toISOString(),
        endedAt: null,
        instances: 5,
        bytes: 100,
        result: null,
      },
      {
        associationId: 2,
        callingAe: 'OLD',
        calledAe: 'GATEWAY',
        peer: '10.0.0.2:4000',
        startedAt: new Date().toISOString(),
        endedAt: new Date().toISOString(),
        instances: 1,
        bytes: 1,
        result: 'released',
      },
    ];
    await renderLive();
    const open = await screen.findByRole('list', { name: 'Open associations' });
    expect(open.textContent).toContain('US_CART');
    expect(open.textContent).toContain('5 instances');
    expect(open.textContent).toContain('[fe80::3]:4000');
    expect(open.textContent).not.toContain('OLD');
  });

  test('the rate plot announces the number of files and megabytes per second', async () => {
    await renderLive();
    const plot = screen.getByRole('img', { name: /Receive rate/ });
    expect(plot.getAttribute('aria-label')).toContain('now 0 files/s and 0.0 MB/s');
    for (let i = 0; i < 4; i++) bridge.emit('instance-stored', received({ bytes: 1_000_000 }));
    await waitFor(() => expect(plot.getAttribute('aria-label')).toContain('peak over the last 5 minutes 4 files/s and 4.0 MB/s'));
  });

  test('sending selected studies queues them for the chosen destination and says how many', async () => {
    await renderLive();
    const sendButton = screen.getByRole('button', { name: 'Send selected studies…' }) as HTMLButtonElement;
    expect(sendButton.disabled).toBe(true);
    await fireEvent.click(within(studyRow('1.2.3')).getByRole('checkbox'));
    await fireEvent.click(within(studyRow('4.5.6')).getByRole('checkbox'));
    expect(sendButton.disabled).toBe(false);
    await fireEvent.click(sendButton);
    const form = await screen.findByRole('form', { name: 'Send selected studies' });
    const select = (await within(form).findByLabelText('Destination')) as HTMLSelectElement;
    within(select).getByRole<HTMLOptionElement>('option', { name: /^archive/ }).selected = true;
    await fireEvent.change(select);
    await fireEvent.click(within(form).getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(bridge.callsOf('forwardStudies')).toHaveLength(1));
    expect(bridge.callsOf('forwardStudies')[0]).toEqual({ studyInstanceUids: ['1.2.3', '4.5.6'], destination: 'archive' });
    const status = await within(form).findByRole('status');
    expect(status.textContent).toContain('Queued 14 instances from 2 studies for archive');
  });

  test('Esc closes "Send selected studies" also when the focus is elsewhere in Live', async () => {
    await renderLive();
    await fireEvent.click(within(studyRow('1.2.3')).getByRole('checkbox'));
    await fireEvent.click(screen.getByRole('button', { name: 'Send selected studies…' }));
    await screen.findByRole('form', { name: 'Send selected studies' });
    (document.activeElement as HTMLElement | null)?.blur();
    await fireEvent.keyDown(document.body, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('form', { name: 'Send selected studies' })).toBeNull());
  });

  test('select all picks every listed study; a refused forward shows the message with details', async () => {
    bridge.handlers.forwardStudies = () => {
      throw Object.assign(new Error('The destination "pacs" is switched off.'), { detail: 'destination pacs: enabled=false' });
    };
    await renderLive();
    await fireEvent.click(screen.getByRole('checkbox', { name: 'Select all studies' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Send selected studies…' }));
    const form = await screen.findByRole('form', { name: 'Send selected studies' });
    await within(form).findByLabelText('Destination');
    await fireEvent.click(within(form).getByRole('button', { name: 'Send' }));
    const alert = await within(form).findByRole('alert');
    expect(bridge.callsOf('forwardStudies')[0]).toEqual({ studyInstanceUids: ['1.2.3', '4.5.6'], destination: 'pacs' });
    expect(alert.textContent).toContain('The destination "pacs" is switched off.');
    expect(alert.querySelector('details pre')!.textContent).toBe('destination pacs: enabled=false');
  });

  test('after a lost connection comes back, studies and open associations are read again', async () => {
    const report = addConnection(bridge);
    await renderLive();
    bridge.emit('association-opened', scannerAssociation());
    await screen.findByRole('list', { name: 'Open associations' });
    report('reconnecting');
    // Meanwhile association 7 closed and a new study arrived; those events were lost with the connection.
    bridge.handlers.listAssociations = () => [];
    bridge.handlers.listStudies = () => [study('7.8.9', { patientName: 'NEW^PATIENT' }), study('1.2.3'), study('4.5.6')];
    report('open');
    await waitFor(() => expect(studyRow('7.8.9')).toBeTruthy());
    await waitFor(() => expect(screen.queryByRole('list', { name: 'Open associations' })).toBeNull());
    expect(bridge.callsOf('listAssociations')).toHaveLength(2);
  });
});
