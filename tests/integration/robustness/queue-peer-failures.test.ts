/**
 * The forward queue facing a destination that closes, resets, aborts or falls silent at each step
 * of an association (issue 9, defect 5, on the queue's side: the job used to stay `sending` until
 * a restart). Every attempt settles as a failure naming the peer, the jobs wait for their retry,
 * and once a real storescp +B takes the port each instance arrives once, byte for byte.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { collectSendableFiles } from '../../../src-main/dicom/sendable-files.ts';
import { sendFiles } from '../../../src-main/dicom/store-scu.ts';
import { DEFAULT_CONFIG, Gateway } from '../../../src-main/gateway.ts';
import { startStoreScp } from '../../helpers/dcmtk.ts';
import { destination } from '../../helpers/destination-fixtures.ts';
import { writeP10Files } from '../../helpers/dicom-fixtures.ts';
import { misbehavingPeer, PEER_FAILURES } from '../../helpers/misbehaving-peer.ts';
import { filesBySopInstance, splitP10 } from '../../helpers/p10-regions.ts';
import { makeTempDir } from '../../helpers/temp-dir.ts';
import { cleanUpAfterEachTest } from '../../helpers/test-cleanup.ts';
import { waitFor } from '../../helpers/wait.ts';

const INSTANCES = 2;
/** Short enough that a silent peer costs an attempt in 1.5 s; a real peer answers in milliseconds. */
const PEER_TIMEOUT_MS = 1500;

describe('the forward queue against a destination that fails at each step', () => {
  let work: string;
  const cleanup = cleanUpAfterEachTest();
  beforeEach(async () => (work = cleanup.removeAfter(await makeTempDir('queue-failures-'))));

  it.each(PEER_FAILURES)(
    'retries when the peer fails at %s by %s, and delivers each instance once when a real peer comes',
    async (step, act) => {
      const peer = await misbehavingPeer(step, act);
      const g = await Gateway.start({
        ...DEFAULT_CONFIG,
        host: '127.0.0.1',
        port: 0,
        storage: join(work, 'store'),
        destinations: [
          destination('pacs', { port: peer.port, aeTitle: 'STORESCP', connectTimeoutMs: PEER_TIMEOUT_MS, dimseTimeoutMs: PEER_TIMEOUT_MS }),
        ],
        rules: [{ name: 'all', enabled: true, match: {}, forward: ['pacs'] }],
        queue: { maxAttempts: 20, backoffBaseSeconds: 0.1, backoffMaxSeconds: 0.5, batchSize: 100, lingerSeconds: 1 },
      });
      cleanup.stopAfter(g);
      const files = await writeP10Files(join(work, 'in'), INSTANCES, (i) => ({ seed: 1200 + i }));
      const { files: sendable } = await collectSendableFiles(files);
      const received = await sendFiles(
        sendable,
        { aeTitle: 'GATEWAY', host: '127.0.0.1', port: g.address!.port },
        { callingAe: 'MODALITY' },
      );
      expect(received.every((r) => r.ok)).toBe(true);

      const named = `STORESCP@127.0.0.1:${peer.port}`;
      // A job the peer failed used to stay `sending` until a restart; now each one's attempt settles.
      await waitFor(
        'a failed attempt for every job',
        () => {
          const jobs = g.jobRepo.list({});
          return jobs.length === INSTANCES && jobs.every((j) => failedAttempts(g, j.id) >= 1);
        },
        20_000,
      );
      for (const job of g.jobRepo.list({})) {
        for (const attempt of g.jobRepo.attemptsOf(job.id)) {
          expect(attempt.outcome).toBe('retry');
          expect(attempt.error).toContain(named);
        }
      }

      await peer.close();
      await mkdir(join(work, 'scp'));
      const scp = await startStoreScp({ port: peer.port, outputDir: join(work, 'scp') });
      cleanup.stopAfter(scp);
      const sent = await waitFor(
        'every job sent to the real peer',
        () => {
          const jobs = g.jobRepo.list({});
          return jobs.every((j) => j.state === 'sent') ? jobs : undefined;
        },
        20_000,
      );
      expect(sent.map((j) => j.deliveries)).toEqual(Array(INSTANCES).fill(1));
      const landed = await filesBySopInstance(scp.outputDir);
      expect(landed.size).toBe(INSTANCES);
      for (const r of received) {
        const source = splitP10(await readFile(r.file)).dataset;
        expect(splitP10(landed.get(r.sopInstanceUid)!).dataset.equals(source), r.file).toBe(true);
      }
    },
  );
});

function failedAttempts(g: Gateway, jobId: number): number {
  return g.jobRepo.attemptsOf(jobId).filter((a) => a.outcome === 'retry').length;
}
