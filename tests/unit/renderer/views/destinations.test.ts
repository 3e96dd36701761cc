// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobUpdated, QueueCount, StudyAwaitingQuiet } from '../../../../src-main/api/contract.ts';
import type { Destination } from '../../../../src-main/api/types/routing.ts';
import DestinationsView from '../../../../src-renderer/src/views/DestinationsView.svelte';
import { destination } from '../fixtures.ts';
import { installTestBridge } from './view-test-bridge.ts';

// The form shows timeouts in seconds: 30 s here, checked when editing.
const PACS: Destination = destination('PACS', { aeTitle: 'MAIN_PACS', host: 'pacs.example', connectTimeoutMs: 30_000 });

afterEach(() => cleanup());

async function type(label: string, value: string): Promise<void> {
  const input = screen.getByLabelText(label) as HTMLInputElement;
  await fireEvent.input(input, { target: { value } });
  await fireEvent.blur(input);
}

describe('DestinationsView', () => {
  it('lists the destinations from listDestinations', async () => {
    const bridge = installTestBridge().answer('listDestinations', [PACS]);
    render(DestinationsView, { active: true });
    const row = (await screen.findByText('PACS')).closest('tr')!;
    expect(within(row).getByText('MAIN_PACS')).toBeTruthy();
    expect(within(row).getByText('pacs.example:104')).toBeTruthy();
    expect(bridge.argsOf('listDestinations')).toHaveLength(1);
  });

  it("says per destination what waits in its queue, in the Queue's words, and follows job updates", async () => {
    const ARCHIVE = destination('ARCHIVE');
    let counts: QueueCount[] = [
      { destination: 'PACS', state: 'retry-wait', count: 5000 },
      { destination: 'PACS', state: 'dead', count: 1 },
      { destination: 'PACS', state: 'sent', count: 12 },
      { destination: 'ARCHIVE', state: 'sent', count: 3 },
    ];
    const bridge = installTestBridge()
      .answer('listDestinations', [PACS, ARCHIVE])
      .answer('queueCounts', () => counts);
    render(DestinationsView, { active: true });
    const rowOf = async (name: string) => (await screen.findByText(name, { selector: 'th' })).closest('tr')!;
    await waitFor(async () => expect(within(await rowOf('PACS')).getByText('5,000 waiting to retry').classList).toContain('warn'));
    // Each count on its own, in its own tone: one that needs a person stands out from one that will be retried.
    expect(within(await rowOf('PACS')).getByText('1 dead letter').classList).toContain('bad');
    expect(within(await rowOf('ARCHIVE')).getByText('Nothing waiting')).toBeTruthy();

    counts = [
      { destination: 'PACS', state: 'dead', count: 1 },
      { destination: 'PACS', state: 'sent', count: 5012 },
      { destination: 'ARCHIVE', state: 'queued', count: 2 },
    ];
    bridge.emit('job-updated', {
      jobId: 1,
      instanceId: 1,
      sopInstanceUid: '1.2.3',
      destination: 'PACS',
      state: 'sent',
      attempts: 2,
      error: undefined,
      nextAttemptAt: undefined,
    } satisfies JobUpdated);
    await waitFor(async () => expect(within(await rowOf('ARCHIVE')).getByText('2 queued')).toBeTruthy(), { timeout: 3000 });
    expect(within(await rowOf('PACS')).queryByText(/waiting to retry/)).toBeNull();
    expect(within(await rowOf('PACS')).getByText('1 dead letter')).toBeTruthy();
  });

  it('counts the studies a study-quiet rule holds back for a destination, read again as instances arrive', async () => {
    let held: StudyAwaitingQuiet[] = [];
    const bridge = installTestBridge()
      .answer('listDestinations', [PACS])
      .answer('queueCounts', [])
      .answer('studiesAwaitingQuiet', () => held);
    render(DestinationsView, { active: true });
    const row = async () => (await screen.findByText('PACS', { selector: 'th' })).closest('tr')!;
    await waitFor(async () => expect(within(await row()).getByText('Nothing waiting')).toBeTruthy());
    const now = new Date().toISOString();
    const study = (uid: string): StudyAwaitingQuiet => ({
      studyInstanceUid: uid,
      rule: 'whole',
      destination: 'PACS',
      quietSeconds: 120,
      lastReceivedAt: now,
      forwardsAt: now,
      study: null,
    });
    held = [study('1.2.1'), study('1.2.2')];
    bridge.emit('instance-stored', {} as never);
    await waitFor(async () => expect(within(await row()).getByText('2 studies waiting to be complete')).toBeTruthy(), { timeout: 3000 });
  });

  it('refuses to add a destination with an invalid port, naming the problem next to the field, and saves with timeouts in milliseconds once fixed', async () => {
    const saved: Destination[] = [];
    const bridge = installTestBridge()
      .answer('listDestinations', [PACS])
      .answer('saveDestination', ({ destination }) => {
        saved.push(destination);
        return [PACS, destination];
      });
    render(DestinationsView, { active: true });
    await screen.findByText('PACS');
    await fireEvent.click(screen.getByRole('button', { name: 'Add destination' }));

    await type('Name', 'ARCHIVE');
    await type('AE title', 'LONG_TERM_ARCHIVE_X');
    await type('Host', '10.0.0.7');
    await type('Port', '70000');
    await type('Connect timeout (seconds)', '5');
    await type('Answer timeout (seconds)', '12.5');
    await fireEvent.click(screen.getByRole('button', { name: 'Save destination' }));

    expect(screen.getByText('must be a port number 1-65535, got 70000')).toBeTruthy();
    expect(screen.getByText('must be an AE title of 1-16 characters, got "LONG_TERM_ARCHIVE_X" (19 characters)')).toBeTruthy();
    const port = screen.getByLabelText('Port');
    expect(port.getAttribute('aria-invalid')).toBe('true');
    expect(bridge.argsOf('saveDestination')).toHaveLength(0);

    await type('Port', '11112');
    await type('AE title', 'LTA');
    await fireEvent.click(screen.getByRole('button', { name: 'Save destination' }));

    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]).toEqual({
      name: 'ARCHIVE',
      aeTitle: 'LTA',
      host: '10.0.0.7',
      port: 11112,
      callingAe: undefined,
      maxPduLength: 65536,
      connectTimeoutMs: 5000,
      dimseTimeoutMs: 12_500,
      maxAssociations: 1,
      enabled: true,
      allowTranscoding: false,
    });
    // The list now shows what the engine returned, and the form is gone.
    expect(await screen.findByText('ARCHIVE')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Save destination' })).toBeNull();
  });

  it('refuses a name that is already taken', async () => {
    const bridge = installTestBridge().answer('listDestinations', [PACS]);
    render(DestinationsView, { active: true });
    await screen.findByText('PACS');
    await fireEvent.click(screen.getByRole('button', { name: 'Add destination' }));
    await type('Name', 'PACS');
    expect(screen.getByText('There is already a destination called "PACS".')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Save destination' }));
    expect(bridge.argsOf('saveDestination')).toHaveLength(0);
  });

  it('lets the user allow transcoding, and says what it changes', async () => {
    const bridge = installTestBridge()
      .answer('listDestinations', [PACS])
      .answer('saveDestination', ({ destination }) => [destination]);
    render(DestinationsView, { active: true });
    await fireEvent.click(await screen.findByRole('button', { name: 'Edit PACS' }));
    const transcoding = screen.getByLabelText('Allow transcoding') as HTMLInputElement;
    expect(transcoding.disabled).toBe(false);
    expect(transcoding.checked).toBe(false);
    expect(screen.getByText(/its bytes change/i)).toBeTruthy();
    await fireEvent.click(transcoding);
    await fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(bridge.argsOf('saveDestination')).toEqual([{ destination: { ...PACS, allowTranscoding: true } }]));
  });

  it("keeps a destination's TLS settings (from the config file) when it is edited", async () => {
    const tls = { ca: '/etc/gateway/ca.pem', cert: undefined, key: undefined, passphrase: undefined, verifyServer: true };
    const bridge = installTestBridge()
      .answer('listDestinations', [{ ...PACS, tls }])
      .answer('saveDestination', ({ destination }) => [destination]);
    render(DestinationsView, { active: true });
    await fireEvent.click(await screen.findByRole('button', { name: 'Edit PACS' }));
    expect(screen.getByText(/over DICOM TLS, verifying its certificate/i)).toBeTruthy();
    await type('Calling AE title', 'ROUTER');
    await fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(bridge.argsOf('saveDestination')).toEqual([{ destination: { ...PACS, callingAe: 'ROUTER', tls } }]));
  });

  it('edits a destination keeping its name, with the seconds shown converted from milliseconds', async () => {
    const bridge = installTestBridge()
      .answer('listDestinations', [PACS])
      .answer('saveDestination', ({ destination }) => [destination]);
    render(DestinationsView, { active: true });
    await fireEvent.click(await screen.findByRole('button', { name: 'Edit PACS' }));
    expect((screen.getByLabelText('Connect timeout (seconds)') as HTMLInputElement).value).toBe('30');
    expect((screen.getByLabelText('Name') as HTMLInputElement).readOnly).toBe(true);
    await type('Calling AE title', 'ROUTER');
    await fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(bridge.argsOf('saveDestination')).toEqual([{ destination: { ...PACS, callingAe: 'ROUTER' } }]));
  });

  it('shows the engine’s refusal of a save in the form, with its detail', async () => {
    installTestBridge()
      .answer('listDestinations', [PACS])
      .fail('saveDestination', { message: 'The destination could not be saved.', detail: 'destinations[1].host: must be a host name' });
    render(DestinationsView, { active: true });
    await fireEvent.click(await screen.findByRole('button', { name: 'Edit PACS' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByText('The destination could not be saved.')).toBeTruthy();
    expect(screen.getByText('destinations[1].host: must be a host name')).toBeTruthy();
  });

  it('removes a destination only after confirmation', async () => {
    const bridge = installTestBridge()
      .answer('listDestinations', [PACS])
      .answer('deleteDestination', () => []);
    render(DestinationsView, { active: true });
    await fireEvent.click(await screen.findByRole('button', { name: 'Remove PACS' }));
    expect(bridge.argsOf('deleteDestination')).toHaveLength(0);
    await fireEvent.click(screen.getByRole('button', { name: 'Keep it' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    await fireEvent.click(screen.getByRole('button', { name: 'Remove PACS' }));
    await fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Remove PACS' }));
    await waitFor(() => expect(bridge.argsOf('deleteDestination')).toEqual([{ name: 'PACS' }]));
    expect(await screen.findByText(/No destinations yet/)).toBeTruthy();
  });

  it('echoes a destination by name and shows the round-trip time', async () => {
    const bridge = installTestBridge().answer('listDestinations', [PACS]).answer('echo', {
      ok: true,
      peer: 'MAIN_PACS@pacs.example:104',
      status: 0,
      statusHex: '0x0000',
      meaning: 'Success',
      error: undefined,
      roundTripMs: 12.4,
    });
    render(DestinationsView, { active: true });
    await fireEvent.click(await screen.findByRole('button', { name: 'Echo PACS' }));
    expect(await screen.findByText('✓ Answered in 12 ms')).toBeTruthy();
    expect(bridge.argsOf('echo')).toEqual([{ target: { destination: 'PACS' } }]);
  });

  it('shows an echo failure in plain words with the technical detail behind Details', async () => {
    installTestBridge().answer('listDestinations', [PACS]).answer('echo', {
      ok: false,
      peer: 'MAIN_PACS@pacs.example:104',
      status: null,
      statusHex: null,
      meaning: 'Not reached',
      error: 'cannot connect to MAIN_PACS@pacs.example:104: ECONNREFUSED',
      roundTripMs: 3,
    });
    render(DestinationsView, { active: true });
    await fireEvent.click(await screen.findByRole('button', { name: 'Echo PACS' }));
    expect(await screen.findByText('✗ No answer')).toBeTruthy();
    const alert = screen.getByRole('alert');
    expect(within(alert).getByText(/refused the connection\. Check that it is switched on/)).toBeTruthy();
    expect(within(alert).getByText('Details')).toBeTruthy();
    expect(within(alert).getByText(/ECONNREFUSED/)).toBeTruthy();
  });
});
