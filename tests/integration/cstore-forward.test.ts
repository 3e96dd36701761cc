/**
 * Forward: `dicom-gateway send` puts each file's dataset bytes on the wire unchanged, in the file's
 * own transfer syntax. DCMTK `storescp +B` writes what it read, so its dataset region must equal
 * the source file's dataset region byte for byte, including what a re-encoder would change.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SendResult } from '../../src-main/dicom/store-scu.ts';
import { startStoreScp, type StoreScp } from '../helpers/dcmtk.ts';
import { FixtureTransferSyntax, writeP10Files, type FixtureOptions } from '../helpers/dicom-fixtures.ts';
import { runCli } from '../helpers/gateway-process.ts';
import {
  expectSameBytes,
  filesBySopInstance,
  listFilesRecursive,
  sha256,
  sopInstanceOf,
  splitP10,
  transferSyntaxOf,
} from '../helpers/p10-regions.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';

/** What `dicom-gateway send --json` prints. */
interface SendReport {
  results: SendResult[];
  sent: number;
  failed: number;
  skipped: { file: string; reason: string }[];
}

let work: string;
const started: StoreScp[] = [];

beforeEach(async () => {
  work = await makeTempDir('cstore-forward-');
});

afterEach(async () => {
  await Promise.all(started.splice(0).map((scp) => scp.stop()));
  await removeDir(work);
});

/** storescp +B in this test's folder; `log()` is what it printed since it started listening. */
async function referenceScp(extraArgs: string[] = []): Promise<StoreScp & { log(): string }> {
  const outputDir = join(work, `storescp-${started.length}`);
  await mkdir(outputDir);
  const scp = await startStoreScp({ outputDir, extraArgs: ['-v', ...extraArgs] });
  started.push(scp);
  let log = '';
  scp.process.stdout!.on('data', (d) => (log += d));
  scp.process.stderr!.on('data', (d) => (log += d));
  return { ...scp, log: () => log };
}

async function send(scp: StoreScp & { log(): string }, paths: string[], json = true) {
  const result = await runCli([
    'send',
    '--to',
    `${scp.aeTitle}@127.0.0.1:${scp.port}`,
    '--calling-ae',
    'GATEWAY',
    ...(json ? ['--json'] : []),
    ...paths,
  ]);
  return {
    ...result,
    report: json && result.stdout.trim() ? (JSON.parse(result.stdout) as SendReport) : undefined,
    /** For assertion messages: what both sides said. */
    transcript: `send stdout:\n${result.stdout}\nsend stderr:\n${result.stderr}\nstorescp:\n${scp.log()}`,
  };
}

/**
 * DCMTK refuses a PDV of odd length ("DIMSE: Odd Fragment Length") and so any dataset of odd total
 * length; a fixture meant for storescp must keep its total even, odd-length values included.
 */
function expectEvenTotalLength(source: string, dataset: Buffer): void {
  expect(dataset.length % 2, `${source}: dataset is ${dataset.length} bytes; DCMTK refuses odd-length PDVs`).toBe(0);
}

async function fixtures(name: string, count: number, opts: FixtureOptions | ((i: number) => FixtureOptions)): Promise<string[]> {
  return writeP10Files(join(work, name), count, opts);
}

/** Every source file arrived at storescp with its dataset region unchanged; returns storescp's files by SOP UID. */
async function expectDeliveredUnchanged(scp: StoreScp, sources: string[]): Promise<Map<string, Buffer>> {
  const received = await filesBySopInstance(scp.outputDir);
  expect(received.size).toBe(sources.length);
  for (const source of sources) {
    const original = await readFile(source);
    const sop = sopInstanceOf(original)!;
    const arrived = received.get(sop);
    expect(arrived, `storescp stored nothing for ${source} (${sop})`).toBeDefined();
    const regions = splitP10(arrived!, `storescp file for ${sop}`);
    expectSameBytes(regions.dataset, splitP10(original, source).dataset, `${basename(source)} dataset region, storescp vs source`);
    expect(transferSyntaxOf(arrived!)).toBe(transferSyntaxOf(original));
  }
  return received;
}

