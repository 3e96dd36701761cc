// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import SendView from '../../../../src-renderer/src/views/SendView.svelte';
import { setBridge } from '../../../../src-renderer/src/lib/bridge.ts';
import type { ScanResult } from '../../../../src-main/api/contract.ts';
import type { SendFileResult } from '../../../../src-main/api/types/events.ts';
import { addConnection, commandFailure, createTestBridge, type TestBridge } from '../test-bridge.ts';
import { CT_IMAGE, destination, EXPLICIT_LE, IMPLICIT_LE } from '../fixtures.ts';

let bridge: TestBridge;

const SCAN: ScanResult = {
  files: [
    {
      path: '/dropped/a.dcm',
      sopClassUid: CT_IMAGE,
      sopClassName: 'CT Image Storage',
      sopInstanceUid: '1.1',
      transferSyntaxUid: EXPLICIT_LE,
      bytes: 1000,
    },
    {
      path: '/dropped/b.dcm',
      sopClassUid: CT_IMAGE,
      sopClassName: 'CT Image Storage',
      sopInstanceUid: '1.2',
      transferSyntaxUid: IMPLICIT_LE,
      bytes: 3000,
    },
  ],
  skipped: [{ path: '/dropped/notes.txt', reason: 'not a DICOM file (no DICM prefix at offset 128)' }],
  missing: [],
};

beforeEach(() => {
  bridge = createTestBridge({
    listDestinations: () => [destination('pacs'), destination('archive', { host: '10.0.0.9' })],
    scanPaths: () => SCAN,
    sendFiles: () => ({ sendId: 42 }),
    cancelSend: () => ({ cancelled: true }),
    echo: () => ({
      ok: true,
      peer: 'PACS@10.0.0.5:104',
      status: 0,
      statusHex: '0x0000',
      meaning: 'Success',
      error: undefined,
      roundTripMs: 12.4,
    }),
  });
  setBridge(bridge);
});

afterEach(() => setBridge(undefined));

function file(name: string): File {
  return new File([new Uint8Array(8)], name);
}

async function dropFiles(names: string[]): Promise<File[]> {
  const files = names.map(file);
  const zone = screen.getByRole('region', { name: 'Drop files or folders to send' });
  const dataTransfer = { files, items: [], types: ['Files'], dropEffect: 'none' };
  await fireEvent.dragEnter(zone, { dataTransfer });
  await fireEvent.dragOver(zone, { dataTransfer });
  await fireEvent.drop(zone, { dataTransfer });
  return files;
}

function fileTable(): HTMLElement {
  return screen.getByRole('table', { name: 'Files to send' });
}

function fileRow(path: string): HTMLElement {
  return fileTable().querySelector(`[data-path="${path}"]`)!;
}

function progressOf(path: string): HTMLProgressElement {
  return fileRow(path).querySelector('progress')!;
}

function overall(): HTMLProgressElement {
  return screen.getByRole('progressbar', { name: 'Overall progress' }) as HTMLProgressElement;
}

async function renderWithFiles(): Promise<void> {
  render(SendView);
  await screen.findByRole('radio', { name: /pacs/ });
  await dropFiles(['a.dcm', 'b.dcm', 'notes.txt']);
  await waitFor(() => expect(fileRow('/dropped/b.dcm')).toBeTruthy());
}

function done(fields: Partial<SendFileResult>): SendFileResult {
  return {
    sendId: 42,
    file: '/dropped/a.dcm',
    ok: true,
    sopClassUid: CT_IMAGE,
    sopInstanceUid: '1.1',
    transferSyntaxUid: EXPLICIT_LE,
    status: 0,
    statusHex: '0x0000',
    meaning: 'Success',
    error: undefined,
    bytes: 900,
    sha256: 'cd'.repeat(32),
    failureKind: undefined,
    ...fields,
  };
}

async function flushFrame(): Promise<void> {
  await new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
}

