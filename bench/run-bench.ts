/**
 * `npm run bench`: the gateway against DCMTK (and Orthanc for the relay), on a corpus of large and
 * one of small files. Runs are interleaved (every side once per round: DCMTK, gateway, Orthanc,
 * DCMTK, ...) because absolute timings drift between batches while back-to-back ratios hold; the
 * results are median per-round ratios.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BenchUsageError, parseBenchArgs, USAGE, type BenchArgs, type Scenario } from './bench-args.ts';
import { corpusSpec, ensureCorpus, studySpecs, warmPageCache, type Corpus, type CorpusSpec } from './corpus.ts';
import { waitForQuiet } from './cpu-load.ts';
import { measureDurableWriteFloor, type DurableWriteFloor } from './durable-write-floor.ts';
import { describeMachine, formatMachine, type MachineInfo } from './machine.ts';
import { gatewayCli, type GatewayCli } from './processes.ts';
import { writeBenchDocs } from './bench-docs.ts';
import { orthancAvailable } from './orthanc.ts';
import { ReceivedOutputs } from './received-outputs.ts';
import { disposeBenchTls } from './tls-material.ts';
import { corpusLabel, formatMarkdown, formatTable, isDisturbed, QUIET_BUSY_CORES, scenarioResult, type ScenarioResult } from './report.ts';
import { CONCURRENT_CLIENTS, planWithout, SCENARIO_PLANS, sideName, type ScenarioPlan, type SideKey } from './scenario-plans.ts';
import {
  concurrentToGateway,
  concurrentToStorescp,
  concurrentToStorescpFork,
  flushFileSystems,
  receiveByBareNode,
  receiveByGateway,
  receiveByStorescp,
  relayByGateway,
  relayByGatewayTls,
  relayByOrthanc,
  sendByBareNode,
  sendByGateway,
  sendByStorescu,
  sendCompressedAsIs,
  sendCompressedTranscoded,
  type RunContext,
  type SideRun,
} from './scenarios.ts';

const PROJECT_ROOT = resolve(import.meta.dirname, '..');
const CORPUS_ROOT = join(PROJECT_ROOT, 'bench/.corpus');
const RESULTS_DIR = join(CORPUS_ROOT, 'results');
const DOCS_DIR = join(PROJECT_ROOT, 'docs');
const MAX_REPEATS_OF_DISTURBED_ROUND = 2;

type SideRunner = (ctx: RunContext) => Promise<SideRun>;

const RUNNERS: Record<Scenario, Partial<Record<SideKey, SideRunner>>> = {
  receive: { dcmtk: receiveByStorescp, gateway: receiveByGateway, 'bare-node-scp': receiveByBareNode },
  send: { dcmtk: sendByStorescu, gateway: sendByGateway, 'bare-node-scu': sendByBareNode },
  relay: { dcmtk: receiveByStorescp, gateway: relayByGateway, orthanc: relayByOrthanc },
  concurrent: { dcmtk: concurrentToStorescp, 'dcmtk-fork': concurrentToStorescpFork, gateway: concurrentToGateway },
  'tls-relay': { gateway: relayByGateway, 'gateway-tls': relayByGatewayTls },
  transcode: { gateway: sendCompressedAsIs, 'gateway-transcode': sendCompressedTranscoded },
};

function runnerOf(scenario: Scenario, side: SideKey): SideRunner {
  const runner = RUNNERS[scenario][side];
  if (!runner) throw new Error(`no runner for side '${side}' of scenario '${scenario}'`);
  return runner;
}

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

  const missing: SideKey[] = orthancAvailable() ? [] : ['orthanc'];
  if (missing.length) console.log('Orthanc (/usr/sbin/Orthanc, Debian package orthanc) is not installed: the relay runs without it.');
  const corpora: { corpus: Corpus; studies: Corpus[] }[] = [];
  for (const name of args.corpora) {
    const spec = corpusSpec(name, args.quick);
    const studies = args.scenarios.includes('concurrent')
      ? await Promise.all(studySpecs(spec, CONCURRENT_CLIENTS).map((s) => prepareCorpus(s)))
      : [];
    corpora.push({ corpus: await prepareCorpus(spec), studies });
  }

  const workDir = await mkdtemp(join(tmpdir(), 'dicom-gateway-bench-'));
  const outputs = new ReceivedOutputs(workDir);
  const results: ScenarioResult[] = [];
  const floors: (DurableWriteFloor & { corpus: string })[] = [];
  const failures: { scenario: Scenario; corpus: string; error: string }[] = [];
  try {
    for (const { corpus, studies } of corpora) {
      for (const c of [corpus, ...studies]) await warmPageCache(c);
      if (args.scenarios.includes('receive'))
        floors.push({ corpus: corpus.spec.name, ...(await measureDurableWriteFloor(outputs, workDir, corpus.spec.fileBytes)) });
      for (const scenario of args.scenarios) {
        const ctx: RunContext = { corpus, studies, workDir, outputs, cli: await profiledCli(cli, args, scenario, corpus) };
        // One scenario that fails (a peer that would not start, a transfer that failed) must not
        // throw away the rounds the others took: it is reported, and the run exits 1 at the end.
        try {
          results.push(await runInterleaved(scenario, planWithout(SCENARIO_PLANS[scenario], missing), ctx, args));
        } catch (error) {
          const failure = { scenario, corpus: corpus.spec.name, error: (error as Error).message };
          failures.push(failure);
          console.error(`\n${scenario} on the ${corpus.spec.name} corpus FAILED: ${failure.error}; going on with the rest\n`);
        }
      }
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
    await disposeBenchTls();
  }

  results.sort((x, y) => args.scenarios.indexOf(x.scenario) - args.scenarios.indexOf(y.scenario));
  console.log(`\n${formatTable(results)}\n`);
  for (const floor of floors) console.log(formatFloor(floor));
  console.log(`\nMarkdown:\n\n${formatMarkdown(results)}\n`);
  if (args.quick) console.log('--quick: a smoke run on reduced corpora; do not quote these numbers.');
  if (args.cpuProf) console.log('--cpu-prof: the gateway ran under the profiler; its timings are inflated.');
  await mkdir(RESULTS_DIR, { recursive: true });
  const finishedAt = new Date().toISOString();
  const record =
    JSON.stringify({ command, finishedAt, machine, gatewayCli: cli, args, durableWriteFloors: floors, results, failures }, null, 1) + '\n';
  // latest.json for scripts; the timestamped copy so a later smoke run does not overwrite a real one.
  const stamped = join(RESULTS_DIR, `${finishedAt.replace(/[:.]/g, '-')}${args.quick ? '-quick' : ''}.json`);
  await writeFile(stamped, record);
  await writeFile(join(RESULTS_DIR, 'latest.json'), record);
  console.log(`results: ${relative(process.cwd(), stamped)} (also latest.json)`);
  if (args.writeDocs) {
    const written = await writeBenchDocs(DOCS_DIR, {
      command,
      finishedAt,
      machine,
      rounds: args.rounds,
      quick: args.quick,
      results,
      floors,
    });
    console.log(`docs: ${written.map((path) => relative(process.cwd(), path)).join(', ')}`);
  }
  for (const f of failures) console.error(`FAILED: ${f.scenario} on the ${f.corpus} corpus: ${f.error}`);
  return failures.length > 0 ? 1 : 0;
}

function formatFloor(floor: DurableWriteFloor): string {
  return (
    `durable write of one ${floor.fileBytes / 1024} KiB instance (O_DSYNC, into a preallocated file, as the journal does) on this disk: ` +
    `median ${floor.medianMs.toFixed(2)} ms, p90 ${floor.p90Ms.toFixed(2)} ms ` +
    `= at most ${Math.floor(1000 / floor.medianMs)} files/s for a receiver that answers each C-STORE only once durable`
  );
}

function printPreamble(command: string, machine: MachineInfo, cli: GatewayCli, args: BenchArgs): void {
  console.log(`${command}`);
  console.log(`machine: ${formatMachine(machine)}`);
  console.log(
    `gateway: node ${[...cli.nodeArgs, relative(PROJECT_ROOT, cli.entry)].join(' ')}${cli.built ? '' : ' (source: dist/ not built)'}; rounds: ${args.rounds}`,
  );
}

async function prepareCorpus(spec: CorpusSpec): Promise<Corpus> {
  const started = performance.now();
  const corpus = await ensureCorpus(CORPUS_ROOT, spec);
  const action = corpus.generated ? `generated in ${((performance.now() - started) / 1000).toFixed(1)} s` : 'reused';
  const study = spec.study ? ` (study ${spec.study} of ${CONCURRENT_CLIENTS}, for the concurrent scenario)` : '';
  console.log(
    `corpus ${corpusLabel(spec, corpus.files)}${study}: ${(corpus.totalBytes / 1e6).toFixed(1)} MB, ${action} (${relative(PROJECT_ROOT, corpus.filesDir)})`,
  );
  return corpus;
}

async function profiledCli(cli: GatewayCli, args: BenchArgs, scenario: Scenario, corpus: Corpus): Promise<GatewayCli> {
  if (!args.cpuProf) return cli;
  const dir = join(CORPUS_ROOT, 'profiles', `${scenario}-${corpus.spec.name}-${corpus.files}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return { ...cli, nodeArgs: [...cli.nodeArgs, '--cpu-prof', '--cpu-prof-dir', dir] };
}

/** Every round starts on a quiet machine, so a neighbour's burst does not land in one side only. */
async function quietMachine(timeoutSeconds: number): Promise<void> {
  const wait = await waitForQuiet({
    maxBusyCores: QUIET_BUSY_CORES,
    timeoutSeconds,
    onBusy: (busy) => console.log(`  waiting for the machine to go quiet (other work is using ${busy.toFixed(2)} cores)`),
  });
  if (!wait.quiet) console.log(`  the machine stayed busy for ${wait.waitedSeconds.toFixed(0)} s; running anyway`);
  // Two quiet seconds are always waited for; say so only when the wait was longer.
  else if (wait.waitedSeconds > 3) console.log(`  quiet after ${wait.waitedSeconds.toFixed(0)} s`);
}

