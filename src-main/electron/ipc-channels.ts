/**
 * The names and message shapes on the Electron IPC wire, shared by the main process and the preload.
 * No 'electron' import here: the preload bundle and plain-Node tests both load this file.
 */
import type { CommandFailure, CommandName } from '../api/contract.ts';

/** One channel per command, so a handler can never be reached under another command's name. */
export function commandChannel(command: CommandName): string {
  return `gateway:${command}`;
}

/** Every UI event travels on this one channel as (name, payload). */
export const EVENT_CHANNEL = 'gateway:event';

/**
 * What a command handler answers. ipcMain.handle would flatten a thrown error to a bare message
 * ("Error invoking remote method ..."), losing the detail meant for the PACS admin, so failures are
 * answered as data and the preload turns them back into a rejection.
 */
export type IpcReply = { ok: true; result: unknown } | { ok: false; error: CommandFailure };

/**
 * The preload tells the main process which paths the user chose (a file dialog) or dropped. Not a
 * contract command: page scripts reach only the three bridge functions, and pathsForDroppedFiles
 * sends here only paths Electron resolved from real File objects.
 */
export const CHOSEN_PATHS_CHANNEL = 'gateway:chosen-paths';
