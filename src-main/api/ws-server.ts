/**
 * The browser UI of `serve --ui-port`: one HTTP server on 127.0.0.1 that serves the built renderer,
 * carries the UI contract over a WebSocket (/api) and takes dropped files (/upload). Anyone on the
 * machine can reach a loopback port, so every request must carry the random token printed at start,
 * and requests from other web origins (a page on some web site poking at localhost) are refused.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { silentLogger, type Logger } from '../log/logger.ts';
import type { ApiHost } from './api-host.ts';
import { commandFailureOf, GENERIC_FAILURE } from './command-failure.ts';
import type { UiEventName, WireRequest, WireResponse } from './contract.ts';
import { serveStaticFile } from './static-files.ts';
import { newUiToken, tokenMatches } from './ui-token.ts';
import { DEFAULT_UPLOAD_LIMIT_BYTES, DEFAULT_UPLOAD_TOTAL_BYTES, receiveUpload, UploadBudget, UploadError } from './upload-receiver.ts';

/** The only address the UI server ever binds: the browser UI is for this machine alone. */
export const UI_HOST = '127.0.0.1';

export interface UiServerOptions {
  host: ApiHost;
  /** 0: let the system choose. */
  port: number;
  /** The built renderer (dist/renderer), with index.html. */
  staticDir: string;
  /** Given when a restarted server must accept pages that are already open; random otherwise. */
  token?: string;
  /** Largest upload accepted, in bytes (default 4 GiB). */
  uploadLimitBytes?: number;
  /** Largest total of all uploads while this server runs, in bytes (default 16 GiB). */
  uploadTotalBytes?: number;
  /** A page that has this much unsent data queued is too slow to follow the events and is dropped (default 8 MiB). */
  maxBufferedBytes?: number;
  /** Largest request frame a page may send (default 16 MiB). */
  maxMessageBytes?: number;
  logger?: Logger;
}

export interface UiServer {
  /** The address to open, token included. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const FORBIDDEN_TEXT =
  "Forbidden: this address has no valid access key. The key is kept with the gateway's storage folder and changes only when\n" +
  '`dicom-gateway serve` is started with --rotate-ui-token (or with another storage folder). Open the address `serve --ui-port`\n' +
  'printed when it started (the line "UI listening on http://127.0.0.1:PORT/?token=...").\n';

/** A request frame, or undefined when it is not one (then the page is broken or hostile, and is closed). */
export function parseWireRequest(text: string): WireRequest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { id, command, args } = value as Record<string, unknown>;
  if (!Number.isSafeInteger(id) || typeof command !== 'string') return undefined;
  return { id: id as number, command, args };
}

export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    `connect-src 'self' ws://${UI_HOST}:${port}`,
    "img-src 'self' data:",
    "style-src 'self' 'unsafe-inline'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The request target as a URL on our own origin; undefined for anything but an origin-form path (`/...`). */
function requestUrl(req: IncomingMessage, port: number): URL | undefined {
  if (!req.url?.startsWith('/')) return undefined;
  try {
    // Concatenated rather than resolved against a base, so `//host/x` stays a path and is not read as a host.
    return new URL(`http://${UI_HOST}:${port}${req.url}`);
  } catch {
    return undefined;
  }
}

