/**
 * sendFiles to a real storescp: each file's turn starts with the file opened, and its first chunk
 * read and hashed, while the previous one's response was awaited (StoreRequest.next); no descriptor
 * outlives the send, whatever happens to the files in between.
 */
import { copyFile, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSendableFiles } from '../../src-main/dicom/sendable-files.ts';
import { sendFiles } from '../../src-main/dicom/store-scu.ts';
import { startStoreScp, type StoreScp } from '../helpers/dcmtk.ts';
import { buildP10File, writeP10Files } from '../helpers/dicom-fixtures.ts';
import { filesBySopInstance, sha256, splitP10 } from '../helpers/p10-regions.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';

let work: string;
let scp: StoreScp;
beforeAll(async () => {
  work = await makeTempDir('send-files-');
  scp = await startStoreScp({ outputDir: await makeTempDir('send-files-scp-') });
});
afterAll(async () => {
  await scp?.stop();
  await removeDir(work);
});

const openDescriptors = async () => (await readdir('/proc/self/fd')).length;
const peer = () => ({ aeTitle: scp.aeTitle, host: '127.0.0.1', port: scp.port });

describe('sendFiles', () => {
  it('sends every file byte for byte, each read ahead while the one before was answered, and leaves no descriptor open', async () => {
    const paths = await writeP10Files(join(work, 'all'), 40, (i) => ({ seed: 3000 + i, pixelDataBytes: 1024 + (i % 4) * 20_000 }));
    const { files } = await collectSendableFiles(paths);
    const before = await openDescriptors();
    const results = await sendFiles(files, peer(), { callingAe: 'GATEWAY' });
    expect(results.map((r) => [r.file, r.ok])).toEqual(paths.map((p) => [p, true]));
    expect(await openDescriptors()).toBe(before);
    const stored = await filesBySopInstance(scp.outputDir);
    for (const r of results) {
      const sent = splitP10(await readFile(r.file)).dataset;
      expect(splitP10(stored.get(r.sopInstanceUid)!).dataset.equals(sent), r.file).toBe(true);
      // Each digest was begun before the file's turn, on the chunk read ahead.
      expect(r.sha256, r.file).toBe(sha256(sent));
    }
  });

  it('without digests, sends every file byte for byte the same way and reports none', async () => {
    const paths = await writeP10Files(join(work, 'plain'), 12, (i) => ({ seed: 4000 + i, pixelDataBytes: 1024 + (i % 4) * 20_000 }));
    const { files } = await collectSendableFiles(paths);
    const results = await sendFiles(files, peer(), { callingAe: 'GATEWAY', digests: false });
    expect(results.map((r) => [r.file, r.ok, r.sha256])).toEqual(paths.map((p) => [p, true, undefined]));
    const stored = await filesBySopInstance(scp.outputDir);
    for (const r of results) {
      expect(splitP10(stored.get(r.sopInstanceUid)!).dataset.equals(splitP10(await readFile(r.file)).dataset), r.file).toBe(true);
    }
  });

  it("reads the next file ahead with its pad byte: pydicom's odd-length deflated image_dfl.dcm, sent second, arrives with one trailing NUL", async () => {
    const dir = join(work, 'deflated');
    const [before, after] = await writeP10Files(dir, 2, (i) => ({ seed: 5000 + i }));
    const deflated = join(dir, '0001b-image_dfl.dcm');
    await copyFile('/usr/lib/python3/dist-packages/pydicom/data/test_files/image_dfl.dcm', deflated);
    const { files } = await collectSendableFiles([before!, deflated, after!]);
    const results = await sendFiles(files, peer(), { callingAe: 'GATEWAY' });
    expect(results.map((r) => [r.file, r.ok, r.error])).toEqual([before, deflated, after].map((f) => [f, true, undefined]));
    const dataset = splitP10(await readFile(deflated)).dataset;
    const padded = Buffer.concat([dataset, Buffer.from([0])]);
    expect(results[1]).toMatchObject({ paddedBytes: 1, bytes: padded.length, sha256: sha256(padded) });
    const stored = await filesBySopInstance(scp.outputDir);
    expect(splitP10(stored.get(results[1]!.sopInstanceUid)!).dataset.equals(padded)).toBe(true);
    expect(results[2]!.sha256).toBe(sha256(splitP10(await readFile(after!)).dataset));
  });

  it('fails only a file gone before its turn, or never sent, and closes every file it opened ahead', async () => {
    const paths = await writeP10Files(join(work, 'gone'), 12, (i) => ({ seed: 4000 + i }));
    // Opened ahead while the file before it goes out, then refused without being sent (odd length).
    const odd = join(work, 'gone', '0013-odd.dcm');
    await writeFile(odd, Buffer.concat([buildP10File({ seed: 4100 }), Buffer.from([0])]));
    const { files } = await collectSendableFiles([...paths, odd]);
    await rm(paths[5]!);
    const before = await openDescriptors();
    const results = await sendFiles(files, peer(), { callingAe: 'GATEWAY' });
    expect(results.filter((r) => !r.ok).map((r) => [r.file, r.failureKind])).toEqual([
      [paths[5], 'unreadable'],
      [odd, 'malformed'],
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(11);
    expect(await openDescriptors()).toBe(before);
  });
});
