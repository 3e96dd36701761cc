/**
 * Routing with real peers: DCMTK storescp +B destinations and a second gateway as a destination.
 * The router is the in-process engine; instances arrive over the network from storescu or from
 * the gateway's own SCU.
 */
import { readFile, readdir, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { collectSendableFiles } from '../../src-main/dicom/sendable-files.ts';
import { sendFiles } from '../../src-main/dicom/store-scu.ts';
import { DEFAULT_CONFIG, Gateway, type GatewayConfig } from '../../src-main/gateway.ts';
import { createLogger } from '../../src-main/log/logger.ts';
import type { Rule } from '../../src-main/api/types/routing.ts';
import { osChosenPort, startStoreScp, storescu, type StoreScp } from '../helpers/dcmtk.ts';
import { destination } from '../helpers/destination-fixtures.ts';
import { SopClass, writeP10Files } from '../helpers/dicom-fixtures.ts';
import { splitP10 } from '../helpers/p10-regions.ts';
import { waitFor } from '../helpers/wait.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';
import { cleanUpAfterEachTest } from '../helpers/test-cleanup.ts';

/** A destination on `port`: a storescp unless another AE title is given. */
const peer = (name: string, port: number, aeTitle = 'STORESCP') => destination(name, { port, aeTitle });

function rule(name: string, forward: string[], match: Rule['match'] = {}, studyQuietSeconds?: number): Rule {
  return { name, enabled: true, match, forward, studyQuietSeconds };
}

describe('routing', () => {
  let work: string;
  const cleanup = cleanUpAfterEachTest();
  beforeEach(async () => (work = cleanup.removeAfter(await makeTempDir('routing-'))));

  async function gateway(config: Partial<GatewayConfig>, name = 'router'): Promise<Gateway> {
    const g = await Gateway.start({ ...DEFAULT_CONFIG, host: '127.0.0.1', port: 0, storage: join(work, name), ...config });
    cleanup.stopAfter(g);
    return g;
  }

  async function storeScp(opts: Parameters<typeof startStoreScp>[0] = {}): Promise<StoreScp> {
    const scp = await startStoreScp({ outputDir: await mkdtemp(join(work, 'scp-')), ...opts });
    cleanup.stopAfter(scp);
    return scp;
  }

  /** Resolves when every job of the gateway has reached `state` (or fails at the deadline). */
  function allJobs(g: Gateway, count: number, state: string, timeoutMs = 30_000) {
    return waitFor(
      `${count} jobs ${state}`,
      () => {
        const jobs = g.jobRepo.list({});
        return jobs.length === count && jobs.every((j) => j.state === state) ? jobs : undefined;
      },
      timeoutMs,
    );
  }

  async function datasetRegionsIn(dir: string): Promise<Buffer[]> {
    const names = (await readdir(dir)).filter((n) => !n.startsWith('.'));
    return Promise.all(names.map(async (n) => splitP10(await readFile(join(dir, n))).dataset));
  }

  it('routes CT to one storescp +B and MR to another; what lands is byte-identical to what the gateway received', async () => {
    const [ctScp, mrScp] = [await storeScp(), await storeScp()];
    const g = await gateway({
      destinations: [peer('ct-pacs', ctScp.port), peer('mr-pacs', mrScp.port)],
      rules: [rule('ct', ['ct-pacs'], { modality: 'CT' }), rule('mr', ['mr-pacs'], { modality: 'MR' })],
    });
    const ct = await writeP10Files(join(work, 'ct'), 3, (i) => ({
      seed: 300 + i,
      sopClassUid: SopClass.CT,
      modality: 'CT',
      edgeCases: i === 0,
    }));
    const mr = await writeP10Files(join(work, 'mr'), 2, (i) => ({ seed: 400 + i, sopClassUid: SopClass.MR, modality: 'MR' }));
    expect((await storescu(g.address!.port, [...ct, ...mr])).code).toBe(0);
    const jobs = await allJobs(g, 5, 'sent');
    expect(new Set(jobs.map((j) => j.destination))).toEqual(new Set(['ct-pacs', 'mr-pacs']));

    const storedRegions = async (modality: string) => {
      const rows = g.repo.database.prepare('SELECT path FROM instances WHERE modality = ?').all(modality) as { path: string }[];
      return Promise.all(rows.map(async (r) => splitP10(await readFile(join(g.store.root, r.path))).dataset));
    };
    const sameBytes = (a: Buffer[], b: Buffer[]) =>
      expect(a.map((x) => x.toString('base64')).sort()).toEqual(b.map((x) => x.toString('base64')).sort());
    sameBytes(await datasetRegionsIn(ctScp.outputDir), await storedRegions('CT'));
    sameBytes(await datasetRegionsIn(mrScp.outputDir), await storedRegions('MR'));
    expect(jobs.every((j) => j.deliveries === 1 && j.sent_sha256)).toBe(true);
  });

  it('announces each instance as stored before the jobs that forward it, in the events and the log', async () => {
    const scp = await storeScp();
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', write: (line) => lines.push(line) });
    const g = await Gateway.start(
      {
        ...DEFAULT_CONFIG,
        host: '127.0.0.1',
        port: 0,
        storage: join(work, 'ordered'),
        destinations: [peer('pacs', scp.port)],
        rules: [rule('all', ['pacs'])],
      },
      logger,
    );
    cleanup.stopAfter(g);
    const told: string[] = [];
    g.events.on('instance-stored', (e) => told.push(`stored ${e.sopInstanceUid}`));
    g.events.on('job-updated', (e) => told.push(`${e.state} ${e.sopInstanceUid}`));
    const files = await writeP10Files(join(work, 'ordered-src'), 20, (i) => ({ seed: 700 + i }));
    expect((await storescu(g.address!.port, files)).code).toBe(0);
    await allJobs(g, 20, 'sent');

    const uids = [...new Set(told.map((t) => t.split(' ')[1]!))];
    expect(uids).toHaveLength(20);
    for (const uid of uids) {
      const order = told.filter((t) => t.endsWith(` ${uid}`)).map((t) => t.split(' ')[0]);
      expect(order, uid).toEqual(['stored', 'queued', 'sending', 'sent']);
    }
    const logOrder = (uid: string) =>
      lines.filter((l) => l.includes(uid) && /instance\.stored|job\.queued/.test(l)).map((l) => /instance\.stored|job\.queued/.exec(l)![0]);
    for (const uid of uids) expect(logOrder(uid), uid).toEqual(['instance.stored', 'job.queued']);
  });

  it('retries a destination that is down, with recorded backoff, and delivers each instance once when it comes up', async () => {
    const port = await osChosenPort();
    const g = await gateway({
      destinations: [peer('late', port)],
      rules: [rule('all', ['late'])],
      queue: { maxAttempts: 10, backoffBaseSeconds: 0.2, backoffMaxSeconds: 1, batchSize: 100, lingerSeconds: 2 },
    });
    const files = await writeP10Files(join(work, 'src'), 3, (i) => ({ seed: 500 + i }));
    const { files: sendable } = await collectSendableFiles(files);
    expect(
      (await sendFiles(sendable, { aeTitle: 'GATEWAY', host: '127.0.0.1', port: g.address!.port }, { callingAe: 'MODALITY' })).every(
        (r) => r.ok,
      ),
    ).toBe(true);

    await waitFor(
      'two failed attempts per job',
      () => g.jobs().length === 3 && g.jobs().every((j) => j.attempts >= 2 && j.state === 'retry-wait'),
    );
    const scp = await storeScp({ port });
    const jobs = await allJobs(g, 3, 'sent');

    for (const job of jobs) {
      const attempts = g.jobRepo.attemptsOf(job.id);
      expect(attempts.at(-1)!.outcome).toBe('sent');
      const failed = attempts.slice(0, -1);
      expect(failed.length).toBeGreaterThanOrEqual(2);
      expect(failed.every((a) => a.outcome === 'retry' && a.failure_kind === 'connection-refused' && (a.backoff_ms ?? 0) > 0)).toBe(true);
      expect(job.deliveries).toBe(1);
    }
    expect((await readdir(scp.outputDir)).length).toBe(3);
  });

  it('dead-letters at once when the destination does not take the SOP class, and a manual retry delivers it once fixed, numbered after the first attempt', async () => {
    const port = await osChosenPort();
    let scp = await storeScp({ port }); // not promiscuous: refuses SOP classes it does not know
    const g = await gateway({ destinations: [peer('strict', port)], rules: [rule('all', ['strict'])] });
    const [file] = await writeP10Files(join(work, 'private'), 1, { seed: 600, sopClassUid: '1.2.826.0.1.3680043.9.7777.42' });
    const { files } = await collectSendableFiles([file!]);
    await sendFiles(files, { aeTitle: 'GATEWAY', host: '127.0.0.1', port: g.address!.port }, { callingAe: 'MODALITY' });

    const [dead] = await allJobs(g, 1, 'dead');
    expect(dead!.attempts).toBe(1);
    expect(dead!.failure_kind).toBe('sop-class-refused');
    expect(dead!.last_error).toMatch(/does not accept SOP class 1\.2\.826\.0\.1\.3680043\.9\.7777\.42/);

    // "Retry all dead" says first that it would fail the same way, and leaves the job alone.
    const refusedAgain = g.retryDead('strict');
    expect(refusedAgain).toEqual({ retried: 0, permanent: [{ reason: expect.stringMatching(/does not accept SOP class/), count: 1 }] });
    expect(g.jobs()[0]!.state).toBe('dead');

    await scp.stop();
    scp = await storeScp({ port, extraArgs: ['-pm'] }); // fixed: promiscuous mode takes unknown SOP classes
    expect(g.retryJob(dead!.id)).toBe(true);
    const [sent] = await allJobs(g, 1, 'sent');
    expect(sent!.deliveries).toBe(1);
    expect((await readdir(scp.outputDir)).length).toBe(1);
    // The manual retry continues the history: attempts are numbered across it and the total is kept.
    expect(sent!.attempts).toBe(2);
    const attempts = g.jobAttempts(sent!.id) as { attempt: number; outcome: string }[];
    expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'dead'],
      [2, 'sent'],
    ]);
  });

  it('"retry now" sends the jobs of a destination that came back at once, not at the end of their backoff', async () => {
    const port = await osChosenPort();
    const g = await gateway({
      destinations: [peer('late', port)],
      rules: [rule('all', ['late'])],
      queue: { maxAttempts: 10, backoffBaseSeconds: 600, backoffMaxSeconds: 600, batchSize: 100, lingerSeconds: 2 },
    });
    const files = await writeP10Files(join(work, 'src'), 3, (i) => ({ seed: 700 + i }));
    const { files: sendable } = await collectSendableFiles(files);
    await sendFiles(sendable, { aeTitle: 'GATEWAY', host: '127.0.0.1', port: g.address!.port }, { callingAe: 'MODALITY' });
    await waitFor('every job waiting ten minutes', () => g.jobs().length === 3 && g.jobs().every((j) => j.state === 'retry-wait'));
    const scp = await storeScp({ port });
    expect(g.retryDestinationNow('late')).toBe(3);
    await allJobs(g, 3, 'sent', 20_000);
    expect((await readdir(scp.outputDir)).length).toBe(3);
  });

  it('forwards a study sent in two bursts once to each destination, after it has been quiet, in one association each', async () => {
    const receiver = await gateway({ aeTitle: 'ARCHIVE' }, 'archive');
    let associations = 0;
    let instances = 0;
    receiver.events.on('association-opened', () => associations++);
    receiver.events.on('instance-stored', () => instances++);
    // Two destinations, one receiver: what the second sends arrives there as duplicates.
    const g = await gateway({
      destinations: [peer('archive', receiver.address!.port, 'ARCHIVE'), peer('copy', receiver.address!.port, 'ARCHIVE')],
      rules: [rule('whole-study', ['archive', 'copy'], {}, 1.5)],
    });
    const study = { studyInstanceUid: '1.2.826.0.1.3680043.9.7777.900', seriesInstanceUid: '1.2.826.0.1.3680043.9.7777.900.1' };
    const burst = async (from: number) => {
      const paths = await writeP10Files(join(work, `burst-${from}`), 3, (i) => ({ seed: from + i, ...study, instanceNumber: from + i }));
      const { files } = await collectSendableFiles(paths);
      return sendFiles(files, { aeTitle: 'GATEWAY', host: '127.0.0.1', port: g.address!.port }, { callingAe: 'MODALITY' });
    };
    await burst(700);
    await burst(710);
    expect(instances).toBe(0); // nothing forwarded while the study is still arriving
    // What the Queue shows meanwhile: the study, whose it is, where and when it goes.
    await g.store.indexed();
    const lookups = vi.spyOn(g.browse, 'study');
    const waiting = g.studiesAwaitingQuiet();
    expect(lookups).toHaveBeenCalledTimes(1); // the study once, whatever the number of destinations
    expect(waiting.map((w) => w.destination).sort()).toEqual(['archive', 'copy']);
    for (const w of waiting) {
      expect(w).toMatchObject({ studyInstanceUid: study.studyInstanceUid, rule: 'whole-study', quietSeconds: 1.5 });
      expect(w.study?.instanceCount).toBe(6);
      expect(Date.parse(w.forwardsAt) - Date.parse(w.lastReceivedAt)).toBe(1500);
    }
    await allJobs(g, 12, 'sent');
    expect(g.studiesAwaitingQuiet()).toEqual([]);
    // instance-stored is told once the receiver has filed and indexed, just after its answer.
    await waitFor('6 instances stored at the archive', () => instances >= 6);
    expect(instances).toBe(6);
    expect(associations).toBe(2);
  });
});
