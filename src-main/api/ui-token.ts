/** The browser UI's access token: whoever holds the printed URL may drive the gateway, nobody else. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

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
