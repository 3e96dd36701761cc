/**
 * The gateway sends C-STORE success only once the instance is durable. Sender and receiver are
 * both the real engine (in process): our SCU's response callback runs the moment the success
 * arrives, and at that moment a copy of the storage folder (what a crash right then would leave)
 * must hold the instance: opening a store on the copy replays the journal into a complete file and
 * an index row. Once the association is released, the instance is also filed and indexed in place.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectSendableFiles } from '../../src-main/dicom/sendable-files.ts';
import { sendFiles } from '../../src-main/dicom/store-scu.ts';
import { openDatabase } from '../../src-main/db/database.ts';
import { IndexRepository } from '../../src-main/db/index-repository.ts';
import { DEFAULT_CONFIG, Gateway } from '../../src-main/gateway.ts';
import { InstanceStore } from '../../src-main/store/instance-store.ts';
import { writeP10Files } from '../helpers/dicom-fixtures.ts';
import { sha256, splitP10 } from '../helpers/p10-regions.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';

/**
 * A copy of the storage folder as it stands. The filing thread runs beside the main thread and may
 * rename a file into its place while the copy walks the tree: such a file is skipped (a crash then
 * would leave it under one name or the other). What must be in the copy is what only the main
 * thread writes, and it is blocked here: the journal, which holds every acknowledged instance
 * until its index row has committed, and the index.
 */
function copyAsItStands(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    try {
      if (entry.isDirectory()) copyAsItStands(join(from, entry.name), join(to, entry.name));
      else copyFileSync(join(from, entry.name), join(to, entry.name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

describe('gateway to gateway, in process', () => {
  let work: string;
  let gateway: Gateway;

  beforeEach(async () => {
    work = await makeTempDir('durable-ack-');
    gateway = await Gateway.start({ ...DEFAULT_CONFIG, host: '127.0.0.1', port: 0, storage: join(work, 'store'), maxAssociations: 2 });
  });
  afterEach(async () => {
    await gateway.stop();
    await removeDir(work);
  });

  const peer = () => ({ aeTitle: 'GATEWAY', host: '127.0.0.1', port: gateway.address!.port });

  it(
    'answers success only once the instance is durable: a copy of the store taken at that moment replays it complete',
    { timeout: 120_000 },
    async () => {
      const paths = await writeP10Files(join(work, 'src'), 4, (i) => ({ seed: 100 + i, pixelDataBytes: 64 * 1024 }));
      const { files } = await collectSendableFiles(paths);
      const snapshots: { sopInstanceUid: string; dir: string; source: string }[] = [];
      const results = await sendFiles(files, peer(), {
        callingAe: 'SENDER',
        onResult: (result) => {
          // Synchronous: the gateway's main thread cannot move on (index, journal) while the copy is taken.
          const dir = join(work, `at-ack-${snapshots.length}`);
          copyAsItStands(gateway.store.root, dir);
          snapshots.push({ sopInstanceUid: result.sopInstanceUid, dir, source: result.file });
        },
      });
      expect(results.filter((r) => !r.ok).map((r) => r.error)).toEqual([]);
      for (const { sopInstanceUid, dir, source } of snapshots) {
        const db = openDatabase(join(dir, 'index.sqlite'));
        const repo = new IndexRepository(db);
        const store = await InstanceStore.open(dir, repo);
        const row = repo.versionsOf(sopInstanceUid)[0];
        expect(row, `${sopInstanceUid} in the store copied at its acknowledgement`).toBeDefined();
        const dataset = splitP10(readFileSync(join(dir, row!.path))).dataset;
        expect(sha256(dataset)).toBe(sha256(splitP10(readFileSync(source)).dataset));
        await store.close();
        db.close();
      }
    },
  );

  it('has every instance filed and indexed in place once the sender has released the association', async () => {
    const paths = await writeP10Files(join(work, 'released'), 20, (i) => ({ seed: 300 + i, pixelDataBytes: 64 * 1024 }));
    const { files } = await collectSendableFiles(paths);
    const results = await sendFiles(files, peer(), { callingAe: 'SENDER' });
    expect(results.every((r) => r.ok)).toBe(true);
    for (const result of results) {
      const row = gateway.repo.versionsOf(result.sopInstanceUid)[0];
      expect(row !== undefined && existsSync(join(gateway.store.root, row.path)), result.sopInstanceUid).toBe(true);
    }
  });

  it('opens a second association once 128 presentation contexts are used', async () => {
    const paths = await writeP10Files(join(work, 'classes'), 130, (i) => ({
      seed: 200 + i,
      sopClassUid: `1.2.826.0.1.3680043.9.7777.${i + 1}`,
    }));
    const { files } = await collectSendableFiles(paths);
    let associations = 0;
    const stop = gateway.events.on('association-opened', () => associations++);
    const results = await sendFiles(files, peer(), { callingAe: 'SENDER' });
    stop();
    expect(results.filter((r) => r.ok)).toHaveLength(130);
    expect(associations).toBe(2);
  });

  it('rejects an association beyond the configured limit with "local limit exceeded"', async () => {
    const { ScuAssociation } = await import('../../src-main/dicom/scu-association.ts');
    const contexts = [{ abstractSyntaxUid: '1.2.840.10008.1.1', transferSyntaxUids: ['1.2.840.10008.1.2'] }];
    const open = [
      await ScuAssociation.open(peer(), { callingAe: 'A' }, contexts),
      await ScuAssociation.open(peer(), { callingAe: 'B' }, contexts),
    ];
    await expect(ScuAssociation.open(peer(), { callingAe: 'C' }, contexts)).rejects.toThrow(
      /rejected the association \(transient, local limit exceeded\)/,
    );
    await Promise.all(open.map((a) => a.release()));
  });
});
