/**
 * `npm run bench`: the gateway against DCMTK, receive and send, on a corpus of large and one of
 * small files. Runs are interleaved (DCMTK, gateway, DCMTK, gateway, ...) because absolute timings
 * drift between batches while back-to-back ratios hold; the result is the median per-round ratio.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BenchUsageError, parseBenchArgs, USAGE, type BenchArgs, type Scenario } from './bench-args.ts';
import { corpusSpec, ensureCorpus, warmPageCache, type Corpus } from './corpus.ts';
import { waitForQuiet } from './cpu-load.ts';
import { measureDurableWriteFloor, type DurableWriteFloor } from './durable-write-floor.ts';
import { describeMachine, type MachineInfo } from './machine.ts';
import { gatewayCli, type GatewayCli } from './processes.ts';
import { corpusLabel, formatMarkdown, formatTable, isDisturbed, QUIET_BUSY_CORES, scenarioResult, SIDE_LABELS, type ScenarioResult } from './report.ts';
import { flushFileSystems, receiveByGateway, receiveByStorescp, relayByGateway, sendByGateway, sendByStorescu, type RunContext, type SideRun } from './scenarios.ts';

const PROJECT_ROOT = resolve(import.meta.dirname, '..');
const CORPUS_ROOT = join(PROJECT_ROOT, 'bench/.corpus');
const RESULTS_DIR = join(CORPUS_ROOT, 'results');
const MAX_REPEATS_OF_DISTURBED_ROUND = 2;

const SIDES: Record<Scenario, { a: (ctx: RunContext) => Promise<SideRun>; b: (ctx: RunContext) => Promise<SideRun> }> = {
  receive: { a: receiveByStorescp, b: receiveByGateway },
  send: { a: sendByStorescu, b: sendByGateway },
  relay: { a: receiveByStorescp, b: relayByGateway },
};

async function main(argv: string[]): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(argv);
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }

  const command = ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' ');
  const machine = describeMachine();
  const cli = gatewayCli(PROJECT_ROOT, []);
  printPreamble(command, machine, cli, args);

  const corpora: Corpus[] = [];
  for (const name of args.corpora) corpora.push(await prepareCorpus(name, args.quick));

  const workDir = await mkdtemp(join(tmpdir(), 'dicom-gateway-bench-'));
  const results: ScenarioResult[] = [];
  const floors: (DurableWriteFloor & { corpus: string })[] = [];
  try {
    for (const corpus of corpora) {
      await warmPageCache(corpus);
      if (args.scenarios.includes('receive')) floors.push({ corpus: corpus.spec.name, ...(await measureDurableWriteFloor(workDir, corpus.spec.fileBytes)) });
      for (const scenario of args.scenarios) {
        const ctx: RunContext = { corpus, workDir, cli: await profiledCli(cli, args, scenario, corpus) };
        results.push(await runInterleaved(scenario, ctx, args.rounds));
      }
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }

  results.sort((x, y) => args.scenarios.indexOf(x.scenario) - args.scenarios.indexOf(y.scenario));
  console.log(`\n${formatTable(results)}\n`);
  for (const floor of floors) console.log(formatFloor(floor));
  console.log(`\nMarkdown:\n\n${formatMarkdown(results)}\n`);
  if (args.quick) console.log('--quick: a smoke run on reduced corpora; do not quote these numbers.');
  if (args.cpuProf) console.log('--cpu-prof: the gateway ran under the profiler; its timings are inflated.');
  await mkdir(RESULTS_DIR, { recursive: true });
  const finishedAt = new Date().toISOString();
  const record = JSON.stringify({ command, finishedAt, machine, gatewayCli: cli, args, durableWriteFloors: floors, results }, null, 1) + '\n';
  // latest.json for scripts; the timestamped copy so a later smoke run does not overwrite a real one.
  const stamped = join(RESULTS_DIR, `${finishedAt.replace(/[:.]/g, '-')}${args.quick ? '-quick' : ''}.json`);
  await writeFile(stamped, record);
  await writeFile(join(RESULTS_DIR, 'latest.json'), record);
  console.log(`results: ${relative(process.cwd(), stamped)} (also latest.json)`);
  return 0;
}

function formatFloor(floor: DurableWriteFloor): string {
  return (
    `durable write of one ${floor.fileBytes / 1024} KiB file (write, fsync, rename, dir fsync) on this disk: ` +
    `median ${floor.medianMs.toFixed(2)} ms, p90 ${floor.p90Ms.toFixed(2)} ms ` +
    `= at most ${Math.floor(1000 / floor.medianMs)} files/s for a receiver that answers each C-STORE only once durable`
  );
}

function printPreamble(command: string, machine: MachineInfo, cli: GatewayCli, args: BenchArgs): void {
  console.log(`${command}`);
  console.log(
    `machine: ${machine.cores} x ${machine.cpuModel}, ${machine.memoryGiB} GiB, Linux ${machine.kernel}, ` +
      `Node ${machine.node}, DCMTK ${machine.dcmtk}, load average ${machine.loadAverage1m}`,
  );
  console.log(`gateway: ${relative(PROJECT_ROOT, cli.entry)}${cli.built ? '' : ' (source: dist/ not built)'}; rounds: ${args.rounds}`);
}

async function prepareCorpus(name: Corpus['spec']['name'], quick: boolean): Promise<Corpus> {
  const spec = corpusSpec(name, quick);
  const started = performance.now();
  const corpus = await ensureCorpus(CORPUS_ROOT, spec);
  const action = corpus.generated ? `generated in ${((performance.now() - started) / 1000).toFixed(1)} s` : 'reused';
  console.log(`corpus ${corpusLabel(spec, corpus.files)}: ${(corpus.totalBytes / 1e6).toFixed(1)} MB, ${action} (${relative(PROJECT_ROOT, corpus.filesDir)})`);
  return corpus;
}

async function profiledCli(cli: GatewayCli, args: BenchArgs, scenario: Scenario, corpus: Corpus): Promise<GatewayCli> {
  if (!args.cpuProf) return cli;
  const dir = join(CORPUS_ROOT, 'profiles', `${scenario}-${corpus.spec.name}-${corpus.files}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return { ...cli, nodeArgs: [...cli.nodeArgs, '--cpu-prof', '--cpu-prof-dir', dir] };
}

/** Both runs of a pair start on a quiet machine, so a neighbour's burst does not land in one side only. */
async function quietMachine(): Promise<void> {
  const wait = await waitForQuiet({
    maxBusyCores: QUIET_BUSY_CORES,
    onBusy: (busy) => console.log(`  waiting for the machine to go quiet (other work is using ${busy.toFixed(2)} cores)`),
  });
  if (!wait.quiet) console.log(`  the machine stayed busy for ${wait.waitedSeconds.toFixed(0)} s; running anyway`);
  // Two quiet seconds are always waited for; say so only when the wait was longer.
  else if (wait.waitedSeconds > 3) console.log(`  quiet after ${wait.waitedSeconds.toFixed(0)} s`);
}

