/**
 * The digest chain of a stored instance: SHA-256 of its dataset bytes as received (computed
 * while they streamed in), as stored (re-read from disk now), and as sent to each destination.
 * Each hop is compared with the one before it, so a change is pinned to where it happened. A hop
 * whose dataset was transcoded (the destination allowed it) says so, with both syntaxes: its bytes
 * differ by design, and its digest is of what went on the wire.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { JobState } from '../api/types/routing.ts';
import type { DigestChain, HopVerdict } from '../api/contract.ts';
import { describeTransferSyntax } from '../dicom/transfer-syntax.ts';

export interface ChainInputs {
  instanceId: number;
  sopInstanceUid: string;
  storeRoot: string;
  path: string;
  datasetOffset: number;
  datasetLength: number;
  receivedSha256: string;
  /** The stored file's own transfer syntax. */
  transferSyntaxUid: string;
  sends: {
    destination: string;
    sha256: string | null;
    sentAt: string | null;
    state: JobState;
    error: string | null;
    sentTransferSyntaxUid?: string | null;
  }[];
}

export async function digestChain(inputs: ChainInputs): Promise<DigestChain> {
  let stored: DigestChain['stored'];
  try {
    const sha256 = await hashRegion(join(inputs.storeRoot, inputs.path), inputs.datasetOffset, inputs.datasetLength);
    stored = { sha256, verdict: sha256 === inputs.receivedSha256 ? 'identical' : 'changed' };
  } catch (err) {
    stored = { sha256: null, verdict: 'missing', error: (err as Error).message };
  }
  const reference = stored.sha256 ?? inputs.receivedSha256;
  return {
    instanceId: inputs.instanceId,
    sopInstanceUid: inputs.sopInstanceUid,
    received: inputs.receivedSha256,
    stored,
    sent: inputs.sends.map(({ error, sentTransferSyntaxUid, ...send }) => ({
      ...send,
      reason: error,
      verdict: sendVerdict(send.sha256, reference),
      ...(sentTransferSyntaxUid
        ? {
            transcoded: `transcoded: ${describeTransferSyntax(inputs.transferSyntaxUid)} -> ${describeTransferSyntax(sentTransferSyntaxUid)}`,
          }
        : {}),
    })),
  };
}

function sendVerdict(sha256: string | null, reference: string): HopVerdict {
  if (sha256 === null) return 'missing';
  return sha256 === reference ? 'identical' : 'changed';
}

/** Streams `length` bytes from `offset`; the stored file may be as large as the instance (1 GiB and more). */
export function hashRegion(path: string, offset: number, length: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let seen = 0;
    const stream = length === 0 ? undefined : createReadStream(path, { start: offset, end: offset + length - 1 });
    if (!stream) return resolve(hash.digest('hex'));
    stream.on('data', (chunk) => {
      seen += chunk.length;
      hash.update(chunk);
    });
    stream.on('error', reject);
    stream.on('end', () =>
      seen === length ? resolve(hash.digest('hex')) : reject(new Error(`${path} has ${seen} dataset bytes, the index says ${length}`)),
    );
  });
}
