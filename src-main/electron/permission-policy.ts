/**
 * The app needs no camera, microphone, geolocation, notifications or the like. The only permission
 * granted is writing text to the clipboard (the "copy details" buttons), and only to the app's own
 * pages.
 */
import type { Session } from 'electron';
import { isAppUrl } from './app-protocol.ts';

const ALLOWED = new Set(['clipboard-sanitized-write']);

export function isPermissionAllowed(permission: string, requestingUrl: string): boolean {
  return ALLOWED.has(permission) && isAppUrl(requestingUrl);
}

export function restrictPermissions(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(isPermissionAllowed(permission, details.requestingUrl));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => isPermissionAllowed(permission, requestingOrigin));
}