function foreignText(run: SideRun): string {
  return run.foreignCpuSeconds === undefined ? '?' : `${(run.foreignCpuSeconds / run.seconds).toFixed(2)} cores`;
}

async function runInterleaved(scenario: Scenario, ctx: RunContext, rounds: number): Promise<ScenarioResult> {
  const labels = SIDE_LABELS[scenario];
  console.log(`\n${scenario}, ${corpusLabel(ctx.corpus.spec, ctx.corpus.files)}: A = ${labels.a}, B = ${labels.b}`);
  const runs: { a: SideRun; b: SideRun }[] = [];
  let repeated = 0;
  await flushFileSystems();
  // One untimed pair first: the first run after a corpus switch pays for cold allocator and JIT state.
  await SIDES[scenario].a(ctx);
  await flushFileSystems();
  await SIDES[scenario].b(ctx);
  await flushFileSystems();
  for (let round = 1; round <= rounds; round++) {
    for (let attempt = 1; ; attempt++) {
      await quietMachine();
      const a = await SIDES[scenario].a(ctx);
      await flushFileSystems();
      const b = await SIDES[scenario].b(ctx);
      await flushFileSystems();
      const disturbed = isDisturbed(a) || isDisturbed(b);
      console.log(
        `  round ${round}/${rounds}: A ${a.seconds.toFixed(2)} s, B ${b.seconds.toFixed(2)} s, B/A ${(b.seconds / a.seconds).toFixed(2)}` +
          `; other work ${foreignText(a)} / ${foreignText(b)}${disturbed ? '  DISTURBED' : ''}`,
      );
      // A pair disturbed by other work is run again (a few times at most), so the medians describe a quiet machine.
      if (disturbed && attempt <= MAX_REPEATS_OF_DISTURBED_ROUND) {
        repeated++;
        continue;
      }
      runs.push({ a, b });
      break;
    }
  }
  return { ...scenarioResult(scenario, ctx.corpus, runs), repeatedRounds: repeated };
}

process.exitCode = await main(process.argv.slice(2));
