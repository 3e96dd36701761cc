/**
 * Keeps the window on the app. A link, a dropped file or injected script must not be able to take
 * the window (which holds the gateway bridge) to another page, open new windows, or embed webviews.
 */
import type { WebContents } from 'electron';
import { isAppUrl } from './app-protocol.ts';

export type GuardedContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

export interface PreventableEvent {
  preventDefault(): void;
}

/** Cancels a navigation or redirect unless it stays on the app's own origin; returns whether it was cancelled. */
export function preventForeignNavigation(event: PreventableEvent, url: string, onBlocked?: (url: string) => void): boolean {
  if (isAppUrl(url)) return false;
  event.preventDefault();
  onBlocked?.(url);
  return true;
}

/** The app opens no windows: every window.open and target=_blank is refused. */
export function denyWindowOpen(): { action: 'deny' } {
  return { action: 'deny' };
}

export function guardNavigation(contents: GuardedContents, onBlocked?: (what: string, url: string) => void): void {
  // The URL is read from the event (Electron 25+): the positional `url` argument is deprecated.
  contents.on('will-navigate', (event) => {
    preventForeignNavigation(event, event.url, (blocked) => onBlocked?.('navigation', blocked));
  });
  contents.on('will-redirect', (event) => {
    preventForeignNavigation(event, event.url, (blocked) => onBlocked?.('redirect', blocked));
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    onBlocked?.('webview', '');
  });
  contents.setWindowOpenHandler(({ url }) => {
    onBlocked?.('window.open', url);
    return denyWindowOpen();
  });
}
