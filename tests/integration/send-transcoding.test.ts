/**
 * Transcoding on the send path, against DCMTK: `storescp +B +xi` takes Implicit VR Little Endian
 * only and writes what it receives byte for byte, so its files show exactly what the gateway put on
 * the wire. With --allow-transcoding a compressed or explicit file arrives implicit, equal to what
 * DCMTK's own decoders and dcmconv make of it; without, it fails as 'syntax-refused' and nothing
 * arrives.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readSendableFile, type SendableFile } from '../../src-main/dicom/sendable-files.ts';
import { sendFiles, type SendResult } from '../../src-main/dicom/store-scu.ts';
import { TransferSyntax } from '../../src-main/dicom/transfer-syntax.ts';
import { run, startStoreScp, type StoreScp } from '../helpers/dcmtk.ts';
import { runCli } from '../helpers/gateway-process.ts';
import { filesBySopInstance, listFilesRecursive, splitP10, transferSyntaxOf } from '../helpers/p10-regions.ts';
import { dcmtkElementLines, topLevelValue } from '../helpers/transcode-files.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const PIXEL_DATA = 0x7fe00010;
const IMPLICIT = TransferSyntax.ImplicitVRLittleEndian;

let work: string;
let scp: StoreScp | undefined;

beforeAll(async () => (work = await makeTempDir('send-transcoding-')));
afterEach(async () => {
  await scp?.stop();
  scp = undefined;
});
afterAll(() => removeDir(work));

async function implicitOnlyScp(name: string): Promise<StoreScp> {
  scp = await startStoreScp({ aeTitle: 'IMPLICIT', extraArgs: ['+xi'], outputDir: await mkdtemp(join(work, `${name}-`)) });
  return scp;
}

async function sendJson(peer: StoreScp, files: string[], extra: string[] = []) {
  const result = await runCli(['send', '--to', `${peer.aeTitle}@127.0.0.1:${peer.port}`, '--json', ...extra, ...files]);
  return { code: result.code, stderr: result.stderr, report: JSON.parse(result.stdout) as { results: SendResult[] } };
}

/** The one file storescp received, its dataset hashed as it lies in the file (storescp +B wrote the wire bytes). */
async function onlyReceived(peer: StoreScp): Promise<{ path: string; bytes: Buffer; datasetSha256: string }> {
  const [path, ...more] = await listFilesRecursive(peer.outputDir);
  expect(more).toEqual([]);
  const bytes = (await filesBySopInstance(peer.outputDir)).values().next().value as Buffer;
  return { path: path!, bytes, datasetSha256: createHash('sha256').update(splitP10(bytes).dataset).digest('hex') };
}

describe('send --allow-transcoding to a peer that takes implicit VR little endian only', () => {
  it.each([
    ['SC_rgb_jpeg_dcmtk.dcm', 'dcmdjpeg', '1.2.840.10008.1.2.4.50'],
    ['JPEG-lossy.dcm', 'dcmdjpeg', '1.2.840.10008.1.2.4.51'],
    ['MR_small_RLE.dcm', 'dcmdrle', '1.2.840.10008.1.2.5'],
  ])(
    '%s arrives implicit, its pixel data equal to %s output, and the result records the conversion and the digest of the bytes sent',
    async (name, tool, own) => {
      const peer = await implicitOnlyScp(name);
      const { code, stderr, report } = await sendJson(peer, [join(PYDICOM, name)], ['--allow-transcoding']);
      expect(code, stderr).toBe(0);
      const [result] = report.results;
      expect(result).toMatchObject({ ok: true, transferSyntaxUid: own, transcodedTo: IMPLICIT, statusHex: '0x0000' });

      const received = await onlyReceived(peer);
      expect(transferSyntaxOf(received.bytes)).toBe(IMPLICIT);
      expect(result!.sha256).toBe(received.datasetSha256);
      expect(result!.bytes).toBe(splitP10(received.bytes).dataset.length);

      const reference = join(work, `reference-${name}`);
      const decoded = await run(tool, [join(PYDICOM, name), reference]);
      expect(decoded.code, decoded.stderr).toBe(0);
      const ours = await topLevelValue(received.path, PIXEL_DATA);
      const theirs = await topLevelValue(reference, PIXEL_DATA);
      expect(ours?.length).toBe(theirs?.length);
      expect(ours!.equals(theirs!)).toBe(true);
    },
  );

  it('an explicit VR little endian file arrives implicit, element by element what dcmconv +ti makes of it', async () => {
    const peer = await implicitOnlyScp('explicit');
    const input = join(PYDICOM, 'MR_small.dcm');
    const { code, stderr, report } = await sendJson(peer, [input], ['--allow-transcoding']);
    expect(code, stderr).toBe(0);
    expect(report.results[0]).toMatchObject({ ok: true, transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian, transcodedTo: IMPLICIT });
    const received = await onlyReceived(peer);
    const reference = join(work, 'dcmconv-ti-MR_small.dcm');
    const converted = await run('dcmconv', ['+ti', input, reference]);
    expect(converted.code, converted.stderr).toBe(0);
    expect(await dcmtkElementLines(received.path)).toEqual(await dcmtkElementLines(reference));
  });

  it('says "transcoded A -> B" on the file\'s line, and sends a file the peer takes as it is unchanged', async () => {
    const peer = await implicitOnlyScp('lines');
    const jpeg = join(PYDICOM, 'SC_rgb_jpeg_dcmtk.dcm');
    const implicit = join(PYDICOM, 'MR_small_implicit.dcm');
    const result = await runCli(['send', '--to', `IMPLICIT@127.0.0.1:${peer.port}`, '--allow-transcoding', jpeg, implicit]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      `${jpeg} (transcoded JPEG Baseline (Process 1) (1.2.840.10008.1.2.4.50) -> Implicit VR Little Endian (1.2.840.10008.1.2))`,
    );
    expect(result.stdout).toMatch(new RegExp(`ok +0x0000 ${implicit.replace(/[.+]/g, '\\$&')}\\n`));
  });
});

