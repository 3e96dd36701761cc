/**
 * The main-process end of the contract: one ipcMain handler per command, each refusing any caller
 * that is not the app window's main frame showing the app's own page, and the engine's events
 * pushed to that window.
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents, WebFrameMain } from 'electron';
import { commandFailureOf } from '../api/command-failure.ts';
import { COMMAND_NAMES, type CommandName, type UiEventName } from '../api/contract.ts';
import { isAppUrl } from './app-protocol.ts';
import { CHOSEN_PATHS_CHANNEL, commandChannel, EVENT_CHANNEL, type IpcReply } from './ipc-channels.ts';

export type Dispatch = (command: CommandName, args: unknown) => Promise<unknown>;
export type SenderCheck = (event: IpcMainInvokeEvent) => boolean;
export type FrameIdentity = Pick<WebFrameMain, 'processId' | 'routingId' | 'url'>;
export type AppContents = Pick<WebContents, 'isDestroyed'> & { mainFrame: FrameIdentity };

/**
 * True when `frame` is the main frame of `contents` and shows the app's own origin. Sub-frames,
 * other windows, and a main frame that somehow got to another page are all refused.
 */
export function isAppMainFrame(frame: FrameIdentity | null | undefined, contents: AppContents | undefined): boolean {
  if (!frame || !contents || contents.isDestroyed()) return false;
  const main = contents.mainFrame;
  return frame.processId === main.processId && frame.routingId === main.routingId && isAppUrl(frame.url);
}

/** A sender check bound to whatever the app window is at the time of the call. */
export function appWindowSenderCheck(getContents: () => (AppContents & object) | undefined): SenderCheck {
  return (event) => {
    const contents = getContents();
    return contents !== undefined && event.sender === contents && isAppMainFrame(event.senderFrame, contents);
  };
}

export interface CommandHandlerOptions {
  dispatch: Dispatch;
  isTrustedSender: SenderCheck;
  /** Told about every refused call (for the log); the caller only learns that it was refused. */
  onRefused?: (command: CommandName, senderUrl: string) => void;
}

/** Registers `gateway:<command>` for every contract command; returns a function that removes them. */
export function registerCommandHandlers(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, opts: CommandHandlerOptions): () => void {
  for (const command of COMMAND_NAMES) {
    ipcMain.handle(commandChannel(command), async (event, args: unknown): Promise<IpcReply> => {
      if (!opts.isTrustedSender(event)) {
        opts.onRefused?.(command, event.senderFrame?.url ?? '(no frame)');
        throw new Error(`${command} refused: the request did not come from the DICOM Gateway window`);
      }
      try {
        return { ok: true, result: await opts.dispatch(command, args) };
      } catch (err) {
        return { ok: false, error: commandFailureOf(err) };
      }
    });
  }
  return () => {
    for (const command of COMMAND_NAMES) ipcMain.removeHandler(commandChannel(command));
  };
}

/**
 * Takes the paths the preload resolved from files the user chose or dropped, from the app window
 * only, and hands the strings among them to `allow`. Returns a function that removes the handler.
 */
export function registerChosenPathsHandler(
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>,
  isTrustedSender: SenderCheck,
  allow: (paths: string[]) => void,
): () => void {
  ipcMain.handle(CHOSEN_PATHS_CHANNEL, (event, paths: unknown) => {
    if (!isTrustedSender(event)) throw new Error('refused: the request did not come from the DICOM Gateway window');
    if (Array.isArray(paths)) allow(paths.filter((p): p is string => typeof p === 'string').slice(0, 100_000));
  });
  return () => ipcMain.removeHandler(CHOSEN_PATHS_CHANNEL);
}

/** Pushes every engine event to `contents` while it lives; returns the unsubscribe function. */
export function forwardEvents(
  subscribe: (listener: (name: UiEventName, payload: unknown) => void) => () => void,
  contents: Pick<WebContents, 'send' | 'isDestroyed'>,
): () => void {
  return subscribe((name, payload) => {
    if (!contents.isDestroyed()) contents.send(EVENT_CHANNEL, name, payload);
  });
}