function foreignText(run: SideRun): string {
  return run.foreignCpuSeconds === undefined ? '?' : `${(run.foreignCpuSeconds / run.seconds).toFixed(2)} cores`;
}

async function runInterleaved(
  scenario: Scenario,
  plan: ScenarioPlan,
  ctx: RunContext,
  { rounds, quietWaitSeconds }: Pick<BenchArgs, 'rounds' | 'quietWaitSeconds'>,
): Promise<ScenarioResult> {
  console.log(
    `\n${scenario}, ${corpusLabel(ctx.corpus.spec, ctx.corpus.files)}: ${plan.sides.map((s) => `${sideName(s.key)} = ${s.label}`).join('; ')}`,
  );
  const kept: Partial<Record<SideKey, SideRun>>[] = [];
  let repeated = 0;
  await flushFileSystems();
  // One untimed round first: the first run after a corpus switch pays for cold allocator and JIT state.
  await runRound(scenario, plan, ctx);
  for (let round = 1; round <= rounds; round++) {
    for (let attempt = 1; ; attempt++) {
      await quietMachine(quietWaitSeconds);
      const runs = await runRound(scenario, plan, ctx);
      const disturbed = Object.values(runs).some((run) => isDisturbed(run!));
      const times = plan.sides.map((s) => `${sideName(s.key)} ${runs[s.key]!.seconds.toFixed(2)} s`).join(', ');
      const ratios = plan.ratios
        .map((r) => `${sideName(r.of)}/${sideName(r.over)} ${(runs[r.of]!.seconds / runs[r.over]!.seconds).toFixed(2)}`)
        .join(', ');
      const foreign = plan.sides.map((s) => foreignText(runs[s.key]!)).join(' / ');
      console.log(`  round ${round}/${rounds}: ${times}; ${ratios}; other work ${foreign}${disturbed ? '  DISTURBED' : ''}`);
      // A round disturbed by other work is run again (a few times at most), so the medians describe a quiet machine.
      if (disturbed && attempt <= MAX_REPEATS_OF_DISTURBED_ROUND) {
        repeated++;
        continue;
      }
      kept.push(runs);
      break;
    }
  }
  return { ...scenarioResult(scenario, plan, ctx.corpus, kept), repeatedRounds: repeated };
}

/** Every side once, in the plan's order, with the file systems flushed after each run. */
async function runRound(scenario: Scenario, plan: ScenarioPlan, ctx: RunContext): Promise<Partial<Record<SideKey, SideRun>>> {
  const runs: Partial<Record<SideKey, SideRun>> = {};
  for (const side of plan.sides) {
    // A relay keeps the corpus twice (the gateway's or Orthanc's store, then the receiver's).
    await ctx.outputs.makeRoom(2 * ctx.corpus.totalBytes);
    runs[side.key] = await runnerOf(scenario, side.key)(ctx);
    await flushFileSystems();
  }
  return runs;
}

process.exitCode = await main(process.argv.slice(2));
