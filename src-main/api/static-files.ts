/** The built renderer as static files: content types, and never a byte from outside its folder. */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { contentTypeOf } from '../content-types.ts';
import { resolve, sep } from 'node:path';

export { contentTypeOf };

function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * The file a URL path names inside `root`, or undefined when it would leave `root` (`..`, encoded
 * `%2e%2e%2f`, backslashes, NUL). `/` is index.html.
 */
export function resolveStaticPath(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  // No built asset has a NUL or a backslash in its name; on Windows a backslash would be a separator.
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const relative = decoded.replace(/^\/+/, '');
  const full = resolve(root, relative === '' ? 'index.html' : relative);
  return isInside(resolve(root), full) && full !== resolve(root) ? full : undefined;
}

/**
 * Serves GET/HEAD of one file under `root` with `headers` added. Answers 404 for anything that is not
 * a regular file inside `root`, also after following symbolic links.
 */
export async function serveStaticFile(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  pathname: string,
  headers: Record<string, string>,
): Promise<void> {
  const path = resolveStaticPath(root, pathname);
  const real = path === undefined ? undefined : await realpath(path).catch(() => undefined);
  const realRoot = await realpath(root).catch(() => undefined);
  const info =
    real === undefined || realRoot === undefined || !isInside(realRoot, real) ? undefined : await stat(real).catch(() => undefined);
  if (real === undefined || !info?.isFile()) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...headers }).end('Not found\n');
    return;
  }
  res.writeHead(200, { 'Content-Type': contentTypeOf(real), 'Content-Length': String(info.size), ...headers });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(real);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