describe('dicom-gateway send to DCMTK storescp +B', () => {
  it('delivers each dataset region byte for byte, edge cases (undefined-length sequence, odd length, private tags, trailing padding) included', async () => {
    const scp = await referenceScp();
    const sources = await fixtures('in', 2, (i) =>
      i === 0 ? { seed: 201, pixelDataBytes: 60_000 } : { seed: 202, edgeCases: true, pixelDataBytes: 40_000 },
    );

    for (const source of sources) expectEvenTotalLength(source, splitP10(await readFile(source)).dataset);

    const { code, report, transcript } = await send(scp, sources);
    expect(code, transcript).toBe(0);
    expect(report!.sent).toBe(2);

    const received = await expectDeliveredUnchanged(scp, sources);
    for (const source of sources) {
      const sourceDataset = splitP10(await readFile(source)).dataset;
      const arrived = received.get(sopInstanceOf(await readFile(source))!)!;
      const regions = splitP10(arrived);
      expectSameBytes(regions.preamble, Buffer.alloc(128), 'storescp preamble');
      expect(regions.prefix.toString('latin1')).toBe('DICM');
      expect(arrived.length).toBe(132 + regions.meta.length + sourceDataset.length);
    }
  });

  it('reports, per file, the length and SHA-256 of exactly the source dataset region, for implicit LE, big endian and edge-case files', async () => {
    const scp = await referenceScp();
    const sources = await fixtures(
      'in',
      3,
      (i) =>
        [
          { seed: 211, transferSyntaxUid: FixtureTransferSyntax.ImplicitVRLittleEndian },
          { seed: 212, transferSyntaxUid: FixtureTransferSyntax.ExplicitVRBigEndian, pixelDataBytes: 20_000 },
          { seed: 213, edgeCases: true },
        ][i]!,
    );

    for (const source of sources) expectEvenTotalLength(source, splitP10(await readFile(source)).dataset);

    const { code, report, transcript } = await send(scp, sources);
    expect(code, transcript).toBe(0);
    expect(report).toMatchObject({ sent: 3, failed: 0, skipped: [] });
    await expectDeliveredUnchanged(scp, sources);

    for (const source of sources) {
      const original = await readFile(source);
      const result = report!.results.find((r) => r.sopInstanceUid === sopInstanceOf(original));
      expect(result, `no result for ${source}`).toBeDefined();
      const dataset = splitP10(original).dataset;
      expect(result).toMatchObject({
        ok: true,
        status: 0,
        statusHex: '0x0000',
        transferSyntaxUid: transferSyntaxOf(original),
        bytes: dataset.length,
        sha256: sha256(dataset),
      });
      expect(basename(result!.file)).toBe(basename(source));
    }
  });

  it('sends 50 files found by walking a folder on one association', async () => {
    const scp = await referenceScp();
    const sources = await fixtures(join('folder', 'nested'), 50, { seed: 221, pixelDataBytes: 4_000 });

    const { code, report, transcript } = await send(scp, [join(work, 'folder')]);
    expect(code, transcript).toBe(0);
    expect(report).toMatchObject({ sent: 50, failed: 0 });
    expect(report!.results.filter((r) => r.ok)).toHaveLength(50);

    await expectDeliveredUnchanged(scp, sources);
    // storescp -v logs "Association Acknowledged" once per accepted association ("Association Received"
    // would also count the helper's bare TCP readiness probe).
    expect(scp.log().match(/Association Acknowledged/g) ?? [], scp.log()).toHaveLength(1);
  });

  it('fails a file whose transfer syntax the peer refuses, naming the syntax, with exit code 1 and nothing stored', async () => {
    const scp = await referenceScp(['+xi']); // storescp then accepts Implicit VR Little Endian only
    const [source] = await fixtures('in', 1, { seed: 231, transferSyntaxUid: FixtureTransferSyntax.ExplicitVRLittleEndian });

    const json = await send(scp, [source!]);
    expect(json.code, json.transcript).toBe(1);
    expect(json.report).toMatchObject({ sent: 0, failed: 1 });
    const [result] = json.report!.results;
    expect(result).toMatchObject({ ok: false, transferSyntaxUid: FixtureTransferSyntax.ExplicitVRLittleEndian });
    expect(result!.error).toContain(FixtureTransferSyntax.ExplicitVRLittleEndian);

    const text = await send(scp, [source!], false);
    expect(text.code).toBe(1);
    expect(text.stdout + text.stderr).toContain(FixtureTransferSyntax.ExplicitVRLittleEndian);
    expect(text.stdout + text.stderr).toContain(basename(source!));

    expect(await listFilesRecursive(scp.outputDir)).toEqual([]);
  });
});