function refuseUpgrade(socket: Duplex, status: 400 | 403 | 404): void {
  const reason = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found' }[status];
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export async function startUiServer(opts: UiServerOptions): Promise<UiServer> {
  const { host: api, staticDir } = opts;
  const token = opts.token ?? newUiToken();
  if (token.length < 16) throw new Error('the UI token must be at least 16 characters long');
  const logger = opts.logger ?? silentLogger;
  const uploadLimit = opts.uploadLimitBytes ?? DEFAULT_UPLOAD_LIMIT_BYTES;
  const uploadBudget = new UploadBudget(opts.uploadTotalBytes ?? DEFAULT_UPLOAD_TOTAL_BYTES);
  const maxBuffered = opts.maxBufferedBytes ?? 8 * 1024 * 1024;
  let port = 0;
  // Asset requests (./assets/*.js) cannot carry the query token; the page load leaves it in a cookie
  // for them. Per port, because cookies ignore ports and two gateways may run side by side.
  const cookieName = () => `dicom-gateway-token-${port}`;

  /** Host and Origin must be our own (defeats DNS rebinding and cross-site pages); then the token. */
  const permitted = (req: IncomingMessage, url: URL, cookieAllowed: boolean): boolean => {
    if (req.headers.host !== `${UI_HOST}:${port}`) return false;
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${UI_HOST}:${port}`) return false;
    if (tokenMatches(token, url.searchParams.get('token'))) return true;
    return cookieAllowed && tokenMatches(token, cookieValue(req, cookieName()));
  };

  const securityHeaders = (): Record<string, string> => ({
    'Content-Security-Policy': contentSecurityPolicy(port),
    'X-Content-Type-Options': 'nosniff',
    // The token is in the address; it must never travel to another site in a Referer.
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  });

  const sendJson = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...securityHeaders() }).end(JSON.stringify(body));
  };

  const handleUpload = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST', ...securityHeaders() }).end();
      return;
    }
    try {
      const path = await receiveUpload(req, api.uploadDir, url.searchParams.get('name'), uploadLimit, uploadBudget);
      logger.info('ui.upload', { path });
      sendJson(res, 200, { path });
    } catch (err) {
      const failure = err instanceof UploadError ? err : new UploadError(500, GENERIC_FAILURE, (err as Error).message);
      logger.warn('ui.upload-failed', { status: failure.status, detail: failure.detail });
      // The rest of a refused body is not worth reading: close the connection after answering.
      res.setHeader('Connection', 'close');
      if (!res.headersSent && !res.destroyed)
        sendJson(res, failure.status, { error: { message: failure.message, detail: failure.detail } });
    }
  };

  const handleRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const url = requestUrl(req, port);
    if (!url) {
      res.writeHead(400, securityHeaders()).end();
      return;
    }
    const isPage = req.method === 'GET' || req.method === 'HEAD';
    if (!permitted(req, url, isPage && url.pathname !== '/upload')) {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', ...securityHeaders() }).end(FORBIDDEN_TEXT);
      return;
    }
    if (url.pathname === '/upload') return handleUpload(req, res, url);
    if (url.pathname === '/api') {
      res.writeHead(426, { Upgrade: 'websocket', ...securityHeaders() }).end();
      return;
    }
    if (!isPage) {
      res.writeHead(405, { Allow: 'GET, HEAD', ...securityHeaders() }).end();
      return;
    }
    const headers = securityHeaders();
    if (tokenMatches(token, url.searchParams.get('token'))) {
      headers['Set-Cookie'] = `${cookieName()}=${token}; Path=/; HttpOnly; SameSite=Strict`;
    }
    await serveStaticFile(req, res, staticDir, url.pathname, headers);
  };

  const server = createServer((req, res) => {
    handleRequest(req, res).catch((err: Error) => {
      logger.error('ui.request-failed', { url: req.url?.replace(/token=[^&]*/, 'token=…'), error: err.message });
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxMessageBytes ?? 16 * 1024 * 1024 });

  /** Queues a frame for one page, unless the page already lags by more than the bound: then it is dropped. */
  const sendBounded = (ws: WebSocket, text: string) => {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > maxBuffered) {
      logger.warn('ui.client-dropped', { reason: 'too slow to follow the events', bufferedBytes: ws.bufferedAmount });
      ws.terminate();
      return;
    }
    ws.send(text);
  };

  const reply = (ws: WebSocket, response: WireResponse) => {
    let text: string;
    try {
      text = JSON.stringify(response);
    } catch (err) {
      text = JSON.stringify({ id: response.id, error: commandFailureOf(err) } satisfies WireResponse);
    }
    sendBounded(ws, text);
  };

  const onMessage = (ws: WebSocket, data: RawData, isBinary: boolean) => {
    const request = isBinary ? undefined : parseWireRequest(data.toString());
    if (!request) {
      ws.close(1007, 'Expected a JSON request {id, command, args}.');
      return;
    }
    api.dispatch(request.command, request.args).then(
      (result) => reply(ws, { id: request.id, result }),
      (err: unknown) => reply(ws, { id: request.id, error: commandFailureOf(err) }),
    );
  };

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = requestUrl(req, port);
    if (!url) return refuseUpgrade(socket, 400);
    if (url.pathname !== '/api') return refuseUpgrade(socket, 404);
    if (!permitted(req, url, false)) return refuseUpgrade(socket, 403);
    wss.handleUpgrade(req, socket, head, (ws) => {
      logger.debug('ui.client-connected', { clients: wss.clients.size });
      ws.on('error', (err) => logger.debug('ui.client-error', { error: err.message }));
      ws.on('message', (data, isBinary) => onMessage(ws, data, isBinary));
    });
  });

  // One subscription for all pages: each event is serialized once and fanned out.
  const unsubscribe = api.subscribe((event: UiEventName, payload: unknown) => {
    if (wss.clients.size === 0) return;
    const text = JSON.stringify({ event, payload });
    for (const ws of wss.clients) sendBounded(ws, text);
  });

  try {
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen({ host: UI_HOST, port: opts.port }, () => {
        server.off('error', reject);
        resolveListen();
      });
    });
  } catch (err) {
    unsubscribe();
    throw err;
  }
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the UI server has no TCP address');
  port = address.port;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      unsubscribe();
      await Promise.all([...wss.clients].map(closeClient));
      wss.close();
      await new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      });
    })();
    return closing;
  };

  return { url: `http://${UI_HOST}:${port}/?token=${token}`, port, token, close };
}

/** A polite close frame first; a page that does not answer it within a second is cut off. */
function closeClient(ws: WebSocket): Promise<void> {
  return new Promise((resolveClosed) => {
    if (ws.readyState === WebSocket.CLOSED) return resolveClosed();
    ws.once('close', () => resolveClosed());
    ws.close(1001, 'The gateway is shutting down.');
    setTimeout(() => ws.terminate(), 1000).unref();
  });
}
