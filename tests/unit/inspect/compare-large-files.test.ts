/**
 * Large pairs compared in bounded memory, each in its own Node process running the CLI command:
 * two 1 GiB files under 200 MB of peak resident memory (VmHWM, which the process reports when
 * done), and two datasets of a quarter of a million elements with the JavaScript heap capped far
 * below what holding their elements would take.
 */
import { copyFile, open, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CompareReport } from '../../../src-main/api/types/compare-report.ts';
import { run } from '../../helpers/dcmtk.ts';
import { FixtureTransferSyntax, writeLargeP10File } from '../../helpers/dicom-fixtures.ts';
import { useTempDir } from '../../helpers/temp-dir.ts';
import { encodeDataset, EXPLICIT_LE, p10File, type El } from './dataset-builder.ts';

const GIB = 1024 * 1024 * 1024;
const MEMORY_BOUND_BYTES = 200 * 1000 * 1000;
const COMMAND = pathToFileURL(resolve(import.meta.dirname, '../../../src-main/cli/compare-command.ts')).href;
const RUNNER = `
import { readFileSync } from 'node:fs';
import { compareCommand } from ${JSON.stringify(COMMAND)};
const code = await compareCommand(process.argv.slice(1));
const kb = /VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
process.stderr.write('VmHWM ' + kb[1] + '\\n');
process.exitCode = code;
`;

const tmp = useTempDir('compare-large-');

/**
 * `compare --json` in a Node process of its own (with `nodeFlags`) on a pair that differs: exit 1
 * and the report, with the stderr that carries the peak memory.
 */
async function compareDiffering(a: string, b: string, nodeFlags: string[] = []): Promise<{ report: CompareReport; stderr: string }> {
  const result = await run(process.execPath, [...nodeFlags, '--input-type=module', '-e', RUNNER, a, b, '--json'], 280_000);
  expect(result.code, result.stderr).toBe(1);
  return { report: JSON.parse(result.stdout) as CompareReport, stderr: result.stderr };
}

/** Each change the report lists as [kind, path]. */
function changeList(report: CompareReport): [string, string][] {
  return Object.values(report.changes)
    .flat()
    .map((c) => [c.kind, c.path]);
}

function peakBytes(stderr: string): number {
  return Number(/VmHWM (\d+)/.exec(stderr)?.[1]) * 1024;
}

describe('comparing large files', () => {
  it('finds the one changed byte near the end, frame and offset, with peak memory under 200 MB', async () => {
    const a = join(tmp.path, 'a.dcm');
    const b = join(tmp.path, 'b.dcm');
    await writeLargeP10File(a, { pixelDataBytes: GIB, numberOfFrames: 16 });
    await copyFile(a, b);
    const handle = await open(b, 'r+');
    const { size } = await handle.stat();
    const changedAt = size - 1000;
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, changedAt);
    byte[0]! ^= 0xff;
    await handle.write(byte, 0, 1, changedAt);
    await handle.close();

    const { report, stderr } = await compareDiffering(a, b);
    expect(changeList(report)).toEqual([['pixel-frame-changed', '(7FE0,0010)/frame[15]']]);
    expect(report.firstDatasetDifference?.a).toMatchObject({ offset: changedAt, path: '(7FE0,0010)/frame[15]', part: 'value' });
    expect(report.firstDatasetDifference?.b.offset).toBe(changedAt);

    const peak = peakBytes(stderr);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(MEMORY_BOUND_BYTES);
  }, 300_000);

  it('compares datasets of 250 000 elements in nested items without holding them: a 48 MB heap is enough', async () => {
    // Like per-frame functional groups: one sequence with many items of small elements.
    const items: El[][] = Array.from({ length: 25_000 }, (_, i) =>
      Array.from({ length: 10 }, (_, k) => ({ tag: 0x00209100 + k, vr: 'LO', value: `frame ${i} value ${k}` })),
    );
    const dataset = (name: string): El[] => [
      { tag: 0x00100010, vr: 'PN', value: name },
      { tag: 0x52009230, vr: 'SQ', items },
    ];
    const a = join(tmp.path, 'many-a.dcm');
    const b = join(tmp.path, 'many-b.dcm');
    await writeFile(a, p10File(encodeDataset(dataset('SAME^NAME'), EXPLICIT_LE), FixtureTransferSyntax.ExplicitVRLittleEndian));
    items[24_999]![9] = { tag: 0x00209109, vr: 'LO', value: 'changed in the last item' };
    await writeFile(b, p10File(encodeDataset(dataset('SAME^NAME'), EXPLICIT_LE), FixtureTransferSyntax.ExplicitVRLittleEndian));

    // Holding both walks would take several hundred MB of heap; streaming them needs a few.
    const { report } = await compareDiffering(a, b, ['--max-old-space-size=48']);
    expect(changeList(report)).toEqual([['value-changed', '(5200,9230)[24999]/(0020,9109)']]);
  }, 120_000);
});
