/**
 * The preload (src-main/electron/preload.ts) under a mocked 'electron' module: what it exposes to
 * the page and how each contract call maps onto ipcRenderer.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { GatewayBridge } from '../../../src-main/api/contract.ts';

const electron = vi.hoisted(() => {
  type Listener = (event: unknown, ...args: unknown[]) => void;
  const listeners = new Map<string, Set<Listener>>();
  return {
    exposed: [] as { key: string; api: unknown }[],
    listeners,
    contextBridge: {
      exposeInMainWorld: (key: string, api: unknown) => electron.exposed.push({ key, api }),
    },
    ipcRenderer: {
      invoke: vi.fn<(channel: string, ...args: unknown[]) => Promise<unknown>>(),
      on(channel: string, listener: Listener) {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel)!.add(listener);
        return this;
      },
      removeListener(channel: string, listener: Listener) {
        listeners.get(channel)?.delete(listener);
        return this;
      },
      /** What main's webContents.send(channel, ...args) does on this side. */
      emit(channel: string, ...args: unknown[]) {
        const ipcEvent = { sender: 'the ipcRenderer itself', ports: [] };
        for (const listener of listeners.get(channel) ?? []) listener(ipcEvent, ...args);
      },
    },
    webUtils: {
      getPathForFile: vi.fn((file: File) => (file.name.startsWith('made-in-page') ? '' : `/data/dropped/${file.name}`)),
    },
  };
});

vi.mock('electron', () => ({ contextBridge: electron.contextBridge, ipcRenderer: electron.ipcRenderer, webUtils: electron.webUtils }));

await import('../../../src-main/electron/preload.ts');
const bridge = electron.exposed[0]?.api as GatewayBridge;

beforeEach(() => {
  electron.ipcRenderer.invoke.mockReset();
});

describe('the preload', () => {
  it('exposes exactly the contract as window.gateway: invoke, on and pathsForDroppedFiles, and nothing of ipcRenderer', () => {
    expect(electron.exposed.map((e) => e.key)).toEqual(['gateway']);
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'on', 'pathsForDroppedFiles']);
    for (const value of Object.values(bridge)) expect(typeof value).toBe('function');
  });

  it("maps invoke onto the command's own channel with its arguments and resolves with the result", async () => {
    electron.ipcRenderer.invoke.mockResolvedValue({ ok: true, result: [{ studyInstanceUid: '1.2.3' }] });
    await expect(bridge.invoke('listStudies', { limit: 5 })).resolves.toEqual([{ studyInstanceUid: '1.2.3' }]);
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith('gateway:listStudies', { limit: 5 });
  });

  it('sends no argument for a command that takes none', async () => {
    electron.ipcRenderer.invoke.mockResolvedValue({ ok: true, result: { aeTitle: 'GATEWAY' } });
    await bridge.invoke('getStatus');
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith('gateway:getStatus', undefined);
  });

  it('rejects a failed command with the message and detail main sent, as a plain object that crosses contextBridge intact', async () => {
    electron.ipcRenderer.invoke.mockResolvedValue({
      ok: false,
      error: { message: 'The PACS did not answer.', detail: 'connect ECONNREFUSED 10.0.0.5:104' },
    });
    const failure = await bridge.invoke('echo', { target: { destination: 'PACS' } }).catch((e: unknown) => e);
    expect(failure).toEqual({ message: 'The PACS did not answer.', detail: 'connect ECONNREFUSED 10.0.0.5:104' });
    expect(Object.getPrototypeOf(failure)).toBe(Object.prototype);
  });

  it('rejects with words and the reason when main refuses the call or has no handler', async () => {
    electron.ipcRenderer.invoke.mockRejectedValue(new Error("Error invoking remote method 'gateway:getStatus': Error: getStatus refused"));
    await expect(bridge.invoke('getStatus')).rejects.toEqual({
      message: 'The gateway did not answer.',
      detail: expect.stringContaining('getStatus refused'),
    });
  });

  it('rejects a command outside the contract without sending anything to main', async () => {
    const unknown = bridge.invoke as (command: string, args?: unknown) => Promise<unknown>;
    await expect(unknown('deleteEverything', {})).rejects.toEqual({
      message: expect.any(String),
      detail: 'unknown command "deleteEverything"',
    });
    expect(electron.ipcRenderer.invoke).not.toHaveBeenCalled();
  });

  it('delivers only the subscribed event, as its payload alone (never the IPC event), until unsubscribed', () => {
    const stored: unknown[] = [];
    const failed: unknown[] = [];
    const offStored = bridge.on('instance-stored', (payload) => stored.push(payload));
    bridge.on('instance-failed', (payload) => failed.push(payload));
    electron.ipcRenderer.emit('gateway:event', 'instance-stored', { sopInstanceUid: '1.2.3.4' });
    electron.ipcRenderer.emit('gateway:event', 'send-progress', { sendId: 1 });
    expect(stored).toEqual([{ sopInstanceUid: '1.2.3.4' }]);
    expect(failed).toEqual([]);
    offStored();
    electron.ipcRenderer.emit('gateway:event', 'instance-stored', { sopInstanceUid: '1.2.3.5' });
    expect(stored).toHaveLength(1);
    // Any number of subscriptions share one ipcRenderer listener.
    expect(electron.listeners.get('gateway:event')?.size).toBe(1);
  });

  it('keeps delivering an event to the other listeners when one of them throws', () => {
    const seen: string[] = [];
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    const off1 = bridge.on('job-updated', () => {
      throw new Error('view bug');
    });
    const off2 = bridge.on('job-updated', () => seen.push('second'));
    electron.ipcRenderer.emit('gateway:event', 'job-updated', { jobId: 1 });
    expect(seen).toEqual(['second']);
    expect(quiet).toHaveBeenCalledOnce();
    off1();
    off2();
    quiet.mockRestore();
  });

  it('turns dropped files into their paths on disk through webUtils.getPathForFile, leaving out files that have none', async () => {
    const files = [new File(['a'], 'ct-1.dcm'), new File(['b'], 'made-in-page.txt'), new File(['c'], 'study-folder')];
    await expect(bridge.pathsForDroppedFiles(files)).resolves.toEqual(['/data/dropped/ct-1.dcm', '/data/dropped/study-folder']);
    expect(electron.webUtils.getPathForFile).toHaveBeenCalledTimes(3);
  });

  it('tells the main process which paths the user chose, on its own channel, before the page gets them', async () => {
    electron.ipcRenderer.invoke.mockResolvedValue(undefined);
    const paths = await bridge.pathsForDroppedFiles([new File(['a'], 'ct-1.dcm')]);
    expect(electron.ipcRenderer.invoke).toHaveBeenCalledWith('gateway:chosen-paths', ['/data/dropped/ct-1.dcm']);
    expect(paths).toEqual(['/data/dropped/ct-1.dcm']);
  });

  it('reports no chosen path when no file had one (a page cannot register paths through it)', async () => {
    await bridge.pathsForDroppedFiles([new File(['b'], 'made-in-page.txt')]);
    expect(electron.ipcRenderer.invoke).not.toHaveBeenCalled();
  });
});
