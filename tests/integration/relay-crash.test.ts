/**
 * kill -9 of `serve` in the middle of relaying 500 instances (storescu -> serve (rule) -> storescp +B).
 * After a restart on the same storage and config, every instance storescu saw acknowledged reaches
 * the destination, byte for byte; deliveries forced twice by the crash are counted and printed.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { followStorescu } from '../helpers/dcmtk.ts';
import { writeP10Files } from '../helpers/dicom-fixtures.ts';
import { startGateway } from '../helpers/gateway-process.ts';
import { unsentJobCount } from '../helpers/index-database.ts';
import { startDeliveryCounter, writeRelayConfig } from '../helpers/relay-setup.ts';
import { cleanUpAfterSuite } from '../helpers/test-cleanup.ts';
import { metaUid, sha256, splitP10 } from '../helpers/p10-regions.ts';
import { waitFor } from '../helpers/wait.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

const COUNT = 500;
const KILL_AFTER_DELIVERED = 120;
// Quick retries: what the killed gateway left queued is sent within the test's time.
const QUEUE = { maxAttempts: 20, backoffBaseSeconds: 0.2, backoffMaxSeconds: 1, batchSize: 50 };

describe('relay under SIGKILL', () => {
  const cleanup = cleanUpAfterSuite();

  it('delivers every acknowledged instance after a restart, counting forced duplicates', { timeout: 240_000 }, async () => {
    const work = cleanup.removeAfter(await makeTempDir('relay-crash-'));
    const scp = cleanup.stopAfter(await startDeliveryCounter(work));
    const config = await writeRelayConfig(work, [{ name: 'pacs', peer: scp }], QUEUE);
    const sources = await writeP10Files(join(work, 'in'), COUNT, (i) => ({ seed: 9000 + i, pixelDataBytes: 16 * 1024 }));
    const sourceSha = new Map<string, string>();
    for (const path of sources) sourceSha.set(path, sha256(splitP10(await readFile(path)).dataset));

    const storage = join(work, 'store');
    const first = cleanup.stopAfter(await startGateway({ storage, args: ['--config', config] }));
    const sender = followStorescu(first.port, sources);
    const delivered = () => readdir(scp.outputDir).then((names) => names.length);
    await waitFor(`${KILL_AFTER_DELIVERED} instances at the destination`, async () => (await delivered()) >= KILL_AFTER_DELIVERED, 120_000);
    await first.stop('SIGKILL');
    await sender.exited;
    const acknowledged = [...sender.acknowledged];
    expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER_DELIVERED);

    cleanup.stopAfter(await startGateway({ storage, args: ['--config', config] }));
    const wanted = new Map(acknowledged.map((path) => [sourceSha.get(path)!, path]));
    /** Datasets at the destination by digest; while the queue still sends, a file storescp is writing is skipped. */
    const arrivals = async (stillSending: boolean) => {
      const counts = new Map<string, number>();
      for (const name of await readdir(scp.outputDir)) {
        const file = await readFile(join(scp.outputDir, name));
        let regions;
        try {
          regions = splitP10(file, name);
        } catch (err) {
          if (stillSending) continue;
          throw err;
        }
        const digest = sha256(regions.dataset);
        counts.set(digest, (counts.get(digest) ?? 0) + 1);
        expect(metaUid(file, 0x0003)).toBeDefined();
      }
      return counts;
    };
    const final = await waitFor(
      'every acknowledged instance at the destination',
      async () => {
        const counts = await arrivals(true);
        return [...wanted.keys()].every((digest) => counts.has(digest)) ? counts : undefined;
      },
      120_000,
    );
    // Instances stored but not yet acknowledged when the gateway died are forwarded too: let the queue finish.
    await waitFor('the queue to be idle', () => unsentJobCount(storage) === 0, 120_000);
    const settled = await arrivals(false);
    expect(settled.size).toBeGreaterThanOrEqual(final.size);
    const twice = [...settled.values()].filter((n) => n > 1).length;
    console.log(
      `relay crash: ${acknowledged.length} acknowledged by the gateway, ${settled.size} distinct instances delivered, ${twice} delivered more than once`,
    );
    // Every delivered dataset is one of the sources, byte for byte.
    const sourceDigests = new Set(sourceSha.values());
    expect([...settled.keys()].every((digest) => sourceDigests.has(digest))).toBe(true);
  });
});
