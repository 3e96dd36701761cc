/**
 * Files dropped on the page in a browser: the bytes stream into the ApiHost's upload folder (one fresh
 * sub-folder per file, so equal names never collide) and the page gets back a path it can send or inspect.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CommandFailure } from './contract.ts';

export const DEFAULT_UPLOAD_LIMIT_BYTES = 4 * 1024 ** 3;
const FALLBACK_NAME = 'upload.dcm';

/** An upload refused or failed: the HTTP status and the words for the page. */
export class UploadError extends Error implements CommandFailure {
  readonly status: number;
  readonly detail: string;
  constructor(status: number, message: string, detail: string) {
    super(message);
    this.name = 'UploadError';
    this.status = status;
    this.detail = detail;
  }
}

/**
 * The name to store an upload under: the last path segment only (either separator), without control
 * characters, never `.`/`..`, at most 200 characters; `upload.dcm` when nothing usable is left.
 */
export function sanitizeUploadName(name: string | null | undefined): string {
  const base = (name ?? '').split(/[/\\]/).pop() ?? '';
  const clean = base.replace(/[\x00-\x1f\x7f]/g, '').trim().slice(-200);
  return clean === '' || clean === '.' || clean === '..' ? FALLBACK_NAME : clean;
}

/** Counts bytes as they pass and fails the stream once there are more than `limit`. */
function byteLimit(limit: number, name: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > limit) callback(tooLarge(name, limit));
      else callback(null, chunk);
    },
  });
}

function tooLarge(name: string, limit: number): UploadError {
  return new UploadError(413, `${name} is too large to upload to the gateway.`, `upload limit is ${limit} bytes`);
}

/** Streams the request body to `<uploadDir>/<fresh>/<name>` and returns that path; leaves nothing behind on failure. */
export async function receiveUpload(req: IncomingMessage, uploadDir: string, rawName: string | null, limitBytes: number): Promise<string> {
  const name = sanitizeUploadName(rawName);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge(name, limitBytes);
  await mkdir(uploadDir, { recursive: true });
  const folder = await mkdtemp(join(uploadDir, 'upload-'));
  const path = join(folder, name);
  try {
    await pipeline(req, byteLimit(limitBytes, name), createWriteStream(path, { flags: 'wx' }));
    return path;
  } catch (err) {
    await rm(folder, { recursive: true, force: true });
    if (err instanceof UploadError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const status = code === 'ENOSPC' ? 507 : req.destroyed || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' ? 400 : 500;
    throw new UploadError(status, `${name} could not be uploaded to the gateway.`, `writing ${path}: ${(err as Error).message}`);
  }
}
