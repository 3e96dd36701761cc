/**
 * One timed run of each side of each comparison. Every run gets a fresh receiver folder, checks
 * that every file arrived (a fast run that lost files is not a result), and hands the folder to
 * ctx.outputs, which removes it when the bench ends (received-outputs.ts says why not at once).
 *
 *   receive:  A = storescu -> storescp +B        B = storescu -> dicom-gateway serve
 *   send:     A = storescu -> storescp +B        B = dicom-gateway send -> storescp +B
 *   relay:    storescu -> storescp +B; storescu -> serve (rule) -> storescp +B; and
 *             storescu -> Orthanc (Lua auto-routing) -> storescp +B; relays timed until the
 *             last instance has landed at storescp
 *   concurrent: 4 storescu at once, one study each, to storescp +B, storescp +B --fork, serve
 *   tls-relay: the gateway relay as above, plain, then with both hops over DICOM TLS
 *              (storescu +tls -> serve's TLS listener -> TLS destination -> storescp +B +tls)
 *   transcode: gateway send of the corpus as JPEG lossless to storescp +B +xa (sent as is), and
 *              with --allow-transcoding to storescp +B +xi (implicit VR only: every file decoded)
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DCMTK_ENV, startStoreScp } from '../tests/helpers/dcmtk.ts';
import { jpegLosslessCopy } from './compressed-corpus.ts';
import type { Corpus } from './corpus.ts';
import type { ReceivedOutputs } from './received-outputs.ts';
import { benchTls } from './tls-material.ts';
import { ORTHANC_AE, startOrthanc } from './orthanc.ts';
import { foreignCpuSeconds, kernelThreadsCpuSeconds, processCpuSeconds, systemBusySeconds } from './cpu-load.ts';
import { exitOf, memoryOf } from '../tests/helpers/processes.ts';
import { startBareDurableScp, startGatewayServer, timedRun, type GatewayCli, type TimedRun } from './processes.ts';

const RUN_TIMEOUT_MS = 30 * 60_000;
const GATEWAY_AE = 'GATEWAY';
const STORESCP_AE = 'STORESCP';

/** Peak RSS by process name (storescu, storescp, gateway serve, gateway send); undefined = not measured. */
export type PeakRss = Record<string, number | undefined>;

export interface SideRun {
  seconds: number;
  peakRss: PeakRss;
  /** CPU seconds the machine spent during the run on anything but the measured client, server and bench. */
  foreignCpuSeconds: number | undefined;
}

export interface RunContext {
  corpus: Corpus;
  /** The corpus split into one folder per study, for parallel clients (concurrent scenario). */
  studies: Corpus[];
  /** Parent of the per-run receiver folders (same file system as the system temp dir). */
  workDir: string;
  /** Where a run leaves its receiver folders once done with them. */
  outputs: ReceivedOutputs;
  cli: GatewayCli;
}

export async function receiveByStorescp(ctx: RunContext): Promise<SideRun> {
  return withStoreScp(ctx, (port, pid) => timedClient([pid], () => storescu(ctx, port, STORESCP_AE), 'storescu'));
}

export async function receiveByGateway(ctx: RunContext): Promise<SideRun> {
  const storage = await mkdtemp(join(ctx.workDir, 'gateway-'));
  try {
    const server = await startGatewayServer(ctx.cli, storage);
    let run: SideRun;
    try {
      run = await timedClient([server.process.pid], () => storescu(ctx, server.port, GATEWAY_AE), 'storescu');
    } catch (error) {
      server.process.kill('SIGKILL');
      throw error;
    }
    const { peakRssBytes } = await server.stop();
    run.peakRss['gateway serve'] = peakRssBytes;
    await expectReceived(join(storage, 'studies'), ctx.corpus, 'dicom-gateway serve', true);
    return run;
  } finally {
    ctx.outputs.release(storage);
  }
}

/** The floor: a bare durable SCP on the gateway's wire layer (bench/bare-durable-scp.ts). */
export async function receiveByBareNode(ctx: RunContext): Promise<SideRun> {
  const dir = await mkdtemp(join(ctx.workDir, 'bare-node-'));
  try {
    const server = await startBareDurableScp(dir);
    let run: SideRun;
    try {
      run = await timedClient([server.pid], () => storescu(ctx, server.port, GATEWAY_AE), 'storescu');
    } catch (error) {
      await server.stop().catch(() => undefined);
      throw error;
    }
    const { instances, peakRssBytes } = await server.stop();
    if (instances !== ctx.corpus.files) throw new Error(`bare-durable-scp received ${instances} instances, expected ${ctx.corpus.files}`);
    run.peakRss['bare Node SCP'] = peakRssBytes;
    return run;
  } finally {
    ctx.outputs.release(dir);
  }
}

