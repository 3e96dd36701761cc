/**
 * The fixture writer is checked against DCMTK, an independent reader: if DCMTK reads every variant
 * cleanly and re-encodes the native syntaxes to the very bytes we write for Explicit VR LE, the
 * fixtures are what they claim to be.
 */
import { readFile, rm, writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../helpers/dcmtk.ts';
import {
  FIXTURE_IMPLEMENTATION_CLASS_UID,
  FixtureTransferSyntax,
  buildDataset,
  buildP10File,
  datasetRegion,
  writeLargeP10File,
  writeP10Files,
  type FixtureOptions,
} from '../../helpers/dicom-fixtures.ts';
import { useTempDir } from '../../helpers/temp-dir.ts';

const tmp = useTempDir('fixtures-');

async function writeFixture(name: string, opts: FixtureOptions): Promise<string> {
  const path = join(tmp.path, name);
  await writeFile(path, buildP10File(opts));
  return path;
}

/** dcmdump's warnings and errors, minus the odd-length warning the edge-case fixture provokes on purpose. */
function unexpectedDiagnostics(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((line) => !/Length of element \(0018,10[03]0\) is odd/.test(line));
}

/** `(0028,0010) US 16` -> '16' ; `(0010,0010) PN [DOE^JOHN]` -> 'DOE^JOHN' */
function dumpedValue(dump: string, tag: string): string | undefined {
  const line = dump.split('\n').find((l) => l.startsWith(`(${tag})`));
  const match = line?.match(/^\([0-9a-f,]+\) [A-Z?]{2} (?:\[([^\]]*)\]|(\S+))/);
  return match ? (match[1] ?? match[2]) : undefined;
}

const syntaxes = Object.entries(FixtureTransferSyntax);

