/**
 * Disk full: the gateway's whole storage folder sits on a 2 MiB filesystem, big enough for the
 * empty index and too small for a 3 MiB instance. The C-STORE must answer 0xA700 (out of
 * resources), leave nothing partial behind, and the gateway must keep working for the next one.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storescu } from '../helpers/dcmtk.ts';
import { buildP10File, type FixtureOptions } from '../helpers/dicom-fixtures.ts';
import { startGateway, type GatewayProcess } from '../helpers/gateway-process.ts';
import { expectSameBytes, listFilesRecursive, splitP10, storedPath } from '../helpers/p10-regions.ts';
import { mountSmallFilesystem, type SmallFilesystem } from '../helpers/small-filesystem.ts';

const FILESYSTEM_BYTES = 2 * 1024 * 1024;
const UID_ROOT = '1.2.3.4.5.6.7.8.9';
const uidsFor = (seed: number) => ({ study: `${UID_ROOT}.1.${seed}`, series: `${UID_ROOT}.2.${seed}`, sop: `${UID_ROOT}.3.${seed}.1` });

let work: string;
let smallFs: SmallFilesystem | undefined;
let gateway: GatewayProcess | undefined;
let storage: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'disk-full-'));
  await mkdir(join(work, 'mnt'));
  // Fails (does not skip) when this machine cannot mount: the durability promise must be proven somewhere.
  smallFs = await mountSmallFilesystem(join(work, 'mnt'), FILESYSTEM_BYTES);
  console.log(`disk-full: storage on a ${smallFs.kind} of ${FILESYSTEM_BYTES} bytes at ${smallFs.path}`);
  storage = join(smallFs.path, 'gateway');
  gateway = await startGateway({ storage });
});

afterAll(async () => {
  await gateway?.stop();
  await smallFs?.unmount();
  await rm(work, { recursive: true, force: true });
});

async function writeFixture(name: string, opts: FixtureOptions): Promise<string> {
  const path = join(work, name);
  await writeFile(path, buildP10File(opts));
  return path;
}

/** Statuses of every C-STORE-RSP in storescu's debug output, e.g. ['0xa700']. */
function storeResponseStatuses(debugOutput: string): string[] {
  return [...debugOutput.matchAll(/DIMSE Status\s*:\s*(0x[0-9a-f]{4})/gi)].map((m) => m[1]!.toLowerCase());
}

async function sendOne(file: string) {
  const result = await storescu(gateway!.port, [file], { extraArgs: ['-d'] });
  return { ...result, statuses: storeResponseStatuses(result.stderr + result.stdout) };
}

function indexRows(sopInstanceUid: string): number {
  const db = new DatabaseSync(join(storage, 'index.sqlite'), { readOnly: true });
  try {
    const row = db.prepare('SELECT count(*) AS n FROM instances WHERE sop_instance_uid = ?').get(sopInstanceUid) as { n: number };
    return row.n;
  } finally {
    db.close();
  }
}

/** Everything in the store except the index and its WAL/SHM companions. */
async function nonIndexFiles(): Promise<string[]> {
  const files = await listFilesRecursive(storage);
  return files.map((f) => relative(storage, f)).filter((f) => !/^index\.sqlite(-wal|-shm|-journal)?$/.test(f));
}

describe(`storage on a ${FILESYSTEM_BYTES / 1024 / 1024} MiB filesystem`, () => {
  it('answers 0xA700 to an instance that does not fit and leaves no partial file, temp file or index row', async () => {
    const seed = 301;
    const file = await writeFixture('too-big.dcm', { seed, pixelDataBytes: 3 * 1024 * 1024 });

    const result = await sendOne(file);

    const context = `storescu:\n${result.stderr.slice(-3000)}\ngateway:\n${gateway!.output()}`;
    expect(result.statuses, context).toEqual(['0xa700']);
    expect(result.code, context).not.toBe(0);
    expect(await nonIndexFiles(), 'files left in the store after the failed C-STORE').toEqual([]);
    expect(await listFilesRecursive(join(storage, '.incoming')), '.incoming/ after the failed C-STORE').toEqual([]);
    expect(indexRows(uidsFor(seed).sop)).toBe(0);
  });

  it('stores a small instance afterwards, byte for byte and indexed (the gateway still works)', async () => {
    const seed = 302;
    const file = await writeFixture('small.dcm', { seed, pixelDataBytes: 16 * 1024 });

    const result = await sendOne(file);

    const context = `storescu:\n${result.stderr.slice(-3000)}\ngateway:\n${gateway!.output()}`;
    expect(result.statuses, context).toEqual(['0x0000']);
    expect(result.code, context).toBe(0);
    const target = storedPath(storage, uidsFor(seed));
    expectSameBytes(splitP10(await readFile(target), target).dataset, splitP10(await readFile(file), file).dataset, 'stored dataset region');
    expect(await nonIndexFiles()).toEqual([relative(storage, target)]);
    expect(await listFilesRecursive(join(storage, '.incoming'))).toEqual([]);
    expect(indexRows(uidsFor(seed).sop)).toBe(1);
  });
});
