/**
 * A 1 GiB multi-frame instance transcodes in bounded memory: native pixel data is streamed in
 * chunks, compressed frames are decoded one at a time. Measured as the peak RSS of a separate
 * process, so the test runner's own memory does not count.
 */
import { open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildP10Header } from '../../src-main/dicom/p10-writer.ts';
import { TransferSyntax } from '../../src-main/dicom/transfer-syntax.ts';
import { run } from '../helpers/dcmtk.ts';
import { explicitLeElement, textValue, uidValue, usValue } from '../helpers/element-encoding.ts';
import { useTempDir } from '../helpers/temp-dir.ts';

const PROBE = resolve(import.meta.dirname, '../helpers/transcode-probe.ts');
const ROWS = 512;
const COLUMNS = 512;
const FRAMES = 2048;
const FRAME_BYTES = ROWS * COLUMNS * 2;
const GIB = 1024 ** 3;
/** Node, the WebAssembly codecs and one frame or chunk: far below the 1 GiB the instance holds. */
const PEAK_RSS_LIMIT = 400 * 1024 ** 2;
const RLE = '1.2.840.10008.1.2.5';

function imageHead(transferSyntaxUid: string): Buffer {
  return Buffer.concat([
    buildP10Header({ sopClassUid: '1.2.840.10008.5.1.4.1.1.7', sopInstanceUid: '1.2.3.4.5.6.7', transferSyntaxUid }),
    explicitLeElement(0x00080016, 'UI', uidValue('1.2.840.10008.5.1.4.1.1.7')),
    explicitLeElement(0x00280002, 'US', usValue(1)),
    explicitLeElement(0x00280004, 'CS', textValue('MONOCHROME2')),
    explicitLeElement(0x00280008, 'IS', textValue(String(FRAMES))),
    explicitLeElement(0x00280010, 'US', usValue(ROWS)),
    explicitLeElement(0x00280011, 'US', usValue(COLUMNS)),
    explicitLeElement(0x00280100, 'US', usValue(16)),
    explicitLeElement(0x00280101, 'US', usValue(16)),
    explicitLeElement(0x00280102, 'US', usValue(15)),
    explicitLeElement(0x00280103, 'US', usValue(0)),
  ]);
}

/** One RLE frame of zeros (PS3.5 G.3): two byte segments, each in runs of 128 repeated bytes. */
function rleZeroFrame(): Buffer {
  const segment = Buffer.alloc(((ROWS * COLUMNS) / 128) * 2);
  for (let i = 0; i < segment.length; i += 2) segment[i] = 0x81; // -127: repeat the next byte 128 times
  const header = Buffer.alloc(64);
  header.writeUInt32LE(2, 0);
  header.writeUInt32LE(64, 4);
  header.writeUInt32LE(64 + segment.length, 8);
  return Buffer.concat([header, segment, segment]);
}

function item(tag: number, value: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16LE(tag >>> 16, 0);
  header.writeUInt16LE(tag & 0xffff, 2);
  header.writeUInt32LE(value.length, 4);
  return Buffer.concat([header, value]);
}

async function probe(path: string, to: string): Promise<{ bytes: number; largestChunk: number; peakRssBytes: number }> {
  const result = await run(process.execPath, [PROBE, path, to], 540_000);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { bytes: number; largestChunk: number; peakRssBytes: number };
}

describe('transcoding memory', () => {
  const tmp = useTempDir('transcode-memory-');

  it('a 1 GiB native multi-frame instance converts to explicit VR big endian with peak RSS under 400 MB', async () => {
    const path = join(tmp.path, 'native-1gib.dcm');
    const pixelHeader = Buffer.alloc(12);
    pixelHeader.writeUInt32LE(0x00107fe0, 0);
    pixelHeader.write('OW', 4, 'latin1');
    pixelHeader.writeUInt32LE(FRAME_BYTES * FRAMES, 8);
    const head = Buffer.concat([imageHead(TransferSyntax.ExplicitVRLittleEndian), pixelHeader]);
    const handle = await open(path, 'w');
    await handle.write(head);
    // A hole, not written bytes: the file reads as 1 GiB of zero pixels without taking the disk.
    await handle.truncate(head.length + FRAME_BYTES * FRAMES);
    await handle.close();
    const result = await probe(path, TransferSyntax.ExplicitVRBigEndian);
    expect(result.bytes).toBeGreaterThan(GIB);
    expect(result.largestChunk).toBeLessThanOrEqual(1024 * 1024 + 64 * 1024);
    console.log(`1 GiB native -> big endian: peak RSS ${(result.peakRssBytes / 1024 ** 2).toFixed(0)} MB`);
    expect(result.peakRssBytes).toBeLessThan(PEAK_RSS_LIMIT);
  }, 600_000);

  it('an RLE instance of 2048 frames (1 GiB decoded) decodes frame by frame with peak RSS under 400 MB', async () => {
    const path = join(tmp.path, 'rle-1gib.dcm');
    const frame = item(0xfffee000, rleZeroFrame());
    const handle = await open(path, 'w');
    const pixelHeader = Buffer.alloc(12);
    pixelHeader.writeUInt32LE(0x00107fe0, 0);
    pixelHeader.write('OB', 4, 'latin1');
    pixelHeader.writeUInt32LE(0xffffffff, 8);
    await handle.write(Buffer.concat([imageHead(RLE), pixelHeader, item(0xfffee000, Buffer.alloc(0))]));
    for (let i = 0; i < FRAMES; i++) await handle.write(frame);
    await handle.write(item(0xfffee0dd, Buffer.alloc(0)));
    await handle.close();
    const result = await probe(path, TransferSyntax.ExplicitVRLittleEndian);
    expect(result.bytes).toBeGreaterThan(GIB);
    console.log(`1 GiB RLE -> explicit VR little endian: peak RSS ${(result.peakRssBytes / 1024 ** 2).toFixed(0)} MB`);
    expect(result.peakRssBytes).toBeLessThan(PEAK_RSS_LIMIT);
  }, 600_000);
});
