/**
 * `dicom-gateway compare A B [--json]`: exit codes and the shape of the human summary, first
 * through the command function (output captured), then end to end through the CLI entry point.
 */
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compareCommand } from '../../src-main/cli/compare-command.ts';
import { compareFiles } from '../../src-main/inspect/compare-files.ts';
import type { CompareReport } from '../../src-main/api/types/compare-report.ts';
import { runOrThrow } from '../helpers/dcmtk.ts';
import { buildP10File } from '../helpers/dicom-fixtures.ts';
import { runCli } from '../helpers/gateway-process.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';

let dir: string;
let source: string;
let copy: string;
let renamed: string;
let withGroupLengths: string;
let notDicom: string;

beforeAll(async () => {
  dir = await makeTempDir('compare-cli-');
  const fixture = join(dir, 'fixture.dcm');
  await writeFile(fixture, buildP10File({ edgeCases: true }));
  source = join(dir, 'source.dcm');
  await runOrThrow('dcmconv', ['-e', fixture, source]);
  copy = join(dir, 'copy.dcm');
  await copyFile(source, copy);
  renamed = join(dir, 'renamed.dcm');
  await copyFile(source, renamed);
  await runOrThrow('dcmodify', ['-nb', '-le', '-p=', '-m', '(0010,0010)=DOE^JANE', renamed]);
  withGroupLengths = join(dir, 'group-lengths.dcm');
  await runOrThrow('dcmconv', ['+g', '-e', source, withGroupLengths]);
  notDicom = join(dir, 'notes.txt');
  await writeFile(notDicom, 'plain text, no preamble, no DICM\n'.repeat(8));
});

afterAll(async () => {
  await removeDir(dir);
});

/** Runs compareCommand with stdout and stderr captured. */
async function compare(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const capture = (append: (text: string) => void) =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      const callback = rest.find((r): r is () => void => typeof r === 'function');
      callback?.();
      return true;
    }) as typeof process.stdout.write;
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture((t) => (stdout += t)));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture((t) => (stderr += t)));
  try {
    const code = await compareCommand(argv);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

function hexLines(summary: string, side: 'A' | 'B'): string[] {
  return summary.split('\n').filter((line) => new RegExp(`^  ${side} [0-9a-f]{8} `).test(line));
}

describe('compare command', () => {
  it('exits 0 for identical files and says so in its verdict line', async () => {
    const result = await compare([source, copy]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^A: .*source\.dcm \(\d+ bytes, sha256 [0-9a-f]{64}\)$/);
    expect(lines[1]).toMatch(/^B: .*copy\.dcm \(\d+ bytes, sha256 [0-9a-f]{64}\)$/);
    expect(lines[2]).toBe('Verdict: identical-files. The files are identical: same size and SHA-256.');
  });

  it('exits 1 for a changed value: verdict, differences by kind with tag path, then the first difference in hex on both sides', async () => {
    const result = await compare([source, renamed]);
    expect(result.code).toBe(1);
    const summary = result.stdout;
    const lines = summary.split('\n');
    expect(lines[2]).toBe('Verdict: datasets-differ. The datasets differ: 1 change (1 value changed).');
    const kinds = lines.indexOf('Dataset differences by kind (1):');
    expect(kinds).toBeGreaterThan(2);
    expect(lines[kinds + 1]).toBe('  value-changed (1): value changed');
    expect(lines[kinds + 2]).toMatch(/^ {4}\(0010,0010\) PatientName: "DOE\^JOHN" → "DOE\^JANE" \[A @\d+, B @\d+\]$/);
    const first = lines.findIndex((line) => line.startsWith('First dataset difference: '));
    expect(first).toBeGreaterThan(kinds);
    expect(lines[first]).toMatch(
      /A byte \d+ \(dataset, \(0010,0010\) PatientName, value\); B byte \d+ \(dataset, \(0010,0010\) PatientName, value\)/,
    );
    for (const side of ['A', 'B'] as const) {
      const hex = hexLines(summary, side);
      expect(hex).toHaveLength(2);
      expect(hex.join('').match(/\[[0-9a-f]{2}\]/g)).toHaveLength(1);
      // 32 bytes: 16 per line.
      expect(hex.map((line) => line.match(/[ [][0-9a-f]{2}[ \]]/g)?.length)).toEqual([16, 16]);
    }
    expect(summary).toContain('(0010,0010) PatientName: vr length value');
  });

  it('groups many changes of one kind: a count, the first five, and how many more', async () => {
    const result = await compare([source, withGroupLengths]);
    expect(result.code).toBe(1);
    const report = await compareFiles(source, withGroupLengths);
    const count = report.changes['group-length-added'].length;
    expect(count).toBeGreaterThan(5);
    const lines = result.stdout.split('\n');
    const heading = lines.indexOf(`  group-length-added (${count}): group length added`);
    expect(heading).toBeGreaterThan(0);
    expect(lines.slice(heading + 1, heading + 6).every((line) => /^ {4}\S*\([0-9A-F]{4},0000\) GroupLength: only in B /.test(line))).toBe(
      true,
    );
    expect(lines[heading + 6]).toBe(`    … and ${count - 5} more (--json lists all)`);
  });

  it('prints the whole report with --json', async () => {
    const result = await compare([source, renamed, '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as CompareReport;
    expect(report).toEqual(JSON.parse(JSON.stringify(await compareFiles(source, renamed))));
  });

  it('exits 2 naming the file when one is missing', async () => {
    const missing = join(dir, 'missing.dcm');
    const result = await compare([source, missing]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(missing);
    expect(result.stderr).toContain('ENOENT');
  });

  it('exits 2 when a file is not DICOM, saying which', async () => {
    const result = await compare([source, notDicom]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('Verdict: not-comparable.');
    expect(result.stderr).toContain(notDicom);
  });

  it('exits 2 with the usage for a wrong number of files or an unknown option', async () => {
    for (const argv of [[source], [source, copy, renamed], [source, copy, '--colour']]) {
      const result = await compare(argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr).toContain('usage: dicom-gateway compare A B');
    }
  });
});

describe('dicom-gateway compare (CLI entry point)', () => {
  it('exits 0, 1 and 2 for identical, different and missing files', async () => {
    const identical = await runCli(['compare', source, copy]);
    expect(identical.code, identical.stderr).toBe(0);
    expect(identical.stdout).toContain('Verdict: identical-files.');
    const different = await runCli(['compare', source, renamed]);
    expect(different.code, different.stderr).toBe(1);
    expect(different.stdout).toContain('(0010,0010) PatientName: "DOE^JOHN" → "DOE^JANE"');
    const missing = await runCli(['compare', source, join(dir, 'missing.dcm')]);
    expect(missing.code).toBe(2);
  });

  it('prints the JSON report on stdout with --json', async () => {
    const result = await runCli(['compare', source, renamed, '--json']);
    expect(result.code, result.stderr).toBe(1);
    expect((JSON.parse(result.stdout) as CompareReport).changes['value-changed'].map((c) => c.path)).toEqual(['(0010,0010)']);
  });
});
