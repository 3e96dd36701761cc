/**
 * Crash recovery: the gateway is killed with SIGKILL in the middle of a 300-instance association.
 * After a restart on the same storage, every instance storescu saw acknowledged with success is
 * there, complete byte for byte and indexed; no temp file survives; nothing incomplete is visible;
 * and the instances that were lost in flight can simply be sent again.
 */
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followStorescu, storescu } from '../helpers/dcmtk.ts';
import { writeP10Files } from '../helpers/dicom-fixtures.ts';
import { startGateway, type GatewayProcess } from '../helpers/gateway-process.ts';
import { firstDifference, listFilesRecursive, sha256, splitP10, storedPath } from '../helpers/p10-regions.ts';
import { waitFor } from '../helpers/wait.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';
import { selectFromIndex } from '../helpers/index-database.ts';

const COUNT = 300;
const KILL_AFTER_ACKNOWLEDGED = 100;
const SEED = 501;
const UID_ROOT = '1.2.3.4.5.6.7.8.9';
const uidsFor = (instance: number) => ({
  study: `${UID_ROOT}.1.${SEED}`,
  series: `${UID_ROOT}.2.${SEED}`,
  sop: `${UID_ROOT}.3.${SEED}.${instance}`,
});

interface Source {
  path: string;
  uids: { study: string; series: string; sop: string };
  dataset: Buffer;
  datasetSha256: string;
}

let work: string;
let storage: string;
let sources: Source[];
const gateways: GatewayProcess[] = [];

beforeAll(async () => {
  work = await makeTempDir('crash-recovery-');
  storage = join(work, 'store');
  // 128 KiB of pixels each: big enough that a kill usually lands inside a write, small enough to stay quick.
  const paths = await writeP10Files(join(work, 'in'), COUNT, { seed: SEED, pixelDataBytes: 128 * 1024 });
  sources = await Promise.all(
    paths.map(async (path, i) => {
      const dataset = splitP10(await readFile(path), path).dataset;
      return { path, uids: uidsFor(i + 1), dataset, datasetSha256: sha256(dataset) };
    }),
  );
});

afterAll(async () => {
  for (const gateway of gateways) await gateway.stop();
  await removeDir(work);
});

function indexRowsBySop(): Map<string, { path: string; dataset_sha256: string; size: number }[]> {
  const rows = selectFromIndex<{ sop_instance_uid: string; path: string; dataset_sha256: string; size: number }>(
    storage,
    'SELECT sop_instance_uid, path, dataset_sha256, size FROM instances',
  );
  const out = new Map<string, { path: string; dataset_sha256: string; size: number }[]>();
  for (const row of rows) out.set(row.sop_instance_uid, [...(out.get(row.sop_instance_uid) ?? []), row]);
  return out;
}

