/**
 * What the desktop app must know before its engine starts: which storage folder to open. Kept in
 * the small user-data folder (not in the store, which it points to), written atomically so a crash
 * mid-write leaves the old choice, never half a file.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';

export const PREFERENCES_FILE = 'desktop-preferences.json';

export interface DesktopPreferences {
  /** The storage folder the user chose in Settings; absent: the platform default. */
  storage?: string;
}

export async function readPreferences(userDataDir: string): Promise<DesktopPreferences> {
  let text: string;
  try {
    text = await readFile(join(userDataDir, PREFERENCES_FILE), 'utf8');
  } catch {
    return {};
  }
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    return typeof value.storage === 'string' && isAbsolute(value.storage) ? { storage: value.storage } : {};
  } catch {
    // A damaged file must not keep the app from starting: the default folder is used.
    return {};
  }
}

export async function writePreferences(userDataDir: string, preferences: DesktopPreferences): Promise<void> {
  await mkdir(userDataDir, { recursive: true });
  const path = join(userDataDir, PREFERENCES_FILE);
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(preferences, null, 2) + '\n', { flush: true });
  await rename(temp, path);
}