export function sendByStorescu(ctx: RunContext): Promise<SideRun> {
  return receiveByStorescp(ctx);
}

export function sendByGateway(ctx: RunContext): Promise<SideRun> {
  return gatewaySend(ctx, { filesDir: ctx.corpus.filesDir, sendArgs: [], storescpArgs: [], transcoded: 0 });
}

/** The floor: a bare SCU on the gateway's wire layer (bench/bare-scu.ts). */
export function sendByBareNode(ctx: RunContext): Promise<SideRun> {
  return withStoreScp(ctx, (port, pid) =>
    timedClient(
      [pid],
      async () => {
        const args = [join(import.meta.dirname, 'bare-scu.ts'), STORESCP_AE, '127.0.0.1', String(port), ctx.corpus.filesDir];
        const client = await timedRun(process.execPath, args, process.env, RUN_TIMEOUT_MS);
        if (client.code !== 0) throw new Error(`bare-scu exited with ${client.code}:\n${tail(client.stderr + client.stdout)}`);
        return client;
      },
      'bare Node SCU',
    ),
  );
}

/** The JPEG lossless corpus sent as it is, to a storescp that accepts it. */
export async function sendCompressedAsIs(ctx: RunContext): Promise<SideRun> {
  return gatewaySend(ctx, { filesDir: await jpegLosslessCopy(ctx.corpus), sendArgs: [], storescpArgs: ['+xa'], transcoded: 0 });
}

/** The JPEG lossless corpus to a storescp that accepts implicit VR little endian only: every file is decoded on the way. */
export async function sendCompressedTranscoded(ctx: RunContext): Promise<SideRun> {
  const filesDir = await jpegLosslessCopy(ctx.corpus);
  return gatewaySend(ctx, { filesDir, sendArgs: ['--allow-transcoding'], storescpArgs: ['+xi'], transcoded: ctx.corpus.files });
}

interface GatewaySend {
  filesDir: string;
  sendArgs: string[];
  storescpArgs: string[];
  /** How many files `send` must report as transcoded: a run that converted more or fewer measured something else. */
  transcoded: number;
}

