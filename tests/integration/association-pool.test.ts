/**
 * Pooled forwarding with real peers: instances arriving one by one at the gateway go on to a
 * DCMTK storescp +B over a few long-lived associations (not one each), and every dataset lands
 * byte for byte as it arrived.
 */
import { readFile, readdir, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, Gateway } from '../../src-main/gateway.ts';
import { startStoreScp, storescu, type StoreScp } from '../helpers/dcmtk.ts';
import { destination } from '../helpers/destination-fixtures.ts';
import { SopClass, writeP10Files } from '../helpers/dicom-fixtures.ts';
import { sha256, splitP10 } from '../helpers/p10-regions.ts';
import { waitFor } from '../helpers/wait.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { cleanUpAfterEachTest } from '../helpers/test-cleanup.ts';

const COUNT = 200;

/** SHA-256 of each dataset region in a storescp folder, or of each instance the gateway stored. */
async function datasetDigests(dir: string, g?: Gateway): Promise<string[]> {
  const names = g
    ? (g.repo.database.prepare('SELECT path FROM instances').all() as { path: string }[]).map((r) => r.path)
    : (await readdir(dir)).filter((n) => !n.startsWith('.'));
  return Promise.all(names.map(async (n) => sha256(splitP10(await readFile(join(dir, n))).dataset)));
}

// Acknowledged, not received: storescp logs a bare TCP connection (the helper's readiness probe) as received.
const associationsAt = (scp: StoreScp) => (scp.output().match(/Association Acknowledged/g) ?? []).length;

describe('pooled forwarding', () => {
  let work: string;
  const cleanup = cleanUpAfterEachTest();
  beforeEach(async () => (work = cleanup.removeAfter(await makeTempDir('association-pool-'))));

  /** A gateway forwarding everything it stores to the storescp on `port`. */
  async function relayTo(port: number, maxAssociations: number, lingerSeconds: number): Promise<Gateway> {
    const g = await Gateway.start({
      ...DEFAULT_CONFIG,
      host: '127.0.0.1',
      port: 0,
      storage: join(work, 'store'),
      destinations: [destination('pacs', { aeTitle: 'STORESCP', port, maxAssociations })],
      rules: [{ name: 'all', enabled: true, match: {}, forward: ['pacs'], studyQuietSeconds: undefined }],
      queue: { ...DEFAULT_CONFIG.queue, lingerSeconds },
    });
    cleanup.stopAfter(g);
    return g;
  }

  it(
    `relays ${COUNT} instances arriving one by one over a few associations, each dataset byte-identical`,
    { timeout: 180_000 },
    async () => {
      const scp = await startStoreScp({ outputDir: await mkdtemp(join(work, 'scp-')), extraArgs: ['-v', '+uf'] });
      cleanup.stopAfter(scp);
      const g = await relayTo(scp.port, 2, 5);
      // CT and MR interleaved: the second pair is not known when the first association opens.
      const files = await writeP10Files(join(work, 'in'), COUNT, (i) => ({
        seed: 7000 + i,
        sopClassUid: i % 2 === 0 ? SopClass.CT : SopClass.MR,
        modality: i % 2 === 0 ? 'CT' : 'MR',
        edgeCases: i === 0,
      }));

      expect((await storescu(g.address!.port, files)).code).toBe(0);
      await waitFor(`${COUNT} jobs sent`, () => g.queueCounts().find((c) => c.state === 'sent')?.count === COUNT, 120_000);

      // What landed is what the gateway stored (storescu itself may re-encode on the way in).
      const stored = await datasetDigests(join(work, 'store'), g);
      expect(stored).toHaveLength(COUNT);
      expect((await datasetDigests(scp.outputDir)).sort()).toEqual(stored.sort());
      const associations = associationsAt(scp);
      console.log(`pooled forwarding: ${COUNT} instances in ${associations} associations`);
      expect(associations).toBeGreaterThanOrEqual(1);
      expect(associations).toBeLessThanOrEqual(6);
      expect(g.jobs({ limit: COUNT }).every((j) => j.deliveries === 1 && j.attempts === 1)).toBe(true);
    },
  );

  it(
    'releases an association that has lingered with nothing to send, and opens a new one for the next job',
    { timeout: 120_000 },
    async () => {
      const scp = await startStoreScp({ outputDir: await mkdtemp(join(work, 'scp-')), extraArgs: ['-v'] });
      cleanup.stopAfter(scp);
      const g = await relayTo(scp.port, 1, 0.3);
      const [first, second] = await writeP10Files(join(work, 'in'), 2, (i) => ({ seed: 7500 + i }));
      expect((await storescu(g.address!.port, [first!])).code).toBe(0);
      await waitFor('the first association released', () => /Association Release/.test(scp.output()), 20_000);
      expect((await storescu(g.address!.port, [second!])).code).toBe(0);
      await waitFor('both jobs sent', () => g.queueCounts().find((c) => c.state === 'sent')?.count === 2, 20_000);
      expect(associationsAt(scp)).toBe(2);
    },
  );
});
