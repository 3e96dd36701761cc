/**
 * `dicom-gateway compare A B [--json]`: says whether two DICOM files are identical, identical in
 * their datasets, or different, and what differs in DICOM terms.
 * Exit codes: 0 identical files, 1 any difference, 2 usage or input error (also: not DICOM).
 */
import { parseArgs } from 'node:util';
import { uid, valueProblem } from '../api/schemas/values.ts';
import { compareFiles } from '../inspect/compare-files.ts';
import type { CompareReport } from '../api/types/compare-report.ts';
import { CompareInputError, type CompareInput } from '../inspect/dataset-input.ts';
import { readByteRange } from '../inspect/byte-range-reader.ts';
import { formatSummary, HEX_WINDOW_BYTES, hexWindowStart, shownDifference, type HexWindows } from '../inspect/summary-format.ts';
import { ExitCode } from './usage-error.ts';
import { COMPARE_USAGE } from './command-usage.ts';

const USAGE = `usage: ${COMPARE_USAGE}
  A, B            DICOM Part-10 files
  --json          print the whole report as JSON
  --syntax-a UID  A is a bare dataset (no preamble or meta group) in this transfer syntax
  --syntax-b UID  the same for B
exit codes: 0 identical files, 1 any difference, 2 usage or input error`;

export async function compareCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        'syntax-a': { type: 'string' },
        'syntax-b': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    return usageError(err instanceof Error ? err.message : String(err));
  }
  if (parsed.values.help) {
    await write(process.stdout, `${USAGE}\n`);
    return ExitCode.Ok;
  }
  if (parsed.positionals.length !== 2) return usageError(`expected two files, got ${parsed.positionals.length}`);
  const syntaxProblem = transferSyntaxFlagProblem(parsed.values);
  if (syntaxProblem) return usageError(syntaxProblem);
  const [pathA, pathB] = parsed.positionals as [string, string];
  const inputA: CompareInput = { path: pathA, ...(parsed.values['syntax-a'] ? { datasetSyntax: parsed.values['syntax-a'] } : {}) };
  const inputB: CompareInput = { path: pathB, ...(parsed.values['syntax-b'] ? { datasetSyntax: parsed.values['syntax-b'] } : {}) };

  let report: CompareReport;
  let output: string;
  try {
    report = await compareFiles(inputA, inputB);
    output = parsed.values.json ? `${JSON.stringify(report, null, 2)}\n` : formatSummary(report, await hexWindows(report, inputA, inputB));
  } catch (err) {
    // Missing or unreadable input is a usage problem, not a difference; so is a read error mid-way.
    return inputError(err instanceof CompareInputError ? err.message : `cannot compare ${pathA} and ${pathB}: ${(err as Error).message}`);
  }
  await write(process.stdout, output);
  if (report.verdict === 'not-comparable') await write(process.stderr, `compare: ${report.summary}\n`);
  return exitCodeOf(report);
}

/** A mistyped transfer syntax UID is refused as the config file and the API refuse a UID. */
function transferSyntaxFlagProblem(values: { 'syntax-a'?: string; 'syntax-b'?: string }): string | undefined {
  for (const flag of ['syntax-a', 'syntax-b'] as const) {
    const value = values[flag];
    const problem = value === undefined ? undefined : valueProblem(uid, value);
    if (problem) return `--${flag}: ${problem}`;
  }
  return undefined;
}

export function exitCodeOf(report: CompareReport): number {
  switch (report.verdict) {
    case 'identical-files':
      return ExitCode.Ok;
    case 'not-comparable':
      return ExitCode.Usage;
    default:
      return ExitCode.DicomFailure;
  }
}

async function hexWindows(report: CompareReport, a: CompareInput, b: CompareInput): Promise<HexWindows> {
  const difference = shownDifference(report);
  if (!difference) return {};
  return {
    a: await readByteRange(a, hexWindowStart(difference.a.offset), HEX_WINDOW_BYTES),
    b: await readByteRange(b, hexWindowStart(difference.b.offset), HEX_WINDOW_BYTES),
  };
}

async function usageError(reason: string): Promise<number> {
  await write(process.stderr, `compare: ${reason}\n${USAGE}\n`);
  return ExitCode.Usage;
}

async function inputError(reason: string): Promise<number> {
  await write(process.stderr, `compare: ${reason}\n`);
  return ExitCode.Usage;
}

function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => stream.write(text, (err) => (err ? reject(err) : resolve())));
}