async function gatewaySend(ctx: RunContext, send: GatewaySend): Promise<SideRun> {
  return withStoreScp(
    ctx,
    (port, pid) =>
      timedClient(
        [pid],
        async () => {
          const args = [
            ...ctx.cli.nodeArgs,
            ctx.cli.entry,
            'send',
            '--to',
            `${STORESCP_AE}@127.0.0.1:${port}`,
            '--calling-ae',
            GATEWAY_AE,
            ...send.sendArgs,
            send.filesDir,
          ];
          const client = await timedRun(process.execPath, args, process.env, RUN_TIMEOUT_MS);
          if (client.code !== 0) throw new Error(`dicom-gateway send exited with ${client.code}:\n${tail(client.stderr + client.stdout)}`);
          const transcoded = client.stdout.match(/\(transcoded /g)?.length ?? 0;
          if (transcoded !== send.transcoded)
            throw new Error(`dicom-gateway send transcoded ${transcoded} files, expected ${send.transcoded}`);
          return client;
        },
        'gateway send',
      ),
    send.storescpArgs,
  );
}

/**
 * The gateway as a router: a rule forwards everything it stores to storescp +B. The clock runs from
 * storescu's start until the last instance has landed at storescp (its count, polled), so it covers
 * receive, durable store, queue and forward.
 */
export function relayByGateway(ctx: RunContext): Promise<SideRun> {
  return relayThroughGateway(ctx, PLAIN_RELAY);
}

/** The same relay with both hops over DICOM TLS: what TLS costs the gateway (and its peers). */
export async function relayByGatewayTls(ctx: RunContext): Promise<SideRun> {
  const { pki, server, client } = await benchTls();
  return relayThroughGateway(ctx, {
    storescpArgs: ['+tls', server.key, server.cert, '+cf', pki.caCert],
    destinationTls: `, tls: { ca: ${pki.caCert}, cert: ${client.cert}, key: ${client.key} }`,
    serveArgs: ['--tls-port', '0', '--tls-cert', server.cert, '--tls-key', server.key, '--tls-ca', pki.caCert],
    storescuArgs: ['+tls', client.key, client.cert, '+cf', pki.caCert],
    tls: true,
  });
}

/** How the relay's two hops travel: plain TCP, or DICOM TLS on both. */
interface RelayTransport {
  storescpArgs: string[];
  /** Appended to the destination's YAML mapping. */
  destinationTls: string;
  serveArgs: string[];
  storescuArgs: string[];
  /** storescu sends to serve's TLS port. */
  tls: boolean;
}

const PLAIN_RELAY: RelayTransport = { storescpArgs: [], destinationTls: '', serveArgs: [], storescuArgs: [], tls: false };

async function relayThroughGateway(ctx: RunContext, transport: RelayTransport): Promise<SideRun> {
  const storage = await mkdtemp(join(ctx.workDir, 'relay-'));
  try {
    return await withStoreScp(
      ctx,
      async (port, pid, outputDir) => {
        const config = join(storage, 'relay.yaml');
        await writeFile(
          config,
          [
            `ae: ${GATEWAY_AE}`,
            'destinations:',
            `  - { name: pacs, ae: ${STORESCP_AE}, host: 127.0.0.1, port: ${port}${transport.destinationTls} }`,
            'rules:',
            '  - { name: everything, match: {}, forward: [pacs] }',
          ].join('\n'),
        );
        const server = await startGatewayServer(ctx.cli, join(storage, 'store'), ['--config', config, ...transport.serveArgs], {
          tls: transport.tls,
        });
        try {
          const run = await timedClient(
            [pid, server.process.pid],
            async () => {
              const client = await storescu(ctx, transport.tls ? server.tlsPort! : server.port, GATEWAY_AE, transport.storescuArgs);
              const landed = await untilCount(outputDir, ctx.corpus.files, RUN_TIMEOUT_MS);
              return { ...client, seconds: client.seconds + landed };
            },
            'storescu',
          );
          run.peakRss['gateway serve'] = (await server.stop()).peakRssBytes;
          return run;
        } catch (error) {
          server.process.kill('SIGKILL');
          throw error;
        }
      },
      transport.storescpArgs,
    );
  } finally {
    ctx.outputs.release(storage);
  }
}

/** Orthanc as the router: stored, then sent on by its Lua OnStoredInstance; same clock as the gateway's relay. */
export async function relayByOrthanc(ctx: RunContext): Promise<SideRun> {
  const dir = await mkdtemp(join(ctx.workDir, 'orthanc-'));
  try {
    return await withStoreScp(ctx, async (port, pid, outputDir) => {
      const orthanc = await startOrthanc(dir, { aeTitle: STORESCP_AE, host: '127.0.0.1', port });
      try {
        const run = await timedClient(
          [pid, orthanc.process.pid],
          async () => {
            const client = await storescu(ctx, orthanc.port, ORTHANC_AE);
            const landed = await untilCount(outputDir, ctx.corpus.files, RUN_TIMEOUT_MS);
            return { ...client, seconds: client.seconds + landed };
          },
          'storescu',
        );
        run.peakRss.orthanc = await memoryOf(orthanc.process.pid);
        await orthanc.stop();
        return run;
      } catch (error) {
        orthanc.process.kill('SIGKILL');
        throw error;
      }
    });
  } finally {
    ctx.outputs.release(dir);
  }
}

export function concurrentToStorescp(ctx: RunContext): Promise<SideRun> {
  return withStoreScp(ctx, (port, pid) => timedClient([pid], () => parallelStorescu(ctx, port, STORESCP_AE), 'storescu'));
}

/** storescp forks a process per association, as DCMTK sites run it for parallel senders. */
export function concurrentToStorescpFork(ctx: RunContext): Promise<SideRun> {
  return withStoreScp(ctx, (port, pid) => timedClient([pid], () => parallelStorescu(ctx, port, STORESCP_AE), 'storescu'), ['--fork']);
}

export async function concurrentToGateway(ctx: RunContext): Promise<SideRun> {
  const storage = await mkdtemp(join(ctx.workDir, 'gateway-'));
  try {
    const server = await startGatewayServer(ctx.cli, storage);
    let run: SideRun;
    try {
      run = await timedClient([server.process.pid], () => parallelStorescu(ctx, server.port, GATEWAY_AE), 'storescu');
    } catch (error) {
      server.process.kill('SIGKILL');
      throw error;
    }
    run.peakRss['gateway serve'] = (await server.stop()).peakRssBytes;
    await expectReceived(join(storage, 'studies'), ctx.corpus, 'dicom-gateway serve', true);
    return run;
  } finally {
    ctx.outputs.release(storage);
  }
}

/** One storescu per study, all started at once; timed until the last exits. Peak RSS is the largest client's. */
async function parallelStorescu(ctx: RunContext, port: number, calledAe: string): Promise<TimedRun> {
  if (ctx.studies.length === 0) throw new Error('the concurrent scenario needs the corpus split into studies');
  const started = performance.now();
  const clients = await Promise.all(ctx.studies.map((study) => storescu({ ...ctx, corpus: study }, port, calledAe)));
  const known = <T>(values: (T | undefined)[]) => (values.every((v) => v !== undefined) ? (values as T[]) : undefined);
  const rss = known(clients.map((c) => c.peakRssBytes));
  const cpu = known(clients.map((c) => c.cpuSeconds));
  return {
    seconds: (performance.now() - started) / 1000,
    code: 0,
    stdout: '',
    stderr: '',
    peakRssBytes: rss && Math.max(...rss),
    cpuSeconds: cpu && cpu.reduce((sum, s) => sum + s, 0),
  };
}

/** Seconds until `dir` holds `count` files (storescp writes each file whole before answering). */
async function untilCount(dir: string, count: number, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while ((await readdir(dir)).length < count) {
    if (performance.now() - started > timeoutMs) throw new Error(`only ${(await readdir(dir)).length} of ${count} files reached ${dir}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return (performance.now() - started) / 1000;
}

/** storescu sending the whole corpus folder (of ctx.corpus) in one association. */
async function storescu(ctx: RunContext, port: number, calledAe: string, extraArgs: string[] = []) {
  const args = ['-aet', 'STORESCU', '-aec', calledAe, ...extraArgs, '+sd', '127.0.0.1', String(port), ctx.corpus.filesDir];
  const client = await timedRun('storescu', args, DCMTK_ENV, RUN_TIMEOUT_MS);
  if (client.code !== 0) throw new Error(`storescu -> ${calledAe} exited with ${client.code}:\n${tail(client.stderr + client.stdout)}`);
  return client;
}

/**
 * Runs the client against a running server, and counts the machine's busy CPU time during the run
 * that neither of them (nor the bench) spent.
 */
async function timedClient(serverPids: (number | undefined)[], run: () => Promise<TimedRun>, clientName: string): Promise<SideRun> {
  const systemBefore = await systemBusySeconds();
  const kernelBefore = await kernelThreadsCpuSeconds();
  const serversBefore = await Promise.all(serverPids.map((pid) => processCpuSeconds(pid)));
  const benchBefore = process.cpuUsage();
  const client = await run();
  const bench = process.cpuUsage(benchBefore);
  const serversAfter = await Promise.all(serverPids.map((pid) => processCpuSeconds(pid)));
  const kernel = (await kernelThreadsCpuSeconds()) - kernelBefore;
  const systemBusy = (await systemBusySeconds()) - systemBefore;
  const servers = serverPids.map((_, i) => {
    const [before, after] = [serversBefore[i], serversAfter[i]];
    return before !== undefined && after !== undefined ? after - before : undefined;
  });
  return {
    seconds: client.seconds,
    peakRss: { [clientName]: client.peakRssBytes },
    foreignCpuSeconds: foreignCpuSeconds(systemBusy, [client.cpuSeconds, ...servers, (bench.user + bench.system) / 1e6, kernel]),
  };
}

/** A fresh storescp +B for one run; its peak RSS is read before it is stopped. */
async function withStoreScp(
  ctx: RunContext,
  body: (port: number, pid: number | undefined, outputDir: string) => Promise<SideRun>,
  extraArgs: string[] = [],
): Promise<SideRun> {
  const outputDir = await mkdtemp(join(ctx.workDir, 'storescp-'));
  try {
    const scp = await startStoreScp({ aeTitle: STORESCP_AE, outputDir, extraArgs });
    let run: SideRun;
    try {
      run = await body(scp.port, scp.process.pid, outputDir);
      run.peakRss.storescp = await memoryOf(scp.process.pid);
    } finally {
      await scp.stop();
    }
    await expectReceived(outputDir, ctx.corpus, 'storescp', false);
    return run;
  } finally {
    ctx.outputs.release(outputDir);
  }
}

async function expectReceived(dir: string, corpus: Corpus, receiver: string, recursive: boolean): Promise<void> {
  const entries = await readdir(dir, { recursive, withFileTypes: true });
  const files = entries.filter((e) => e.isFile() && (!recursive || e.name.endsWith('.dcm'))).length;
  if (files !== corpus.files) throw new Error(`${receiver} holds ${files} files in ${dir} after the run, expected ${corpus.files}`);
}

/**
 * Flushes dirty pages between runs: storescp +B does not fsync, and its writeback must not land
 * inside the next run's timing (least of all inside the gateway's fsyncs).
 */
export async function flushFileSystems(): Promise<void> {
  const child = spawn('sync', [], { stdio: 'ignore' });
  const code = await exitOf(child, 'sync', 120_000);
  if (code !== 0) throw new Error(`sync exited with ${code}`);
}

function tail(text: string): string {
  return text.length > 4000 ? '...' + text.slice(-4000) : text;
}