describe('Send view', () => {
  test('dropped files are resolved to paths through the bridge, then scanned', async () => {
    render(SendView);
    const files = await dropFiles(['a.dcm', 'b.dcm', 'notes.txt']);
    await waitFor(() => expect(bridge.callsOf('scanPaths')).toHaveLength(1));
    expect(bridge.dropped).toEqual([files]);
    expect(bridge.callsOf('scanPaths')[0]).toEqual({ paths: ['/dropped/a.dcm', '/dropped/b.dcm', '/dropped/notes.txt'] });
    await waitFor(() => expect(fileRow('/dropped/a.dcm')).toBeTruthy());
    expect(fileRow('/dropped/a.dcm').textContent).toContain('CT Image Storage');
    expect(fileRow('/dropped/a.dcm').textContent).toContain('Explicit VR Little Endian');
    expect(fileRow('/dropped/b.dcm').textContent).toContain('Implicit VR Little Endian');
    expect(fileRow('/dropped/b.dcm').textContent).toContain('3.00 kB');
  });

  test('files that are not DICOM, and files that vanished, are listed as skipped with the reason', async () => {
    bridge.handlers.scanPaths = () => ({ ...SCAN, missing: ['/dropped/gone.dcm'] });
    render(SendView);
    await dropFiles(['a.dcm']);
    const skipped = await screen.findByRole('list', { name: 'Skipped files' });
    const listed = within(skipped).getAllByRole('listitem');
    const items = listed.map((li) => li.textContent!.replace(/\s+/g, ' ').trim());
    expect(items).toHaveLength(2);
    // The name first, whole; then its folder; the full path as the tooltip.
    expect(items[0]).toMatch(/^notes\.txt \/dropped not a DICOM file \(no DICM prefix at offset 128\)/);
    expect(within(listed[0]!).getByTitle('/dropped/notes.txt')).toBeTruthy();
    expect(items[1]).toMatch(/^gone\.dcm \/dropped Not found/);
    expect(screen.getByRole('heading', { name: 'Skipped (2)' })).toBeTruthy();
  });

  test('the chosen-files input goes the same way as a drop', async () => {
    render(SendView);
    const input = screen.getByLabelText('Choose files') as HTMLInputElement;
    const files = [file('x.dcm')];
    Object.defineProperty(input, 'files', { value: files, configurable: true });
    await fireEvent.change(input);
    await waitFor(() => expect(bridge.callsOf('scanPaths')).toEqual([{ paths: ['/dropped/x.dcm'] }]));
    expect(bridge.dropped).toEqual([files]);
  });

  test('Send sends every listed file to the chosen destination', async () => {
    await renderWithFiles();
    await fireEvent.click(screen.getByRole('radio', { name: /archive/ }));
    await fireEvent.click(screen.getByRole('button', { name: 'Send 2 files' }));
    await waitFor(() => expect(bridge.callsOf('sendFiles')).toHaveLength(1));
    expect(bridge.callsOf('sendFiles')[0]).toEqual({ paths: ['/dropped/a.dcm', '/dropped/b.dcm'], target: { destination: 'archive' } });
  });

  test('Send to another node typed in uses its AE title, host and port', async () => {
    await renderWithFiles();
    await fireEvent.click(screen.getByRole('radio', { name: 'Another node' }));
    await fireEvent.input(screen.getByLabelText('AE title'), { target: { value: 'STORESCP' } });
    await fireEvent.input(screen.getByLabelText('Host'), { target: { value: '127.0.0.1' } });
    await fireEvent.input(screen.getByLabelText('Port'), { target: { value: '11113' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Send 2 files' }));
    await waitFor(() => expect(bridge.callsOf('sendFiles')).toHaveLength(1));
    expect(bridge.callsOf('sendFiles')[0]!.target).toEqual({ aeTitle: 'STORESCP', host: '127.0.0.1', port: 11113 });
  });

  test('progress events move the file bars and the overall bar to 100 %', async () => {
    await renderWithFiles();
    await fireEvent.click(screen.getByRole('button', { name: 'Send 2 files' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Cancel' })).toBeTruthy());
    bridge.emit('send-progress', { sendId: 42, file: '/dropped/a.dcm', fileIndex: 0, fileCount: 2, bytesSent: 450, bytesTotal: 900 });
    await flushFrame();
    await waitFor(() => expect(progressOf('/dropped/a.dcm').value).toBe(50));
    expect(progressOf('/dropped/b.dcm').value).toBe(0);
    bridge.emit('send-progress', { sendId: 42, file: '/dropped/a.dcm', fileIndex: 0, fileCount: 2, bytesSent: 900, bytesTotal: 900 });
    bridge.emit('send-file-done', done({ file: '/dropped/a.dcm' }));
    bridge.emit('send-progress', { sendId: 42, file: '/dropped/b.dcm', fileIndex: 1, fileCount: 2, bytesSent: 2900, bytesTotal: 2900 });
    bridge.emit('send-file-done', done({ file: '/dropped/b.dcm', bytes: 2900 }));
    // An event of another send is not ours.
    bridge.emit('send-progress', { sendId: 41, file: '/dropped/b.dcm', fileIndex: 1, fileCount: 2, bytesSent: 1, bytesTotal: 2900 });
    bridge.emit('send-finished', { sendId: 42, sent: 2, failed: 0, cancelled: false });
    await waitFor(() => expect(overall().value).toBe(100));
    expect(progressOf('/dropped/a.dcm').value).toBe(100);
    expect(progressOf('/dropped/b.dcm').value).toBe(100);
    expect(fileRow('/dropped/a.dcm').textContent).toContain('Sent');
    expect(screen.getByText(/Finished: 2 files sent\./)).toBeTruthy();
  });

  test('progress that arrives before sendFiles answers is not lost', async () => {
    let answer: (v: { sendId: number }) => void = () => {};
    bridge.handlers.sendFiles = () => new Promise((resolve) => (answer = resolve));
    await renderWithFiles();
    await fireEvent.click(screen.getByRole('button', { name: 'Send 2 files' }));
    bridge.emit('send-progress', { sendId: 42, file: '/dropped/b.dcm', fileIndex: 1, fileCount: 2, bytesSent: 725, bytesTotal: 2900 });
    await flushFrame();
    answer({ sendId: 42 });
    await waitFor(() => expect(progressOf('/dropped/b.dcm').value).toBe(25));
  });

  test('a failed file shows the status, its meaning and the error; Retry failed resends only it', async () => {
    await renderWithFiles();
    await fireEvent.click(screen.getByRole('button', { name: 'Send 2 files' }));
    await waitFor(() => expect(bridge.callsOf('sendFiles')).toHaveLength(1));
    bridge.emit('send-file-done', done({ file: '/dropped/a.dcm' }));
    bridge.emit(
      'send-file-done',
      done({
        file: '/dropped/b.dcm',
        ok: false,
        status: 0xa700,
        statusHex: '0xA700',
        meaning: 'Refused: out of resources',
        error: 'PACS@10.0.0.5:104 answered 0xA700',
        failureKind: 'status',
      }),
    );
    bridge.emit('send-finished', { sendId: 42, sent: 1, failed: 1, cancelled: false });
    await waitFor(() => expect(fileRow('/dropped/b.dcm').textContent).toContain('Failed 0xA700'));
    expect(fileRow('/dropped/b.dcm').textContent).toContain('Refused: out of resources');
    expect(fileRow('/dropped/b.dcm').textContent).toContain('PACS@10.0.0.5:104 answered 0xA700');
    const failedSection = screen.getByRole('region', { name: 'Not stored by the destination' });
    expect(failedSection.textContent).toContain('/dropped/b.dcm');
    expect(failedSection.textContent).toContain('The destination refused to store it: 0xA700 (Refused: out of resources).');
    expect(failedSection.textContent).toContain('0xA700 Refused: out of resources — PACS@10.0.0.5:104 answered 0xA700');
    expect(screen.getByText(/1 file sent, 1 failed/)).toBeTruthy();

    bridge.handlers.sendFiles = () => ({ sendId: 43 });
    await fireEvent.click(screen.getByRole('button', { name: 'Retry failed (1)' }));
    await waitFor(() => expect(bridge.callsOf('sendFiles')).toHaveLength(2));
    expect(bridge.callsOf('sendFiles')[1]).toEqual({ paths: ['/dropped/b.dcm'], target: { destination: 'pacs' } });
  });

  test('Cancel asks the engine to cancel this send; files not reached are marked not sent', async () => {
    await renderWithFiles();
    await fireEvent.click(screen.getByRole('button', { name: 'Send 2 files' }));
    const cancel = await screen.findByRole('button', { name: 'Cancel' });
    await waitFor(() => expect((cancel as HTMLButtonElement).disabled).toBe(false));
    await fireEvent.click(cancel);
    await waitFor(() => expect(bridge.callsOf('cancelSend')).toEqual([{ sendId: 42 }]));
    bridge.emit('send-file-done', done({ file: '/dropped/a.dcm' }));
    bridge.emit('send-finished', { sendId: 42, sent: 1, failed: 0, cancelled: true });
    await waitFor(() => expect(fileRow('/dropped/b.dcm').textContent).toContain('Not sent'));
    expect(screen.getByText(/cancelled before the end/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
  });

  test('a scan that fails shows the plain message, with the detail behind Details', async () => {
    bridge.handlers.scanPaths = () => {
      throw commandFailure('The files could not be read.', 'EACCES: permission denied, open /dropped/a.dcm');
    };
    render(SendView);
    await dropFiles(['a.dcm']);
    const alert = await screen.findByRole('alert');
    expect(alert.querySelector('.error-message')!.textContent).toBe('The files could not be read.');
    const details = alert.querySelector('details')!;
    expect(details.open).toBe(false);
    expect(details.querySelector('pre')!.textContent).toBe('EACCES: permission denied, open /dropped/a.dcm');
  });

  test('a send that cannot start shows why and leaves the files ready to try again', async () => {
    bridge.handlers.sendFiles = () => {
      throw commandFailure(
        'The PACS did not answer. Check that it is switched on and that its address is right.',
        'connect ECONNREFUSED 10.0.0.5:104',
      );
    };
    await renderWithFiles();
    await fireEvent.click(screen.getByRole('button', { name: 'Send 2 files' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('The PACS did not answer.');
    expect(alert.querySelector('details pre')!.textContent).toBe('connect ECONNREFUSED 10.0.0.5:104');
    expect(fileRow('/dropped/a.dcm').textContent).toContain('Ready');
    expect((screen.getByRole('button', { name: 'Send 2 files' }) as HTMLButtonElement).disabled).toBe(false);
  });

  test('C-ECHO shows the answer and the round-trip time next to the destination', async () => {
    render(SendView);
    await fireEvent.click(await screen.findByRole('button', { name: 'C-ECHO pacs' }));
    await waitFor(() => expect(bridge.callsOf('echo')).toEqual([{ target: { destination: 'pacs' } }]));
    const pacs = screen.getByRole('radio', { name: /pacs/ }).closest('li')!;
    await waitFor(() => expect(pacs.textContent).toContain('Echo OK'));
    expect(pacs.textContent).toContain('12 ms');

    bridge.handlers.echo = () => ({
      ok: false,
      peer: 'ARCHIVE@10.0.0.9:104',
      status: null,
      statusHex: null,
      meaning: 'No answer',
      error: 'connect ECONNREFUSED 10.0.0.9:104',
      roundTripMs: 3,
    });
    await fireEvent.click(screen.getByRole('button', { name: 'C-ECHO archive' }));
    const archive = screen.getByRole('radio', { name: /archive/ }).closest('li')!;
    await waitFor(() => expect(archive.textContent).toContain('Echo failed'));
    // The Destinations wording, not the socket error (which stays in the tooltip).
    expect(archive.textContent).toContain(
      'The destination refused the connection. Check that it is switched on and that the port is right.',
    );
    expect(archive.textContent).not.toContain('ECONNREFUSED');
    expect(archive.querySelector('.echo-error')!.getAttribute('title')).toContain('connect ECONNREFUSED 10.0.0.9:104');
  });

  test('chosen files are listed in folder order, whatever order they came in', async () => {
    const unsorted = (path: string) => ({ ...SCAN.files[0]!, path, sopInstanceUid: path });
    bridge.handlers.scanPaths = () => ({
      files: ['/d/img10.dcm', '/d/img2.dcm', '/c/z.dcm', '/d/img1.dcm'].map(unsorted),
      skipped: [],
      missing: [],
    });
    render(SendView);
    await dropFiles(['x.dcm']);
    await waitFor(() => expect(fileRow('/d/img10.dcm')).toBeTruthy());
    const order = Array.from(fileTable().querySelectorAll('[data-path]')).map((row) => row.getAttribute('data-path'));
    expect(order).toEqual(['/c/z.dcm', '/d/img1.dcm', '/d/img2.dcm', '/d/img10.dcm']);
  });

  test('a send where every file failed says why in one sentence, names SOP classes, and the bar counts only stored bytes', async () => {
    await renderWithFiles();
    await fireEvent.click(screen.getByRole('button', { name: 'Send 2 files' }));
    await waitFor(() => expect(bridge.callsOf('sendFiles')).toHaveLength(1));
    bridge.emit('send-progress', { sendId: 42, file: '/dropped/a.dcm', fileIndex: 0, fileCount: 2, bytesSent: 900, bytesTotal: 900 });
    for (const file of ['/dropped/a.dcm', '/dropped/b.dcm']) {
      bridge.emit(
        'send-file-done',
        done({
          file,
          ok: false,
          status: null,
          statusHex: null,
          meaning: 'Refused',
          error: 'PACS@10.0.0.5:104 does not accept SOP class 1.2.840.10008.5.1.4.1.1.2 (in any offered transfer syntax)',
          failureKind: 'sop-class-refused',
        }),
      );
    }
    bridge.emit('send-finished', { sendId: 42, sent: 0, failed: 2, cancelled: false });
    const cause = await screen.findByText('The destination does not take this kind of image (its SOP class).', { selector: '.cause' });
    expect(cause.getAttribute('role')).toBe('alert');
    expect(screen.getByText(/0 files sent, 2 failed/)).toBeTruthy();
    const failedSection = screen.getByRole('region', { name: 'Not stored by the destination' });
    expect(failedSection.textContent).toContain('does not accept SOP class CT Image Storage (1.2.840.10008.5.1.4.1.1.2)');
    const overall = screen.getByRole('progressbar', { name: 'Overall progress' }) as HTMLProgressElement;
    expect(overall.value).toBe(0);
    expect(screen.getByText(/0 B of .* stored/)).toBeTruthy();
  });

  test('a connection lost during a send stops the wait and says the results may be incomplete', async () => {
    const report = addConnection(bridge);
    await renderWithFiles();
    await fireEvent.click(screen.getByRole('button', { name: 'Send 2 files' }));
    await waitFor(() => expect(bridge.callsOf('sendFiles')).toHaveLength(1));
    bridge.emit('send-file-done', done({ file: '/dropped/a.dcm' }));
    report('reconnecting');
    report('open');
    const notice = await screen.findByText(/connection to the gateway was lost during this send/);
    expect(notice).toBeTruthy();
    expect(fileRow('/dropped/a.dcm').textContent).toContain('Sent');
    expect(fileRow('/dropped/b.dcm').textContent).toContain('Unknown');
    expect(screen.queryByRole('button', { name: 'Cancel' })).toBeNull();
  });
});
