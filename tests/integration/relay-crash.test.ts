/**
 * kill -9 of `serve` in the middle of relaying 500 instances (storescu -> serve (rule) -> storescp +B).
 * After a restart on the same storage and config, every instance storescu saw acknowledged reaches
 * the destination, byte for byte; deliveries forced twice by the crash are counted and printed.
 */
import { readFile, readdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { followStorescu, startStoreScp, type StoreScp } from '../helpers/dcmtk.ts';
import { writeP10Files } from '../helpers/dicom-fixtures.ts';
import { startGateway, type GatewayProcess } from '../helpers/gateway-process.ts';
import { metaUid, sha256, splitP10 } from '../helpers/p10-regions.ts';
import { waitFor } from '../helpers/wait.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';

const COUNT = 500;
const KILL_AFTER_DELIVERED = 120;

function unfinishedJobs(storage: string): number {
  const db = new DatabaseSync(join(storage, 'index.sqlite'), { readOnly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM jobs WHERE state <> 'sent'`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('relay under SIGKILL', () => {
  const processes: (GatewayProcess | StoreScp)[] = [];
  let work: string;
  afterAll(async () => {
    for (const p of processes) await p.stop();
    await removeDir(work);
  });

  it('delivers every acknowledged instance after a restart, counting forced duplicates', { timeout: 240_000 }, async () => {
    work = await makeTempDir('relay-crash-');
    // Unique file names: a second delivery of an instance is a second file, so duplicates can be counted.
    const scp = await startStoreScp({ outputDir: await mkdtemp(join(work, 'destination-')), extraArgs: ['+uf'] });
    processes.push(scp);
    const config = join(work, 'gateway.yaml');
    await writeFile(
      config,
      [
        'ae: GATEWAY',
        'destinations:',
        `  - { name: pacs, ae: ${scp.aeTitle}, host: 127.0.0.1, port: ${scp.port} }`,
        'rules:',
        '  - { name: everything, match: {}, forward: [pacs] }',
        'queue: { maxAttempts: 20, backoffBaseSeconds: 0.2, backoffMaxSeconds: 1, batchSize: 50 }',
      ].join('\n'),
    );
    const sources = await writeP10Files(join(work, 'in'), COUNT, (i) => ({ seed: 9000 + i, pixelDataBytes: 16 * 1024 }));
    const sourceSha = new Map<string, string>();
    for (const path of sources) sourceSha.set(path, sha256(splitP10(await readFile(path)).dataset));

    const storage = join(work, 'store');
    const first = await startGateway({ storage, args: ['--config', config] });
    processes.push(first);
    const sender = followStorescu(first.port, sources);
    const delivered = () => readdir(scp.outputDir).then((names) => names.length);
    await waitFor(`${KILL_AFTER_DELIVERED} instances at the destination`, async () => (await delivered()) >= KILL_AFTER_DELIVERED, 120_000);
    await first.stop('SIGKILL');
    await sender.exited;
    const acknowledged = [...sender.acknowledged];
    expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER_DELIVERED);

    const second = await startGateway({ storage, args: ['--config', config] });
    processes.push(second);
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
    await waitFor('the queue to be idle', () => unfinishedJobs(storage) === 0, 120_000);
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
