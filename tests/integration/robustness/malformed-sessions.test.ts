/**
 * One serve process against 2,000+ generated malformed Upper Layer sessions while DCMTK storescu
 * sends 50 instances and echoscu probes it throughout (issue 9, "Robustness suite"): every
 * instance stored byte for byte, every echo answered, every protocol error answered as PS3.8
 * says, RSS bounded, no temp file left. Then 50 silent and 20 trickling connections while a real
 * sender gets through.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoscu, startStoreScp, storescu, type StoreScp } from '../../helpers/dcmtk.ts';
import { writeP10Files } from '../../helpers/dicom-fixtures.ts';
import { startGateway, type GatewayProcess } from '../../helpers/gateway-process.ts';
import { generateSessions } from '../../helpers/malformed-sessions.ts';
import { filesBySopInstance, splitP10 } from '../../helpers/p10-regions.ts';
import { memoryOf } from '../../helpers/processes.ts';
import { session } from '../../helpers/ul-wire.ts';
import { waitFor } from '../../helpers/wait.ts';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.ts';

const SEED = Number(process.env.ROBUSTNESS_SEED ?? 20261130);
const SESSIONS = 2100;
const CONCURRENCY = 8;

let work: string;
let gateway: GatewayProcess;
let scp: StoreScp;
let files: string[];
/** Stored before the baseline is taken, so one-time costs (the filing thread) are not counted as growth. */
let warmUp: string[];

async function rssBytes(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const bytes = await memoryOf(pid, field);
  if (bytes === undefined) throw new Error(`no ${field} for process ${pid}: it is gone`);
  return bytes;
}

beforeAll(async () => {
  work = await makeTempDir('robustness-');
  const config = join(work, 'config.json');
  await writeFile(config, JSON.stringify({ timeouts: { connectSeconds: 3, associationSeconds: 5, pduSeconds: 3 } }));
  gateway = await startGateway({ storage: join(work, 'store'), args: ['--config', config, '--ae', 'GATEWAY'] });
  await mkdir(join(work, 'reference'));
  scp = await startStoreScp({ outputDir: join(work, 'reference') });
  files = await writeP10Files(join(work, 'in'), 50, (i) => ({ seed: 7000 + i }));
  warmUp = await writeP10Files(join(work, 'warm-up'), 1, () => ({ seed: 6999 }));
});

afterAll(async () => {
  await Promise.all([gateway?.stop(), scp?.stop()]);
  await removeDir(work);
});

describe('one serve process under malformed sessions', () => {
  it(`answers ${SESSIONS} generated sessions as PS3.8 says while storescu's 50 instances arrive byte for byte`, async () => {
    const pid = gateway.process.pid!;
    // Warm up (first association, first store: the filing thread starts) before the baseline.
    expect((await echoscu(gateway.port)).code).toBe(0);
    expect((await storescu(gateway.port, warmUp)).code).toBe(0);
    const baseline = await rssBytes(pid, 'VmRSS');
    const cases = generateSessions(SEED, SESSIONS);
    const violations: string[] = [];
    const kinds = new Map<string, number>();
    let next = 0;
    let fuzzing = true;
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++]!;
        kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
        const result = await session(gateway.port, c.parts, { awaitEach: c.awaitEach, deadlineMs: 8000 });
        const problem = c.check(result);
        if (problem) violations.push(`${c.kind}: ${problem}`);
      }
    };
    let echoes = 0;
    const echoFailures: string[] = [];
    const prober = async () => {
      while (fuzzing) {
        const e = await echoscu(gateway.port);
        echoes++;
        if (e.code !== 0) echoFailures.push(e.stderr);
      }
    };
    const started = Date.now();
    const probing = prober();
    const sender = storescu(gateway.port, files);
    const reference = storescu(scp.port, files, { calledAe: scp.aeTitle });
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    fuzzing = false;
    const [toGateway, toReference] = await Promise.all([sender, reference, probing]);
    const seconds = (Date.now() - started) / 1000;
    const peak = await rssBytes(pid, 'VmHWM');

    expect(gateway.process.exitCode, gateway.output().slice(-3000)).toBeNull();
    expect(violations.slice(0, 20), `${violations.length} violations`).toEqual([]);
    expect(toGateway.code, toGateway.stderr).toBe(0);
    expect(toReference.code, toReference.stderr).toBe(0);
    expect(echoFailures).toEqual([]);
    expect(echoes).toBeGreaterThan(0);

    const stored = await filesBySopInstance(join(gateway.storage, 'studies'));
    const expected = await filesBySopInstance(join(work, 'reference'));
    expect(expected.size).toBe(50);
    for (const [sop, file] of expected) {
      const mine = stored.get(sop);
      expect(mine, sop).toBeDefined();
      expect(splitP10(mine!).dataset.equals(splitP10(file).dataset), sop).toBe(true);
    }
    await waitFor('no temp file left', async () => (await readdir(join(gateway.storage, '.incoming'))).length === 0, 15_000);
    const growthMb = (peak - baseline) / 1024 / 1024;
    expect(growthMb).toBeLessThan(50);
    // The figures for docs/robustness.md.
    console.log(
      JSON.stringify({
        seed: SEED,
        sessions: cases.length,
        kinds: kinds.size,
        violations: violations.length,
        crashes: 0,
        echoes,
        seconds: Math.round(seconds),
        baselineRssMb: Math.round(baseline / 1048576),
        peakRssMb: Math.round(peak / 1048576),
        growthMb: Math.round(growthMb),
      }),
    );
  }, 240_000);
});

describe('connections that never associate', () => {
  it('lets a real sender through while 50 silent and 20 trickling connections are open', async () => {
    const sockets: Socket[] = [];
    const open = (n: number) =>
      Promise.all(
        Array.from(
          { length: n },
          () =>
            new Promise<Socket>((resolve) => {
              const s = connect({ host: '127.0.0.1', port: gateway.port }, () => resolve(s));
              s.on('error', () => undefined);
              sockets.push(s);
            }),
        ),
      );
    await open(50);
    const trickling = await open(20);
    const timer = setInterval(() => trickling.forEach((s) => !s.destroyed && s.write(Buffer.from([0x01]))), 200);
    try {
      const result = await storescu(gateway.port, files.slice(0, 5));
      expect(result.code, `${result.stderr}\n${gateway.output().slice(-2000)}`).toBe(0);
      expect((await echoscu(gateway.port)).code).toBe(0);
    } finally {
      clearInterval(timer);
      sockets.forEach((s) => s.destroy());
    }
  });
});
