/**
 * A dataset whose encoding contradicts its declared transfer syntax is kept as DCMTK's `storescp +B`
 * keeps it: stored byte-exact and acknowledged, not refused with 0xC000.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseP10Header } from '../../src-main/dicom/p10-reader.ts';
import { runCli, startGateway, type GatewayProcess } from '../helpers/gateway-process.ts';
import { selectFromIndex } from '../helpers/index-database.ts';

const SC_RGB_JPEG = '/usr/lib/python3/dist-packages/pydicom/data/test_files/SC_rgb_jpeg.dcm';

async function storedFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.dcm')).map((e) => join(e.parentPath, e.name));
}

describe('encoding that contradicts the transfer syntax', () => {
  let gateway: GatewayProcess;
  beforeAll(async () => (gateway = await startGateway()));
  afterAll(() => gateway.stop());

  it('SC_rgb_jpeg.dcm (implicit VR under JPEG Baseline) is answered 0x0000 and stored with its dataset byte-exact', async () => {
    const result = await runCli(['send', '--to', `GATEWAY@127.0.0.1:${gateway.port}`, SC_RGB_JPEG]);
    expect(result.stdout).toMatch(/ok\s+0x0000/);
    expect(result.code).toBe(0);
    const original = await readFile(SC_RGB_JPEG);
    const [stored, ...others] = await storedFiles(gateway.storage);
    expect(others).toEqual([]);
    const copy = await readFile(stored!);
    const dataset = (bytes: Buffer) => bytes.subarray(parseP10Header(bytes).datasetOffset);
    expect(dataset(copy).equals(dataset(original))).toBe(true);
  });

  it('is flagged in the index with what the reader found, for the UI to show', () => {
    const rows = selectFromIndex<{ encoding_note: string | null }>(gateway.storage, 'SELECT encoding_note FROM instances');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.encoding_note).toMatch(/^encoding contradicts transfer syntax: .*implicit VR little endian/);
  });
});
