import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newUiToken, storedUiToken, tokenMatches, UI_TOKEN_FILE } from '../../../src-main/api/ui-token.ts';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.ts';

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

describe('the token kept with the store', () => {
  it('is made once, readable by this user only, and the same at every start until rotated', async () => {
    const dir = await makeTempDir('ui-token-');
    try {
      const first = await storedUiToken(dir);
      expect(first.created).toBe(true);
      expect(first.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect((await stat(join(dir, UI_TOKEN_FILE))).mode & 0o777).toBe(0o600);
      expect(await storedUiToken(dir)).toEqual({ token: first.token, created: false });
      const rotated = await storedUiToken(dir, { rotate: true });
      expect(rotated.created).toBe(true);
      expect(rotated.token).not.toBe(first.token);
      expect((await storedUiToken(dir)).token).toBe(rotated.token);
    } finally {
      await removeDir(dir);
    }
  });

  it('is replaced when the file is damaged, never used as it is', async () => {
    const dir = await makeTempDir('ui-token-');
    try {
      await writeFile(join(dir, UI_TOKEN_FILE), 'short');
      const made = await storedUiToken(dir);
      expect(made.created).toBe(true);
      expect(made.token).not.toBe('short');
    } finally {
      await removeDir(dir);
    }
  });
});
