/**
 * The journaled receive under SIGKILL: a 1000-instance relay (storescu -> serve (rule) -> storescp +B)
 * during which `serve` itself is killed with SIGKILL at 20 seeded-random points (after a random
 * number of acknowledgements in each run, so the kills land in every phase: journal appends,
 * filing, index batches, segment retirement, forwarding). After each kill serve restarts on the
 * same storage and storescu resends what it had not seen acknowledged.
 *
 * At the end: every instance storescu saw acknowledged, in any run, is in the store byte for byte,
 * indexed exactly once, and delivered to the sink at least once; every file in the store is
 * complete and indexed, and no temp file is left.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { followStorescu } from '../helpers/dcmtk.ts';
import { writeP10Files } from '../helpers/dicom-fixtures.ts';
import { startGateway } from '../helpers/gateway-process.ts';
import { selectFromIndex, unsentJobCount } from '../helpers/index-database.ts';
import { startDeliveryCounter, writeRelayConfig } from '../helpers/relay-setup.ts';
import { cleanUpAfterSuite } from '../helpers/test-cleanup.ts';
import { listFilesRecursive, sha256, splitP10 } from '../helpers/p10-regions.ts';
import { waitFor } from '../helpers/wait.ts';
import { seededRandom } from '../helpers/seeded-random.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const COUNT = 1000;
const KILLS = 20;
const SEED = 0x5eed;
// Quick retries: a killed gateway's jobs are sent again within the test's time.
const QUEUE = { maxAttempts: 50, backoffBaseSeconds: 0.1, backoffMaxSeconds: 0.5, batchSize: 50 };

interface IndexRow {
  sop_instance_uid: string;
  path: string;
  dataset_sha256: string;
}

function indexedInstances(storage: string): IndexRow[] {
  return selectFromIndex<IndexRow>(storage, 'SELECT sop_instance_uid, path, dataset_sha256 FROM instances');
}

describe('journaled receive under SIGKILL', () => {
  const cleanup = cleanUpAfterSuite('SIGKILL');

  it(
    `loses nothing acknowledged across ${KILLS} kills during a ${COUNT}-instance relay: stored byte for byte, indexed once, delivered`,
    { timeout: 420_000 },
    async () => {
      const random = seededRandom(SEED);
      const work = cleanup.removeAfter(await makeTempDir('journal-crash-'));
      const sink = cleanup.stopAfter(await startDeliveryCounter(work));
      const config = await writeRelayConfig(work, [{ name: 'sink', peer: sink }], QUEUE);
      // Small instances: every one goes through the journal, and 1000 of them fit the time budget.
      const sources = await writeP10Files(join(work, 'in'), COUNT, (i) => ({ seed: 70_000 + i, pixelDataBytes: 2048 + (i % 7) * 512 }));
      const datasetOf = new Map<string, Buffer>();
      for (const path of sources) datasetOf.set(path, splitP10(await readFile(path), path).dataset);
      const storage = join(work, 'store');

      const acknowledged = new Set<string>();
      const killedAfter: number[] = [];
      const started = Date.now();
      for (let kill = 0; kill < KILLS; kill++) {
        const remaining = sources.filter((s) => !acknowledged.has(s));
        const gateway = cleanup.stopAfter(await startGateway({ storage, args: ['--config', config] }));
        const sender = followStorescu(gateway.port, remaining);
        const target = 5 + Math.floor(random() * 40);
        await waitFor(
          `${target} acknowledgements in run ${kill + 1}`,
          () => sender.acknowledged.size >= target || (sender.child.exitCode !== null && 'sender exited'),
          60_000,
          2,
        );
        await gateway.stop('SIGKILL');
        await sender.exited;
        for (const path of sender.acknowledged) acknowledged.add(path);
        killedAfter.push(sender.acknowledged.size);
      }
      expect(acknowledged.size, 'the kills must land before the relay is over').toBeLessThan(COUNT);
      const killsSeconds = (Date.now() - started) / 1000;

      // The last run: everything not acknowledged yet is sent, then the queue drains.
      const last = cleanup.stopAfter(await startGateway({ storage, args: ['--config', config] }));
      const sender = followStorescu(
        last.port,
        sources.filter((s) => !acknowledged.has(s)),
      );
      expect(await sender.exited, sender.log().slice(-2000)).toBe(0);
      for (const path of sender.acknowledged) acknowledged.add(path);
      expect(acknowledged.size).toBe(COUNT);

      const wanted = new Set([...acknowledged].map((p) => sha256(datasetOf.get(p)!)));
      const deliveries = async () => {
        const counts = new Map<string, number>();
        for (const name of await readdir(sink.outputDir)) {
          const digest = sha256(splitP10(await readFile(join(sink.outputDir, name))).dataset);
          counts.set(digest, (counts.get(digest) ?? 0) + 1);
        }
        return counts;
      };
      await waitFor('the queue to be idle', () => unsentJobCount(storage) === 0, 120_000, 200);
      const delivered = await deliveries();
      const undelivered = [...wanted].filter((d) => !delivered.has(d));
      expect(undelivered, 'acknowledged but never delivered').toEqual([]);
      expect(
        [...delivered.keys()].filter((d) => !wanted.has(d)),
        'delivered but matching no source',
      ).toEqual([]);
      await last.stop();

      const rows = indexedInstances(storage);
      const rowsBySop = new Map<string, IndexRow[]>();
      for (const row of rows) rowsBySop.set(row.sop_instance_uid, [...(rowsBySop.get(row.sop_instance_uid) ?? []), row]);
      const problems: string[] = [];
      for (const path of acknowledged) {
        const dataset = datasetOf.get(path)!;
        const digest = sha256(dataset);
        const matching = rows.filter((r) => r.dataset_sha256 === digest);
        if (matching.length !== 1) {
          problems.push(`${path}: ${matching.length} index rows`);
          continue;
        }
        const stored = await readFile(join(storage, matching[0]!.path)).catch(() => undefined);
        if (!stored) problems.push(`${path}: indexed at ${matching[0]!.path}, no file`);
        else if (!splitP10(stored).dataset.equals(dataset)) problems.push(`${path}: stored dataset differs`);
      }
      expect(problems, 'acknowledged instances after the last restart').toEqual([]);
      expect(
        [...rowsBySop.values()].filter((r) => r.length > 1).map((r) => r[0]!.sop_instance_uid),
        'SOP instances with more than one version',
      ).toEqual([]);

      const files = (await listFilesRecursive(join(storage, 'studies'))).map((f) => relative(storage, f)).sort();
      expect(files, 'every file in the store is indexed, every row has its file').toEqual(rows.map((r) => r.path).sort());
      expect(await listFilesRecursive(join(storage, '.incoming')), 'temp files left').toEqual([]);

      const repeated = [...delivered.values()].filter((n) => n > 1).length;
      console.log(
        `journal crash: ${KILLS} SIGKILLs after ${killedAfter.join(',')} acknowledgements; ${COUNT} acknowledged in all, ` +
          `${rows.length} indexed, ${delivered.size} delivered (${repeated} more than once); ` +
          `${killsSeconds.toFixed(0)} s for the killed runs, ${((Date.now() - started) / 1000).toFixed(0)} s in all`,
      );
    },
  );
});
