/**
 * The app's own origin. The renderer is served from `app://gateway/` instead of file:// so that it
 * has a real origin ('self' in the CSP means this app, not the whole disk), every response carries
 * the CSP header (file:// responses have no headers to put it in), and navigation and IPC checks
 * compare against one exact origin.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { CustomScheme } from 'electron';
import { CONTENT_SECURITY_POLICY } from './content-security-policy.ts';
import { contentTypeOf } from '../content-types.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'gateway';
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * Registered before `ready`. `standard` gives the scheme real origins and relative URL resolution,
 * `secure` makes it a secure context, and `corsEnabled` lets module scripts (Vite marks them
 * `crossorigin`) load from it. It does not bypass the CSP.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
};

/** True only for URLs of the app's own origin (exact scheme and host, no credentials, no port). */
export function isAppUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.hostname === APP_HOST &&
    parsed.port === '' &&
    parsed.username === '' &&
    parsed.password === ''
  );
}

export type FileReader = (path: string) => Promise<Uint8Array>;

/**
 * Answers one request on the app scheme with a file from `rendererDir` (the Vite build). Anything
 * outside that folder, on another host, or missing is a 404; every answer carries the CSP.
 */
export async function serveAppRequest(url: string, rendererDir: string, read: FileReader = readFile): Promise<Response> {
  const file = isAppUrl(url) ? rendererFileFor(url, rendererDir) : undefined;
  if (file === undefined) return notFound();
  try {
    const body = await read(file);
    return new Response(new Uint8Array(body), {
      status: 200,
      headers: {
        'Content-Type': contentTypeOf(file),
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
        'X-Content-Type-Options': 'nosniff',
      },
    });
  } catch {
    return notFound();
  }
}

/** The file a URL names inside `rendererDir`, or undefined when the path would leave that folder. */
export function rendererFileFor(url: string, rendererDir: string): string | undefined {
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url).pathname);
  } catch {
    return undefined;
  }
  if (pathname.includes('\0')) return undefined;
  const root = resolve(rendererDir);
  const file = resolve(root, '.' + (pathname === '/' ? '/index.html' : pathname));
  const inside = relative(root, file);
  if (inside === '' || inside === '..' || inside.startsWith('..' + sep) || isAbsolute(inside)) return undefined;
  return file;
}

function notFound(): Response {
  return new Response('Not found', {
    status: 404,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': CONTENT_SECURITY_POLICY },
  });
}
