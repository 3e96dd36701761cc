/**
 * `npm run bench:start-up`: how fast the CLI starts and how much serve holds when idle (issue 8's
 * footprint targets: `--help` and `echo` in <= 150 ms, serve idle <= 70 MB RSS).
 *
 * Interleaved like the main bench, one round = each of these once, back to back:
 *   - `node -e 0` (the floor: this Node starting and exiting),
 *   - `dicom-gateway --help`,
 *   - `dicom-gateway echo` and DCMTK's `echoscu` against the same `storescp`,
 *   - `dicom-gateway serve` started, its VmRSS read once it has been listening for IDLE_SETTLE_MS.
 * The built CLI runs as users run it: bin/dicom-gateway.js with the Node flags of its #! line (this
 * script builds it first through npm run).
 *
 *   npm run bench:start-up [-- --rounds N] [--entry FILE]   (FILE: another build's bin/dicom-gateway.js)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DCMTK_ENV, osChosenPort, startStoreScp } from '../tests/helpers/dcmtk.ts';
import { memoryOf } from '../tests/helpers/processes.ts';
import { gatewayCli, shebangNodeFlags, startGatewayServer, timedRun, type GatewayCli } from './processes.ts';
import { median } from './stats.ts';

/** How long serve is left idle before its RSS is read: start-up garbage is collected by then. */
const IDLE_SETTLE_MS = 3000;
const TIMEOUT_MS = 30_000;

type Measure = 'node -e 0' | 'dicom-gateway --help' | 'dicom-gateway echo' | 'echoscu' | 'serve idle RSS (MB)';

async function timedMs(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const run = await timedRun(command, args, env, TIMEOUT_MS);
  if (run.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return run.seconds * 1000;
}

async function idleRssMb(cli: GatewayCli, storage: string): Promise<number> {
  const server = await startGatewayServer(cli, storage);
  await new Promise((settled) => setTimeout(settled, IDLE_SETTLE_MS));
  const rss = await memoryOf(server.process.pid, 'VmRSS');
  await server.stop();
  if (rss === undefined) throw new Error('serve exited before its idle RSS was read');
  return rss / 1e6;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string', default: '10' }, entry: { type: 'string' } } });
  const rounds = Number(values.rounds);
  const cli = values.entry
    ? { entry: resolve(values.entry), nodeArgs: shebangNodeFlags(resolve(values.entry)), built: true }
    : gatewayCli(resolve(import.meta.dirname, '..'), []);
  if (!cli.built) throw new Error('no built CLI: run `npm run build` (npm run bench:start-up does)');
  const work = await mkdtemp(join(tmpdir(), 'bench-start-up-'));
  const scp = await startStoreScp({ outputDir: work, port: await osChosenPort() });
  const samples = new Map<Measure, number[]>();
  const add = (measure: Measure, value: number) => samples.set(measure, [...(samples.get(measure) ?? []), value]);
  try {
    for (let round = 1; round <= rounds; round++) {
      add('node -e 0', await timedMs(process.execPath, ['-e', '0']));
      add('dicom-gateway --help', await timedMs(process.execPath, [...cli.nodeArgs, cli.entry, '--help']));
      add(
        'dicom-gateway echo',
        await timedMs(process.execPath, [...cli.nodeArgs, cli.entry, 'echo', `${scp.aeTitle}@127.0.0.1:${scp.port}`]),
      );
      add('echoscu', await timedMs('echoscu', ['-aec', scp.aeTitle, '127.0.0.1', String(scp.port)], DCMTK_ENV));
      add('serve idle RSS (MB)', await idleRssMb(cli, join(work, `store-${round}`)));
      process.stdout.write(`round ${round}/${rounds} done\n`);
    }
  } finally {
    await scp.stop();
    await rm(work, { recursive: true, force: true });
  }
  process.stdout.write(
    `\nnpm run bench:start-up -- --rounds ${rounds}${values.entry ? ` --entry ${values.entry}` : ''} (${cli.entry})\n\n| measure | median | range |\n|---|---|---|\n`,
  );
  for (const [measure, values] of samples) {
    const unit = measure.endsWith('(MB)') ? '' : ' ms';
    const f = (v: number) => `${v.toFixed(1)}${unit}`;
    process.stdout.write(`| ${measure} | ${f(median(values))} | ${f(Math.min(...values))}-${f(Math.max(...values))} |\n`);
  }
}

await main();
