/** Keyboard shortcuts of the shell: Ctrl+1..9 (Cmd+1..9 on macOS) picks the n-th view. */

export function viewShortcutIndex(
  event: Pick<KeyboardEvent, 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey' | 'key' | 'code'>,
): number | undefined {
  if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return undefined;
  // `code` keeps working on layouts where the digit row needs Shift (AZERTY).
  const digit = /^Digit([1-9])$/.exec(event.code)?.[1] ?? (/^[1-9]$/.test(event.key) ? event.key : undefined);
  return digit === undefined ? undefined : Number(digit) - 1;
}

export function isMacPlatform(): boolean {
  return typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
}

/** "Ctrl+1" or "⌘1", as the shortcut hint next to a view's name. */
export function shortcutLabel(index: number): string {
  return isMacPlatform() ? `⌘${index + 1}` : `Ctrl+${index + 1}`;
}
