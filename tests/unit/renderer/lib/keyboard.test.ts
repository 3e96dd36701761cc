import { describe, expect, test } from 'vitest';
import { viewShortcutIndex } from '../../../../src-renderer/src/lib/keyboard.ts';

const key = (k: Partial<KeyboardEvent>) => ({ ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, key: '', code: '', ...k });

describe('viewShortcutIndex', () => {
  test('Ctrl or Cmd with a digit picks the view at that position', () => {
    expect(viewShortcutIndex(key({ ctrlKey: true, key: '1', code: 'Digit1' }))).toBe(0);
    expect(viewShortcutIndex(key({ metaKey: true, key: '7', code: 'Digit7' }))).toBe(6);
  });

  test('works by key code on layouts where digits need Shift (AZERTY "&" is Digit1)', () => {
    expect(viewShortcutIndex(key({ ctrlKey: true, key: '&', code: 'Digit1' }))).toBe(0);
  });

  test('ignores plain digits, other modifiers and 0', () => {
    expect(viewShortcutIndex(key({ key: '1', code: 'Digit1' }))).toBeUndefined();
    expect(viewShortcutIndex(key({ ctrlKey: true, altKey: true, key: '1', code: 'Digit1' }))).toBeUndefined();
    expect(viewShortcutIndex(key({ ctrlKey: true, shiftKey: true, key: '!', code: 'Digit1' }))).toBeUndefined();
    expect(viewShortcutIndex(key({ ctrlKey: true, key: '0', code: 'Digit0' }))).toBeUndefined();
  });
});