describe('SIGKILL during a 300-instance association', () => {
  it(
    'keeps every acknowledged instance complete and indexed, leaves no temp file, and accepts the rest again',
    { timeout: 180_000 },
    async () => {
      const first = await startGateway({ storage });
      gateways.push(first);
      const sender = followStorescu(
        first.port,
        sources.map((s) => s.path),
      );

      await waitFor(
        `${KILL_AFTER_ACKNOWLEDGED} acknowledged C-STOREs`,
        () => sender.acknowledged.size >= KILL_AFTER_ACKNOWLEDGED || (sender.child.exitCode !== null && 'exited'),
        120_000,
        5,
      );
      await first.stop('SIGKILL');
      const storescuExit = await sender.exited;
      const acknowledged = sources.filter((s) => sender.acknowledged.has(s.path));
      const context = `storescu exit ${storescuExit}:\n${sender.log().slice(-3000)}\ngateway:\n${first.output().slice(-3000)}`;
      // Unless the kill interrupted the run, this test proves nothing about crashes.
      expect(acknowledged.length, context).toBeGreaterThanOrEqual(KILL_AFTER_ACKNOWLEDGED);
      expect(acknowledged.length, `storescu finished before the kill\n${context}`).toBeLessThan(COUNT);

      const tempFilesAtCrash = (await listFilesRecursive(join(storage, '.incoming'))).length;
      const second = await startGateway({ storage });
      gateways.push(second);

      expect(await listFilesRecursive(join(storage, '.incoming')), '.incoming/ after restart').toEqual([]);

      const storedFiles = await listFilesRecursive(join(storage, 'studies'));
      const rows = indexRowsBySop();
      const sourceByDatasetSha = new Map(sources.map((s) => [s.datasetSha256, s]));

      // Every acknowledged instance: at its place, complete, indexed with the right digest.
      const problems: string[] = [];
      for (const source of acknowledged) {
        const expectedPath = storedPath(storage, source.uids);
        const indexed = rows.get(source.uids.sop) ?? [];
        if (indexed.length !== 1) problems.push(`${source.uids.sop}: ${indexed.length} index rows`);
        else if (indexed[0]!.path !== relative(storage, expectedPath)) problems.push(`${source.uids.sop}: indexed at ${indexed[0]!.path}`);
        else if (indexed[0]!.dataset_sha256.toLowerCase() !== source.datasetSha256)
          problems.push(`${source.uids.sop}: indexed digest ${indexed[0]!.dataset_sha256}`);
        const bytes = await readFile(expectedPath).catch(() => undefined);
        if (!bytes) problems.push(`${source.uids.sop}: acknowledged but no file at ${expectedPath}`);
        else if (!splitP10(bytes, expectedPath).dataset.equals(source.dataset)) {
          problems.push(`${source.uids.sop}: dataset differs, ${firstDifference(splitP10(bytes).dataset, source.dataset)}`);
        }
      }
      expect(problems, 'acknowledged instances after restart').toEqual([]);

      // Every file in the store, acknowledged or not: complete (its dataset is exactly one source's) and indexed.
      const incomplete: string[] = [];
      for (const file of storedFiles) {
        const source = sourceByDatasetSha.get(sha256(splitP10(await readFile(file), file).dataset));
        if (!source) incomplete.push(`${relative(storage, file)}: dataset matches no source (incomplete or altered)`);
        else if (file !== storedPath(storage, source.uids)) incomplete.push(`${relative(storage, file)}: holds ${source.uids.sop}`);
      }
      expect(incomplete, 'files in the store after restart').toEqual([]);
      const indexedPaths = [...rows.values()]
        .flat()
        .map((r) => r.path)
        .sort();
      expect(indexedPaths, 'index rows and store files agree').toEqual(storedFiles.map((f) => relative(storage, f)).sort());

      console.log(
        `crash-recovery: ${COUNT} sent, ${acknowledged.length} acknowledged before SIGKILL, ` +
          `${storedFiles.length} present after restart (${storedFiles.length - acknowledged.length} stored but unacknowledged), ` +
          `${tempFilesAtCrash} temp file(s) in .incoming/ at the crash`,
      );

      // The instances lost in flight are simply sent again; the ones already stored are duplicates, not new versions.
      const resend = await storescu(
        second.port,
        sources.map((s) => s.path),
        { extraArgs: ['-v'] },
      );
      const resendLog = `storescu exit ${resend.code}:\n${resend.stderr.slice(-3000)}\ngateway:\n${second.output().slice(-3000)}`;
      expect(resend.code, resendLog).toBe(0);
      expect(resend.stderr.match(/Received Store Response \(Success\)/g)?.length, resendLog).toBe(COUNT);
      const finalFiles = (await listFilesRecursive(join(storage, 'studies'))).map((f) => relative(storage, f)).sort();
      expect(finalFiles).toEqual(sources.map((s) => relative(storage, storedPath(storage, s.uids))).sort());
      for (const source of sources) {
        const bytes = await readFile(storedPath(storage, source.uids));
        expect(splitP10(bytes).dataset.equals(source.dataset), `${source.uids.sop} after resend`).toBe(true);
      }
    },
  );
});
