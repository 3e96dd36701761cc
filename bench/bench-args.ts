/** Command line of `npm run bench`: which scenarios, which corpora, how many interleaved rounds. */
import { parseArgs } from 'node:util';

export type Scenario = 'receive' | 'send' | 'relay' | 'concurrent' | 'tls-relay' | 'transcode';
export const SCENARIOS: readonly Scenario[] = ['receive', 'send', 'relay', 'concurrent', 'tls-relay', 'transcode'];
export type CorpusName = 'large' | 'small';

export interface BenchArgs {
  rounds: number;
  scenarios: Scenario[];
  corpora: CorpusName[];
  /** 100 large / 500 small files instead of 1000 / 5000: a smoke run, not a measurement. */
  quick: boolean;
  /** Run the gateway under `node --cpu-prof`, profiles under bench/.corpus/profiles/. */
  cpuProf: boolean;
  /** Rewrite the results section of docs/benchmarks.md and its chart from this run. */
  writeDocs: boolean;
  /** Longest wait, in seconds, for a quiet machine before each round (then it runs anyway, flagged). */
  quietWaitSeconds: number;
  help: boolean;
}

export const USAGE = `usage: npm run bench -- [--rounds N] [--only receive|send|relay|concurrent|tls-relay|transcode] [--corpus small|large|all] [--quick] [--quiet-wait S] [--cpu-prof] [--write-docs]

  --rounds N     interleaved rounds (every side once per round) per scenario and corpus (default 3)
  --only S       run only one comparison (default all six): receive, send, relay, concurrent,
                 tls-relay (the relay over DICOM TLS against the plain relay) or transcode
                 (gateway send of JPEG lossless files, converted for an implicit-VR-only storescp, against as is)
  --corpus C     large = 1000 x 512 KiB, small = 5000 x 10 KiB, all = both (default all)
  --quick        100 large / 500 small files: a smoke run, not a measurement
  --quiet-wait S wait at most S seconds for a quiet machine before each round (default 600); on a
                 shared machine a smoke run with a small S finishes, its rounds flagged as disturbed
  --cpu-prof     run the gateway under node --cpu-prof (profiles in bench/.corpus/profiles/)
  --write-docs   write the results, the machine and a chart into docs/benchmarks.md (and its SVG)`;

export class BenchUsageError extends Error {
  override name = 'BenchUsageError';
}

export function parseBenchArgs(argv: string[]): BenchArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        rounds: { type: 'string' },
        only: { type: 'string' },
        corpus: { type: 'string' },
        quick: { type: 'boolean', default: false },
        'quiet-wait': { type: 'string' },
        'cpu-prof': { type: 'boolean', default: false },
        'write-docs': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new BenchUsageError((error as Error).message);
  }
  const { values } = parsed;
  return {
    rounds: parseRounds(values.rounds),
    scenarios: parseOnly(values.only),
    corpora: parseCorpus(values.corpus),
    quick: values.quick ?? false,
    cpuProf: values['cpu-prof'] ?? false,
    writeDocs: values['write-docs'] ?? false,
    quietWaitSeconds: parseQuietWait(values['quiet-wait']),
    help: values.help ?? false,
  };
}

function parseRounds(value: string | undefined): number {
  if (value === undefined) return 3;
  // Digits only: Number('') is 0 and Number('1e1') is 10, neither is what a person typed.
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new BenchUsageError(`--rounds needs a whole number of at least 1, got '${value}'`);
  return Number(value);
}

function parseQuietWait(value: string | undefined): number {
  if (value === undefined) return 600;
  if (!/^\d+$/.test(value)) throw new BenchUsageError(`--quiet-wait needs a whole number of seconds, got '${value}'`);
  return Number(value);
}

function parseOnly(value: string | undefined): Scenario[] {
  if (value === undefined) return [...SCENARIOS];
  const scenario = SCENARIOS.find((s) => s === value);
  if (scenario) return [scenario];
  throw new BenchUsageError(`--only takes ${SCENARIOS.join(', ')}, got '${value}'`);
}

function parseCorpus(value: string | undefined): CorpusName[] {
  if (value === undefined || value === 'all') return ['large', 'small'];
  if (value === 'large' || value === 'small') return [value];
  throw new BenchUsageError(`--corpus takes small, large or all, got '${value}'`);
}