describe('fixture files read by DCMTK', () => {
  for (const [name, ts] of syntaxes) {
    for (const edgeCases of [false, true]) {
      it(`${name}${edgeCases ? ' with edge cases' : ''} is a Part-10 file that dcmdump parses without errors`, async () => {
        const path = await writeFixture(`${name}-${edgeCases}.dcm`, { transferSyntaxUid: ts, edgeCases, numberOfFrames: 3, seed: 7 });
        const ftest = await run('dcmftest', [path]);
        expect(ftest.stdout).toContain(`yes: ${path}`);
        const dump = await run('dcmdump', ['+E', '+L', path]);
        expect(dump.code).toBe(0);
        expect(unexpectedDiagnostics(dump.stderr)).toEqual([]);
        expect(dump.stdout).toContain(`(0002,0010) UI `);
        expect(dump.stdout).toContain(`(0002,0012) UI [${FIXTURE_IMPLEMENTATION_CLASS_UID}]`);
        expect(dumpedValue(dump.stdout, '0010,0010')).toBe('DOE^JOHN');
        expect(dumpedValue(dump.stdout, '0020,000d')).toBe('1.2.3.4.5.6.7.8.9.1.7');
        expect(dumpedValue(dump.stdout, '0028,0008')).toBe('3');
        if (edgeCases) {
          expect(dump.stdout).toContain('(0008,1140) SQ (Sequence with undefined length');
          expect(dump.stdout).toContain('(fffe,e000) na (Item with undefined length');
          expect(dump.stdout).toContain('(0009,0010) LO [FIXTURE PRIVATE]');
          expect(dump.stdout).toMatch(/\(fffc,fffc\) OB/);
          expect(dump.stderr).toContain('Length of element (0018,1030) is odd');
        }
        if (encapsulated(ts)) {
          expect(dump.stdout).toMatch(/\(7fe0,0010\) OB \(PixelSequence #=4\)/); // empty offset table + 3 fragments
        }
      });
    }
  }

  for (const ts of [
    FixtureTransferSyntax.ExplicitVRBigEndian,
    FixtureTransferSyntax.ImplicitVRLittleEndian,
    FixtureTransferSyntax.DeflatedExplicitVRLittleEndian,
  ]) {
    it(`${ts} converted by dcmconv to Explicit VR LE gives exactly the fixture's Explicit VR LE dataset`, async () => {
      // Proves big-endian swapping (tags, lengths, US, OW words), implicit lengths and deflate.
      const opts: FixtureOptions = { seed: 3, pixelDataBytes: 1000, numberOfFrames: 2 };
      const source = await writeFixture(`conv-src-${ts}.dcm`, { ...opts, transferSyntaxUid: ts });
      const converted = join(tmp.path, `conv-out-${ts}.dcm`);
      const result = await run('dcmconv', ['+te', source, converted]);
      expect(result.code, result.stderr).toBe(0);
      const expected = buildDataset({ ...opts, transferSyntaxUid: FixtureTransferSyntax.ExplicitVRLittleEndian });
      expect(datasetRegion(await readFile(converted)).equals(expected)).toBe(true);
    });
  }
});

function encapsulated(ts: string): boolean {
  return !['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.2'].includes(ts);
}

describe('fixture bytes', () => {
  it('are identical for identical options and differ with the seed', () => {
    for (const [, ts] of syntaxes) {
      const a = buildP10File({ transferSyntaxUid: ts, edgeCases: true, seed: 5 });
      const b = buildP10File({ transferSyntaxUid: ts, edgeCases: true, seed: 5 });
      const c = buildP10File({ transferSyntaxUid: ts, edgeCases: true, seed: 6 });
      expect(a.equals(b)).toBe(true);
      expect(a.equals(c)).toBe(false);
    }
  });

  it('datasetRegion returns exactly the dataset that follows the meta group', () => {
    for (const [, ts] of syntaxes) {
      const opts = { transferSyntaxUid: ts, edgeCases: true, seed: 9 };
      expect(datasetRegion(buildP10File(opts)).equals(buildDataset(opts))).toBe(true);
    }
  });

  it('puts a deliberately odd-length value in the edge-case dataset (3 bytes, no padding)', () => {
    const dataset = buildDataset({ edgeCases: true });
    // (0018,1030) LO length 3 'ODD' in explicit VR LE
    const element = Buffer.from([0x18, 0x00, 0x30, 0x10, 0x4c, 0x4f, 0x03, 0x00, 0x4f, 0x44, 0x44]);
    expect(dataset.indexOf(element)).toBeGreaterThan(0);
    // A second odd value keeps the whole dataset even-length (DCMTK refuses odd P-DATA fragments).
    expect(dataset.length % 2).toBe(0);
  });

  it('writes big-endian tags, lengths and US values byte-swapped', () => {
    const dataset = buildDataset({ transferSyntaxUid: FixtureTransferSyntax.ExplicitVRBigEndian, pixelDataBytes: 256 });
    // (0028,0100) US length 2 value 16, big endian
    expect(dataset.indexOf(Buffer.from([0x00, 0x28, 0x01, 0x00, 0x55, 0x53, 0x00, 0x02, 0x00, 0x10]))).toBeGreaterThan(0);
  });

  it('writes 5000 small files named 0001.dcm onwards, each with its own SOP Instance UID', async () => {
    const paths = await writeP10Files(join(tmp.path, 'many'), 5000, { pixelDataBytes: 10 * 1024 });
    expect(paths).toHaveLength(5000);
    expect(paths[0]).toMatch(/0001\.dcm$/);
    expect(paths[4999]).toMatch(/5000\.dcm$/);
    const first = await readFile(paths[0]!);
    const last = await readFile(paths[4999]!);
    expect(first.includes('1.2.3.4.5.6.7.8.9.3.1.1\0')).toBe(true);
    expect(last.includes('1.2.3.4.5.6.7.8.9.3.1.5000')).toBe(true);
    expect(first.equals(buildP10File({ pixelDataBytes: 10 * 1024, instanceNumber: 1 }))).toBe(true);
  });
});

describe('large fixture files', () => {
  it('streams the same bytes buildP10File makes (chunk boundaries included), big endian and with edge cases', async () => {
    const opts = {
      transferSyntaxUid: FixtureTransferSyntax.ExplicitVRBigEndian,
      pixelDataBytes: 20 * 1024 * 1024 + 6,
      edgeCases: true,
      seed: 4,
    };
    const path = join(tmp.path, 'streamed.dcm');
    await writeLargeP10File(path, opts);
    expect((await readFile(path)).equals(buildP10File(opts))).toBe(true);
  });

  it('writes a 640 MiB file without holding it in memory, and DCMTK reads it', async () => {
    const pixelDataBytes = 640 * 1024 * 1024;
    const path = join(tmp.path, 'large.dcm');
    const rssBefore = process.memoryUsage().rss;
    await writeLargeP10File(path, { pixelDataBytes, transferSyntaxUid: FixtureTransferSyntax.ImplicitVRLittleEndian, edgeCases: true });
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    expect(rssGrowth).toBeLessThan(128 * 1024 * 1024);
    expect((await stat(path)).size).toBeGreaterThan(pixelDataBytes);
    const dump = await run('dcmdump', ['-M', '+E', path]);
    expect(dump.code).toBe(0);
    expect(unexpectedDiagnostics(dump.stderr)).toEqual([]);
    expect(dump.stdout).toContain(`# ${pixelDataBytes}, 1 PixelData`);
    await rm(path);
  });
});
