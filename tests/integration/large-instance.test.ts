/**
 * A 600 MiB instance goes through the gateway both ways without the gateway ever holding it in
 * memory: received from DCMTK storescu by `serve`, then sent by `dicom-gateway send` to DCMTK
 * `storescp +B`. Both processes stay under 300 MB peak RSS, and the dataset region is the same
 * bytes at every hop (compared by streaming SHA-256, never by loading 600 MiB).
 *
 * The send side's peak RSS is measured with GNU time (`/usr/bin/time -v`); on CI images without it:
 * `apt-get install -y time`.
 */
import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { access, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, startStoreScp, storescu, type StoreScp } from '../helpers/dcmtk.ts';
import { writeLargeP10File } from '../helpers/dicom-fixtures.ts';
import { CLI_ENTRY, startGateway, type GatewayProcess } from '../helpers/gateway-process.ts';
import { listFilesRecursive, splitP10, storedPath } from '../helpers/p10-regions.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';

const PIXEL_DATA_BYTES = 600 * 1024 * 1024;
const PEAK_RSS_LIMIT_BYTES = 300 * 1000 * 1000;
const MAX_PDU = '131072';
const GNU_TIME = '/usr/bin/time';
const SEED = 601;
const UID_ROOT = '1.2.3.4.5.6.7.8.9';
const uids = { study: `${UID_ROOT}.1.${SEED}`, series: `${UID_ROOT}.2.${SEED}`, sop: `${UID_ROOT}.3.${SEED}.1` };

let work: string;
let source: string;
let gateway: GatewayProcess | undefined;
let scp: StoreScp | undefined;

beforeAll(async () => {
  work = await makeTempDir('large-instance-');
  source = join(work, 'large.dcm');
  await mkdir(join(work, 'storescp'));
  await writeLargeP10File(source, { seed: SEED, pixelDataBytes: PIXEL_DATA_BYTES });
  // One after the other, so a failure to start the second never leaves the first running unowned.
  gateway = await startGateway({ storage: join(work, 'store'), args: ['--max-pdu', MAX_PDU] });
  scp = await startStoreScp({ outputDir: join(work, 'storescp'), extraArgs: ['-pdu', MAX_PDU] });
}, 120_000);

afterAll(async () => {
  await Promise.all([gateway?.stop(), scp?.stop()]);
  await removeDir(work);
});

interface DatasetDigest {
  length: number;
  sha256: string;
}

/** SHA-256 and length of the bytes after the meta group, read in chunks. */
async function datasetDigest(path: string): Promise<DatasetDigest> {
  const handle = await open(path, 'r');
  let datasetOffset: number;
  try {
    const head = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    datasetOffset = splitP10(head.subarray(0, bytesRead), path).datasetOffset;
  } finally {
    await handle.close();
  }
  const hash = createHash('sha256');
  let length = 0;
  for await (const chunk of createReadStream(path, { start: datasetOffset, highWaterMark: 4 * 1024 * 1024 })) {
    hash.update(chunk as Buffer);
    length += (chunk as Buffer).length;
  }
  return { length, sha256: hash.digest('hex') };
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

describe('a 600 MiB instance', () => {
  it(
    'is received from storescu with the serve process under 300 MB peak RSS and its dataset bytes intact',
    { timeout: 300_000 },
    async () => {
      const result = await storescu(gateway!.port, [source], { extraArgs: ['-v', '-pdu', MAX_PDU] });

      const context = `storescu exit ${result.code}:\n${result.stderr.slice(-3000)}\ngateway:\n${gateway!.output().slice(-3000)}`;
      expect(result.code, context).toBe(0);
      expect(result.stderr, context).toContain('Received Store Response (Success)');
      const peak = await gateway!.peakRssBytes();
      console.log(`large-instance: serve peak RSS ${mb(peak)} while receiving ${mb(PIXEL_DATA_BYTES)} of pixel data`);
      expect(peak, `serve peak RSS ${mb(peak)}`).toBeLessThan(PEAK_RSS_LIMIT_BYTES);
      const [stored, original] = await Promise.all([datasetDigest(storedPath(gateway!.storage, uids)), datasetDigest(source)]);
      expect(stored).toEqual(original);
    },
  );

  it(
    'is sent by dicom-gateway send to storescp +B with the send process under 300 MB peak RSS and its dataset bytes intact',
    { timeout: 300_000 },
    async () => {
      await access(GNU_TIME, constants.X_OK).catch(() => {
        throw new Error(`${GNU_TIME} is needed to measure the send process's peak RSS: apt-get install -y time`);
      });
      const stored = storedPath(gateway!.storage, uids);
      const original = await datasetDigest(source);

      const result = await run(
        GNU_TIME,
        ['-v', process.execPath, CLI_ENTRY, 'send', '--to', `${scp!.aeTitle}@127.0.0.1:${scp!.port}`, '--json', stored],
        240_000,
      );

      const context = `dicom-gateway send exit ${result.code}:\n${result.stdout}\n${result.stderr.slice(-3000)}`;
      expect(result.code, context).toBe(0);
      const maxRss = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr);
      expect(maxRss, `no peak RSS from ${GNU_TIME}\n${context}`).not.toBeNull();
      const peak = Number(maxRss![1]) * 1024;
      console.log(`large-instance: send peak RSS ${mb(peak)}`);
      expect(peak, `send peak RSS ${mb(peak)}`).toBeLessThan(PEAK_RSS_LIMIT_BYTES);

      const report = JSON.parse(result.stdout) as {
        sent: number;
        failed: number;
        results: Array<{ ok: boolean; statusHex: string; bytes: number; sha256: string }>;
      };
      expect(report, context).toMatchObject({ sent: 1, failed: 0, results: [{ ok: true, statusHex: '0x0000' }] });

      const received = await listFilesRecursive(scp!.outputDir);
      expect(received, 'files storescp wrote').toHaveLength(1);
      expect(await datasetDigest(received[0]!)).toEqual(original);
    },
  );
});
