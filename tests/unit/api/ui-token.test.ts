import { describe, expect, it } from 'vitest';
import { newUiToken, tokenMatches } from '../../../src-main/api/ui-token.ts';

describe('UI token', () => {
  it('is 24 random bytes in base64url: 32 URL-safe characters, different each time', () => {
    const tokens = new Set(Array.from({ length: 50 }, () => newUiToken()));
    expect(tokens.size).toBe(50);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('matches only the exact token', () => {
    const token = newUiToken();
    expect(tokenMatches(token, token)).toBe(true);
    expect(tokenMatches(token, token.slice(0, -1))).toBe(false);
    expect(tokenMatches(token, `${token}x`)).toBe(false);
    expect(tokenMatches(token, token.toUpperCase() === token ? token.toLowerCase() : token.toUpperCase())).toBe(false);
    expect(tokenMatches(token, '')).toBe(false);
    expect(tokenMatches(token, null)).toBe(false);
    expect(tokenMatches(token, undefined)).toBe(false);
  });
});
