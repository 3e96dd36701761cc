/** The browser UI's access token: whoever holds the printed URL may drive the gateway, nobody else. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export function newUiToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Constant-time comparison. Hashing first gives both sides the same length, so neither the content
 * nor the length of the expected token leaks through timing.
 */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(given));
}

/** The token's file in the storage folder: one token per store, so an open page survives a restart. */
export const UI_TOKEN_FILE = 'ui-token';
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32}$/;

/**
 * The store's UI token: the one kept in `<storage>/ui-token`, or a new one (written there, readable
 * by this user only) when there is none, it is damaged, or `rotate` asks for a new one, which makes
 * every address printed before stop working.
 */
export async function storedUiToken(storageDir: string, opts: { rotate?: boolean } = {}): Promise<{ token: string; created: boolean }> {
  const path = join(storageDir, UI_TOKEN_FILE);
  if (!opts.rotate) {
    const kept = (await readFile(path, 'utf8').catch(() => '')).trim();
    if (TOKEN_SHAPE.test(kept)) return { token: kept, created: false };
  }
  const token = newUiToken();
  await mkdir(storageDir, { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${token}\n`, { mode: 0o600, flush: true });
  await rename(temp, path);
  return { token, created: true };
}
