/**
 * The association pool against scripted associations (ScuAssociation.open replaced), time driven
 * by a manual clock: how many associations jobs get, when they are released, and that no job is
 * lost or charged an attempt for an association that was already gone.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ContextResult } from '../../../src-main/dicom/ul/pdu-constants.ts';
import { ScuAssociation, ScuError, type ProposedContext, type StoreRequest } from '../../../src-main/dicom/scu-association.ts';
import { DestinationPool } from '../../../src-main/routing/association-pool.ts';
import type { JobResult, SendJob } from '../../../src-main/routing/forward-messages.ts';
import { forwardTarget, sendJob } from '../../helpers/destination-fixtures.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const MR = '1.2.840.10008.5.1.4.1.1.4';

/** An association that stores whatever it is asked to, unless told it was lost. */
class ScriptedAssociation {
  readonly peer = { aeTitle: 'PACS', host: '127.0.0.1', port: 104 };
  readonly stored: string[] = [];
  released = false;
  lost = false;
  readonly contexts: ProposedContext[];
  /** What the peer refused when this association was negotiated; fixed from then on, as on the wire. */
  private readonly refuse: Set<string>;
  constructor(contexts: ProposedContext[], refuse: Set<string>) {
    this.contexts = contexts;
    this.refuse = new Set(refuse);
  }
  private proposed(sop: string, ts: string) {
    return this.contexts.some((c) => c.abstractSyntaxUid === sop && c.transferSyntaxUids.includes(ts));
  }
  proposalResult(sop: string, ts: string) {
    if (!this.proposed(sop, ts)) return undefined;
    return this.refuse.has(sop) ? ContextResult.AbstractSyntaxNotSupported : ContextResult.Acceptance;
  }
  acceptedContext(sop: string, ts: string) {
    return this.proposed(sop, ts) && !this.refuse.has(sop) ? { id: 1, abstractSyntaxUid: sop, transferSyntaxUid: ts } : undefined;
  }
  get isLost() {
    return this.lost;
  }
  async store(request: StoreRequest) {
    if (this.lost) throw new ScuError('network', 'PACS@127.0.0.1:104 closed the connection');
    this.stored.push(request.sopInstanceUid);
    return { response: { getStatus: () => 0, getErrorComment: () => undefined }, sha256: 'f'.repeat(64) };
  }
  async release() {
    this.released = true;
  }
  abort() {}
}

const job = (jobId: number, sopClassUid = CT): SendJob => sendJob(jobId, { sopClassUid });
const target = (maxAssociations = 1) => forwardTarget({ connectTimeoutMs: 1000, idleTimeoutMs: 1000, maxAssociations });

/** Lets every pending promise callback run (the scripted associations answer at once). */
const drain = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise((resolve) => setImmediate(resolve));
};

describe('DestinationPool', () => {
  let clock: ManualClock;
  let results: JobResult[];
  let opened: ScriptedAssociation[];
  let refuse: Set<string>;
  let openFails: Error | undefined;
  let pool: DestinationPool;

  beforeEach(() => {
    clock = new ManualClock();
    results = [];
    opened = [];
    refuse = new Set();
    openFails = undefined;
    vi.spyOn(ScuAssociation, 'open').mockImplementation(async (_peer, _opts, contexts) => {
      if (openFails) throw openFails;
      const association = new ScriptedAssociation(contexts, refuse);
      opened.push(association);
      return association as unknown as ScuAssociation;
    });
    pool = new DestinationPool(target(), clock, { result: (r) => results.push(r), association: () => undefined });
  });
  afterEach(() => vi.restoreAllMocks());

  it('feeds jobs arriving one by one to the one open association, and releases it once it has lingered idle', async () => {
    for (let n = 1; n <= 5; n++) {
      pool.add([job(n)]);
      await drain();
      clock.advance(1500); // less than the linger between arrivals
    }
    expect(opened).toHaveLength(1);
    expect(opened[0]!.stored).toEqual(['1.2.3.1', '1.2.3.2', '1.2.3.3', '1.2.3.4', '1.2.3.5']);
    expect(opened[0]!.released).toBe(false);
    clock.advance(600);
    await drain();
    expect(opened[0]!.released).toBe(true);
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true, true]);
    await pool.ended();
  });

  it('opens a new association for a pair not proposed yet, proposing it with the pairs sent before', async () => {
    pool.add([job(1, CT)]);
    await drain();
    pool.add([job(2, MR)]);
    await drain();
    pool.add([job(3, CT)]);
    await drain();
    expect(opened).toHaveLength(2);
    expect(opened[0]!.released).toBe(true);
    expect(opened[1]!.contexts.map((c) => c.abstractSyntaxUid).sort()).toEqual([CT, MR].sort());
    expect(opened[1]!.stored).toEqual(['1.2.3.2', '1.2.3.3']);
    pool.close();
    await pool.ended();
  });

  it('proposes at most 128 contexts, and opens another association for a pair left out', async () => {
    const jobs = Array.from({ length: 130 }, (_, i) => job(i + 1, `1.2.826.0.1.3680043.9.7777.${i + 1}`));
    pool.add(jobs);
    await drain();
    expect(opened.map((a) => a.contexts.length)).toEqual([128, 128]);
    expect(opened[0]!.stored).toHaveLength(128);
    expect(opened[1]!.stored).toEqual(['1.2.3.129', '1.2.3.130']);
    expect(results.every((r) => r.ok)).toBe(true);
    pool.close();
    await pool.ended();
  });

  it('believes a refusal only from an association negotiated after the job came', async () => {
    refuse.add(MR);
    pool.add([job(1, MR)]);
    await drain();
    expect(results[0]).toMatchObject({ jobId: 1, ok: false, failureKind: 'sop-class-refused' });
    refuse.clear(); // the peer was reconfigured meanwhile
    pool.add([job(2, MR)]);
    await drain();
    expect(opened).toHaveLength(2);
    expect(results[1]).toMatchObject({ jobId: 2, ok: true });
    pool.close();
    await pool.ended();
  });

  it('charges no attempt to a job whose lingering association the peer had closed: it goes out on a new one', async () => {
    pool.add([job(1)]);
    await drain();
    opened[0]!.lost = true;
    pool.add([job(2)]);
    await drain();
    expect(opened).toHaveLength(2);
    expect(results.map((r) => [r.jobId, r.ok])).toEqual([
      [1, true],
      [2, true],
    ]);
    pool.close();
    await pool.ended();
  });

  it('fails every waiting job with the reason when the destination cannot be reached, and hands back none twice', async () => {
    openFails = new ScuError('connection-refused', 'cannot connect to PACS@127.0.0.1:104: ECONNREFUSED');
    pool.add([job(1), job(2), job(3)]);
    await drain();
    expect(results.map((r) => [r.jobId, r.failureKind])).toEqual([
      [1, 'connection-refused'],
      [2, 'connection-refused'],
      [3, 'connection-refused'],
    ]);
    expect(results[0]!.error).toMatch(/ECONNREFUSED/);
    await pool.ended();
    expect(pool.close()).toEqual([]);
  });

  it('hands back the jobs still waiting when closed, after the one in flight', async () => {
    pool.add([job(1), job(2), job(3)]);
    const waiting = pool.close();
    await pool.ended();
    expect(waiting.map((j) => j.jobId)).toEqual([2, 3]);
    expect(results.map((r) => r.jobId)).toEqual([1]);
  });
});
