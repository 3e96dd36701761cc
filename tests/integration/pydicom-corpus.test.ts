/**
 * pydicom's test files (Debian python3-pydicom), other toolkits' idea of DICOM: `send` puts each
 * dataset on the wire byte for byte, deflated odd-length ones with the one NUL pad PS3.5 A.5
 * requires, to DCMTK `storescp +B +xa` and to the gateway itself (issue 9, "Done when").
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSendableFiles, type SendableFile } from '../../src-main/dicom/sendable-files.ts';
import { sendFiles, type SendResult } from '../../src-main/dicom/store-scu.ts';
import { startStoreScp, type StoreScp } from '../helpers/dcmtk.ts';
import { startGateway, type GatewayProcess } from '../helpers/gateway-process.ts';
import { selectFromIndex, unsentJobCount } from '../helpers/index-database.ts';
import { listFilesRecursive, sopInstanceOf, splitP10 } from '../helpers/p10-regions.ts';
import { waitFor } from '../helpers/wait.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';

const CORPUS = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const DEFLATED = '1.2.840.10008.1.2.1.99';

let work: string;
let scp: StoreScp;
/** Where the gateway forwards everything it stores. */
let archive: StoreScp;
let gateway: GatewayProcess;
let files: SendableFile[];

beforeAll(async () => {
  work = await makeTempDir('pydicom-corpus-');
  await mkdir(join(work, 'scp'));
  await mkdir(join(work, 'archive'));
  scp = await startStoreScp({ outputDir: join(work, 'scp'), extraArgs: ['+xa'] });
  archive = await startStoreScp({ aeTitle: 'ARCHIVE', outputDir: join(work, 'archive'), extraArgs: ['+xa'] });
  const config = join(work, 'gateway.yaml');
  await writeFile(
    config,
    `destinations:\n  - { name: archive, ae: ARCHIVE, host: 127.0.0.1, port: ${archive.port} }\nrules:\n  - { name: all, match: {}, forward: [archive] }\n`,
  );
  gateway = await startGateway({ storage: join(work, 'gateway'), args: ['--ae', 'GATEWAY', '--config', config] });
  files = (await collectSendableFiles([CORPUS])).files;
});

afterAll(async () => {
  await Promise.all([scp?.stop(), archive?.stop(), gateway?.stop()]);
  await removeDir(work);
});

/** What must be on the wire for a file: its dataset, plus one NUL when deflated and odd. */
async function wireDataset(file: SendableFile): Promise<Buffer> {
  const dataset = splitP10(await readFile(file.file)).dataset;
  return dataset.length % 2 === 1 && file.transferSyntaxUid === DEFLATED ? Buffer.concat([dataset, Buffer.from([0])]) : dataset;
}

/** Every stored file's dataset equals what was put on the wire for one of the sent files with its UID. */
async function expectStoredAsSent(dir: string, results: SendResult[]): Promise<number> {
  const candidates = new Map<string, Buffer[]>();
  for (const r of results.filter((x) => x.ok)) {
    const file = files.find((f) => f.file === r.file)!;
    candidates.set(r.sopInstanceUid, [...(candidates.get(r.sopInstanceUid) ?? []), await wireDataset(file)]);
  }
  const stored = await listFilesRecursive(dir);
  const seen = new Set<string>();
  for (const path of stored) {
    const bytes = await readFile(path);
    const sop = sopInstanceOf(bytes)!;
    seen.add(sop);
    const dataset = splitP10(bytes).dataset;
    expect(
      candidates.get(sop)?.some((c) => c.equals(dataset)),
      `${path} matches no dataset sent for ${sop}`,
    ).toBe(true);
  }
  for (const sop of candidates.keys()) expect(seen.has(sop), `nothing stored for ${sop}`).toBe(true);
  return stored.length;
}

const odd = (f: SendableFile) => f.datasetLength % 2 === 1 && f.transferSyntaxUid !== DEFLATED;

describe("pydicom's test files", () => {
  it('reach storescp +B +xa byte for byte; deflated odd-length ones padded; odd-length others refused before sending', async () => {
    expect(files.length).toBeGreaterThan(100);
    const results = await sendFiles(
      files,
      { aeTitle: scp.aeTitle, host: '127.0.0.1', port: scp.port },
      { callingAe: 'GATEWAY', idleTimeoutMs: 30_000 },
    );
    for (const [i, r] of results.entries()) {
      if (odd(files[i]!)) expect(r.failureKind, r.file).toBe('malformed');
      else expect(r.ok, `${r.file}: ${r.error}`).toBe(true);
    }
    expect(results.some((r) => r.paddedBytes === 1)).toBe(true);
    await expectStoredAsSent(join(work, 'scp'), results);
  });

  it('are all stored by the gateway byte for byte, those whose encoding contradicts their syntax included', async () => {
    const results = await sendFiles(
      files,
      { aeTitle: 'GATEWAY', host: '127.0.0.1', port: gateway.port },
      { callingAe: 'SENDER', idleTimeoutMs: 30_000 },
    );
    for (const [i, r] of results.entries()) {
      if (odd(files[i]!)) expect(r.failureKind, r.file).toBe('malformed');
      // Every other file is kept, those whose encoding contradicts their syntax included (as storescp +B keeps them).
      else expect(r.ok, `${r.file}: ${r.error}`).toBe(true);
    }
    await expectStoredAsSent(join(gateway.storage, 'studies'), results);
  });

  it('are forwarded by the gateway to storescp +B +xa byte for byte, as they were stored', async () => {
    const sent = await listFilesRecursive(join(gateway.storage, 'studies'));
    const stored = new Map<string, Buffer[]>();
    for (const path of sent) {
      const bytes = await readFile(path);
      const sop = sopInstanceOf(bytes)!;
      const dataset = splitP10(bytes).dataset;
      // What goes on the wire: the stored dataset, one NUL added to an odd-length deflated one.
      const wire = dataset.length % 2 === 1 ? Buffer.concat([dataset, Buffer.from([0])]) : dataset;
      stored.set(sop, [...(stored.get(sop) ?? []), wire]);
    }
    // storescp names its files by SOP Instance UID: versions of one UID land on one name. A file
    // storescp is still writing is not there yet; every job answered means every file is whole.
    const arrived = async () =>
      new Set(
        await Promise.all(
          (await listFilesRecursive(join(work, 'archive'))).map(async (f) => {
            try {
              return sopInstanceOf(await readFile(f));
            } catch {
              return undefined;
            }
          }),
        ),
      );
    const jobs = () => selectFromIndex<{ n: number }>(gateway.storage, 'SELECT count(*) AS n FROM jobs')[0]!.n;
    await waitFor(
      `${stored.size} instances at the archive, ${sent.length} jobs answered`,
      async () => (await arrived()).size >= stored.size && jobs() >= sent.length && unsentJobCount(gateway.storage) === 0,
      120_000,
    );
    for (const path of await listFilesRecursive(join(work, 'archive'))) {
      const bytes = await readFile(path);
      const sop = sopInstanceOf(bytes)!;
      expect(
        stored.get(sop)?.some((d) => d.equals(splitP10(bytes).dataset)),
        `${path} matches no stored dataset of ${sop}`,
      ).toBe(true);
    }
  });
});
