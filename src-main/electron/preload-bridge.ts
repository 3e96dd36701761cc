/**
 * The GatewayBridge the preload exposes to the renderer, built on ipcRenderer. The renderer never
 * sees ipcRenderer or its events (an IpcRendererEvent leads back to ipcRenderer itself): only the
 * three contract functions cross the context bridge.
 *
 * A failed command rejects with a plain CommandFailure object {message, detail}, not an Error:
 * contextBridge copies an Error with its message only and drops the detail, while a plain object
 * crosses intact.
 */
import type { IpcRenderer, IpcRendererEvent, WebUtils } from 'electron';
import {
  COMMAND_NAMES,
  type CommandArgs,
  type CommandFailure,
  type CommandName,
  type CommandResult,
  type GatewayBridge,
  type GatewayUiEvents,
  type UiEventName,
} from '../api/contract.ts';
import { CHOSEN_PATHS_CHANNEL, commandChannel, EVENT_CHANNEL, type IpcReply } from './ipc-channels.ts';

type Listener = (payload: unknown) => void;

export function createPreloadBridge(
  ipcRenderer: Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>,
  webUtils: Pick<WebUtils, 'getPathForFile'>,
  reportListenerError: (event: string, err: unknown) => void = (event, err) =>
    console.error(`gateway event listener for ${event} failed`, err),
) {
  const listeners = new Map<string, Set<Listener>>();
  // One ipcRenderer listener fans out to every subscriber, so many views subscribing never trips
  // the EventEmitter leak warning and unsubscribing is a Set delete.
  const onEvent = (_event: IpcRendererEvent, name: unknown, payload: unknown): void => {
    for (const listener of listeners.get(String(name)) ?? []) {
      try {
        listener(payload);
      } catch (err) {
        reportListenerError(String(name), err);
      }
    }
  };
  let attached = false;

  const bridge = {
    async invoke<C extends CommandName>(
      command: C,
      ...args: CommandArgs<C> extends void ? [] : [CommandArgs<C>]
    ): Promise<CommandResult<C>> {
      if (!COMMAND_NAMES.includes(command)) {
        throw failure('The app asked the gateway for something it does not know.', `unknown command "${String(command)}"`);
      }
      let reply: IpcReply;
      try {
        reply = (await ipcRenderer.invoke(commandChannel(command), args[0])) as IpcReply;
      } catch (err) {
        throw failure('The gateway did not answer.', err instanceof Error ? err.message : String(err));
      }
      if (reply.ok) return reply.result as CommandResult<C>;
      throw failure(reply.error.message, reply.error.detail);
    },

    on<E extends UiEventName>(event: E, listener: (payload: GatewayUiEvents[E]) => void): () => void {
      if (!attached) {
        ipcRenderer.on(EVENT_CHANNEL, onEvent);
        attached = true;
      }
      const set = listeners.get(event) ?? new Set<Listener>();
      listeners.set(event, set);
      // Wrapped so the same function subscribed twice gets two independent subscriptions.
      const entry: Listener = (payload) => listener(payload as GatewayUiEvents[E]);
      set.add(entry);
      return () => {
        set.delete(entry);
      };
    },

    async pathsForDroppedFiles(files: File[]): Promise<string[]> {
      // A File that is not backed by a file on disk (made in the page) has no path: it is left out.
      const paths = files.map((file) => webUtils.getPathForFile(file)).filter((path) => path !== '');
      // The engine reads only what the user chose: it learns these paths here, from Electron, never from the page.
      if (paths.length > 0) await ipcRenderer.invoke(CHOSEN_PATHS_CHANNEL, paths);
      return paths;
    },
  } satisfies GatewayBridge;
  return bridge;
}

function failure(message: string, detail: string): CommandFailure {
  return { message, detail };
}