/**
 * pydicom's 2-frame 32-bit RGB RLE file with its second frame's RLE header claiming 99 segments: the
 * first frame converts (more than one PDV of output goes out), the second cannot be decoded.
 */
async function secondFrameBroken(): Promise<string> {
  const bytes = await readFile(join(PYDICOM, 'SC_rgb_rle_32bit_2frame.dcm'));
  const rleHeader = Buffer.from('0c00000040000000', 'hex'); // 12 segments, the first at offset 64
  const second = bytes.indexOf(rleHeader, bytes.indexOf(rleHeader) + 1);
  expect(second).toBeGreaterThan(0);
  bytes.writeUInt32LE(99, second);
  const path = join(work, 'rle-second-frame-broken.dcm');
  await writeFile(path, bytes);
  return path;
}

describe('a conversion that fails mid-dataset', () => {
  it('aborts the association so the peer stores nothing of that file, fails it naming the frame, and the next file goes on a new association', async () => {
    const peer = await implicitOnlyScp('broken');
    const broken = await secondFrameBroken();
    const good = join(PYDICOM, 'MR_small_RLE.dcm');
    const { code, report } = await sendJson(peer, [broken, good], ['--allow-transcoding']);
    expect(code).not.toBe(0);
    const [failed, sent] = report.results;
    expect(failed).toMatchObject({ ok: false, failureKind: 'transcode-failed', bytes: 0 });
    expect(failed!.error).toContain(
      `${broken}: RLE Lossless (1.2.840.10008.1.2.5) -> Implicit VR Little Endian (1.2.840.10008.1.2): frame 2 of 2 cannot be decoded`,
    );
    expect(failed!.error).toMatch(/association was aborted/);
    expect(sent).toMatchObject({ ok: true, transcodedTo: IMPLICIT });
    const received = await filesBySopInstance(peer.outputDir);
    expect([...received.keys()]).toEqual([sent!.sopInstanceUid]);
  });
});

describe('a file that needs converting but is gone when its turn comes', () => {
  it('fails as unreadable (worth a retry), not as a conversion failure, and the next file still goes on the same association', async () => {
    const peer = await implicitOnlyScp('gone');
    const good = readSendableFile(join(PYDICOM, 'SC_rgb_jpeg_dcmtk.dcm')) as SendableFile;
    const gone = { ...good, file: join(work, 'deleted-since-scanned.dcm'), sopInstanceUid: '1.2.3.4' };
    const results = await sendFiles(
      [gone, good],
      { aeTitle: 'IMPLICIT', host: '127.0.0.1', port: peer.port },
      { callingAe: 'TEST', allowTranscoding: true },
    );
    expect(results[0]).toMatchObject({ ok: false, failureKind: 'unreadable' });
    expect(results[0]!.error).toMatch(/cannot read .*deleted-since-scanned\.dcm: ENOENT; nothing was sent/);
    expect(results[1]).toMatchObject({ ok: true, transcodedTo: IMPLICIT });
    expect((await filesBySopInstance(peer.outputDir)).size).toBe(1);
  });
});

describe('send without --allow-transcoding to the same peer', () => {
  it('fails a JPEG file as syntax-refused, naming the syntax, and the peer receives nothing', async () => {
    const peer = await implicitOnlyScp('refused');
    const { code, report } = await sendJson(peer, [join(PYDICOM, 'SC_rgb_jpeg_dcmtk.dcm')]);
    expect(code).not.toBe(0);
    expect(report.results[0]).toMatchObject({ ok: false, failureKind: 'syntax-refused', bytes: 0 });
    expect(report.results[0]!.sha256).toBeUndefined();
    expect(report.results[0]!.transcodedTo).toBeUndefined();
    expect(report.results[0]!.error).toMatch(
      /did not accept transfer syntax JPEG Baseline \(Process 1\) \(1\.2\.840\.10008\.1\.2\.4\.50\) for SOP class Secondary Capture Image Storage \(1\.2\.840\.10008\.5\.1\.4\.1\.1\.7\), and this destination does not allow transcoding; the file was not sent/,
    );
    expect(await readdir(peer.outputDir)).toEqual([]);
  });
});
