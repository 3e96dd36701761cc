/**
 * The forward stall (issue 8): an outgoing association stopped after its C-STORE-RQ command, the
 * peer waited for a dataset that never came, and nothing moved until the socket's idle timeout
 * (30 s) ended the association and the job was retried. The cause was on our side: when the
 * dataset could not be read from disk once the command was on the wire (in the relay: the file
 * was not yet renamed into the store), the send path swallowed the error and left the request
 * waiting for a response the peer could never give.
 *
 * These tests drive the public send API against a real storescp with idle timeouts far longer
 * than the test's deadline, so a send that waits on the peer instead of failing cannot pass.
 */
import { mkdtemp, readFile, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSendableFile, type SendableFile } from '../../src-main/dicom/sendable-files.ts';
import { sendFiles } from '../../src-main/dicom/store-scu.ts';
import { startStoreScp, type StoreScp } from '../helpers/dcmtk.ts';
import { writeLargeP10File, writeP10Files } from '../helpers/dicom-fixtures.ts';
import { expectSameBytes, filesBySopInstance, splitP10 } from '../helpers/p10-regions.ts';
import { waitFor } from '../helpers/wait.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';

/** Far beyond the deadline below: only the sender's own error handling can end the send in time. */
const PATIENT_PEER_MS = 600_000;
/** A healthy send of these few files takes well under a second, even on a loaded machine. */
const DEADLINE_MS = 15_000;

let work: string;
let scp: StoreScp;

beforeEach(async () => {
  work = await makeTempDir('forward-stall-');
  scp = await startStoreScp({ outputDir: await mkdtemp(join(work, 'storescp-')), extraArgs: ['+xa', '-v'] });
});

afterEach(async () => {
  await scp.stop();
  await removeDir(work);
});

async function sendable(path: string): Promise<SendableFile> {
  const file = readSendableFile(path);
  if ('reason' in file) throw new Error(`${path}: ${file.reason}`);
  return file;
}

/** sendFiles, failing the test (instead of hanging it) when the send does not end by the deadline. */
async function sendWithinDeadline(files: SendableFile[]) {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(`sendFiles still running after ${DEADLINE_MS} ms: the association is waiting on the peer\nstorescp:\n${scp.output()}`),
        ),
      DEADLINE_MS,
    );
  });
  const send = sendFiles(
    files,
    { aeTitle: scp.aeTitle, host: '127.0.0.1', port: scp.port },
    {
      callingAe: 'GATEWAY',
      connectTimeoutMs: PATIENT_PEER_MS,
      idleTimeoutMs: PATIENT_PEER_MS,
    },
  );
  try {
    return await Promise.race([send, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

describe('forwarding a file that cannot be read', () => {
  it('fails a file missing at send time before its command goes out, and still delivers the files around it byte for byte', async () => {
    const paths = await writeP10Files(join(work, 'src'), 3, (i) => ({ seed: 300 + i, pixelDataBytes: 512 * 1024 }));
    const files = await Promise.all(paths.map(sendable));
    // Indexed, then gone from its path when its turn comes (what the relay met: not yet renamed in).
    await unlink(paths[1]!);

    const results = await sendWithinDeadline(files);

    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(results[1]!.failureKind).toBe('unreadable');
    expect(results[1]!.error).toContain(paths[1]!);
    expect(results[1]!.error).toMatch(/ENOENT/);
    // The missing file never reached the peer, not even as a command.
    expect(scp.output().match(/Received Store Request/g)).toHaveLength(2);
    const received = await filesBySopInstance(scp.outputDir);
    expect([...received.keys()].sort()).toEqual([files[0]!.sopInstanceUid, files[2]!.sopInstanceUid].sort());
    for (const i of [0, 2]) {
      const sent = splitP10(await readFile(paths[i]!), paths[i]);
      const landed = splitP10(received.get(files[i]!.sopInstanceUid)!, 'storescp copy');
      expectSameBytes(landed.dataset, sent.dataset, `dataset of ${paths[i]}`);
    }
  });

  it('aborts the association at once when a file turns out shorter than indexed mid-send, naming the file, and the peer keeps nothing of it', async () => {
    const path = join(work, 'shrinking.dcm');
    await writeLargeP10File(path, { seed: 310, pixelDataBytes: 6 * 1024 * 1024 });
    const file = await sendable(path);
    // Several megabytes are on the wire before the read that comes up short.
    await truncate(path, file.datasetOffset + 3 * 1024 * 1024);

    const [result] = await sendWithinDeadline([file]);

    expect(result!.ok).toBe(false);
    expect(result!.error).toContain(path);
    expect(result!.error).toMatch(/shrank/);
    await waitFor('storescp to see the abort', () => /Association Aborted|Peer aborted Association/.test(scp.output()), DEADLINE_MS);
    expect((await filesBySopInstance(scp.outputDir)).size).toBe(0);
  });
});
