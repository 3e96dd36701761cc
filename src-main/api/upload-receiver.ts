/**
 * Files dropped on the page in a browser: the bytes stream into the ApiHost's upload folder (one fresh
 * sub-folder per file, so equal names never collide, keeping the file's path within its dropped folder) and the page gets back a path it can send or inspect.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CommandFailure } from './command-failure.ts';

export const DEFAULT_UPLOAD_LIMIT_BYTES = 4 * 1024 ** 3;
/** All uploads of one server run together (the folder is emptied only at the next start). */
export const DEFAULT_UPLOAD_TOTAL_BYTES = 16 * 1024 ** 3;

/**
 * The bytes all uploads may take in total. A per-request limit alone lets a page fill the disk the
 * store needs with many requests; every byte is taken from this budget as it arrives and given
 * back when an upload fails and is removed.
 */
export class UploadBudget {
  readonly limitBytes: number;
  private used = 0;
  constructor(limitBytes: number) {
    this.limitBytes = limitBytes;
  }
  get usedBytes(): number {
    return this.used;
  }
  get remainingBytes(): number {
    return Math.max(0, this.limitBytes - this.used);
  }
  /** Takes `n` bytes; false (and nothing taken) when that would go over the limit. */
  take(n: number): boolean {
    if (this.used + n > this.limitBytes) return false;
    this.used += n;
    return true;
  }
  give(n: number): void {
    this.used = Math.max(0, this.used - n);
  }
}
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
 * Where, inside the upload's own fresh folder, to store it: the relative path the browser sent
 * (a file from a dropped or chosen folder keeps "series1/IM0001"), each segment without control
 * characters (and with characters Windows forbids in names replaced by _), with empty, `.` and `..` segments dropped so nothing can climb out; at most 8
 * segments of at most 200 characters (the ends, where the file name and extension are);
 * `upload.dcm` when nothing usable is left.
 */
export function sanitizeUploadName(name: string | null | undefined): string {
  const segments = (name ?? '')
    .split(/[/\\]/)
    .map((segment) =>
      segment
        .replace(/\p{Cc}/gu, '')
        .replace(/[:*?"<>|]/g, '_')
        .trim()
        .slice(-200),
    )
    .filter((segment) => segment !== '' && segment !== '.' && segment !== '..')
    .slice(-8);
  return segments.length === 0 ? FALLBACK_NAME : segments.join('/');
}

/** Counts bytes as they pass and fails the stream past `limit` or when the shared budget runs out. */
function byteLimit(limit: number, name: string, budget: UploadBudget, taken: { bytes: number }): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > limit) return callback(tooLarge(name, limit));
      if (!budget.take(chunk.length)) return callback(budgetSpent(name, budget));
      taken.bytes += chunk.length;
      callback(null, chunk);
    },
  });
}

function tooLarge(name: string, limit: number): UploadError {
  return new UploadError(413, `${name} is too large to upload to the gateway.`, `upload limit is ${limit} bytes`);
}

function budgetSpent(name: string, budget: UploadBudget): UploadError {
  return new UploadError(
    507,
    `${name} was not uploaded: the gateway's space for uploaded files is full. Restart \`dicom-gateway serve\` to empty it.`,
    `uploads in total may take ${budget.limitBytes} bytes; ${budget.usedBytes} are used`,
  );
}

/** Streams the request body to `<uploadDir>/<fresh>/<name>` and returns that path; leaves nothing behind on failure. */
export async function receiveUpload(
  req: IncomingMessage,
  uploadDir: string,
  rawName: string | null,
  limitBytes: number,
  budget: UploadBudget = new UploadBudget(Number.MAX_SAFE_INTEGER),
): Promise<string> {
  const name = sanitizeUploadName(rawName);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge(name, limitBytes);
  if (Number.isFinite(declared) && declared > budget.remainingBytes) throw budgetSpent(name, budget);
  const taken = { bytes: 0 };
  await mkdir(uploadDir, { recursive: true });
  const folder = await mkdtemp(join(uploadDir, 'upload-'));
  const path = join(folder, name);
  await mkdir(dirname(path), { recursive: true });
  try {
    await pipeline(req, byteLimit(limitBytes, name, budget, taken), createWriteStream(path, { flags: 'wx' }));
    return path;
  } catch (err) {
    await rm(folder, { recursive: true, force: true });
    budget.give(taken.bytes);
    if (err instanceof UploadError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const status = code === 'ENOSPC' ? 507 : req.destroyed || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' ? 400 : 500;
    throw new UploadError(status, `${name} could not be uploaded to the gateway.`, `writing ${path}: ${(err as Error).message}`);
  }
}
