/**
 * Associations to the destinations, kept open while jobs keep coming. Each destination has up to
 * maxAssociations lanes; a lane is one association taking the next waiting job as soon as it is
 * free, lingering a short while when there is none, then releasing. A job whose (SOP class,
 * syntax) pair was not proposed on the lane's association gets a new association proposing it
 * (at most 128 contexts, the standard's limit), so a new kind of instance never waits for a
 * refusal it did not earn. A destination that allows transcoding gets each job's fallback
 * syntaxes proposed too, each in its own context (dicom/transcode-fallback.ts).
 */
import type { FileReads } from '../dicom/dataset-file.ts';
import { ScuAssociation, ScuError, type ProposedContext } from '../dicom/scu-association.ts';
import { fallbackContext, proposalsFor } from '../dicom/transcode-fallback.ts';
import type { Clock, TimerHandle } from './clock.ts';
import type { ForwardTarget, JobResult, SendJob } from './forward-messages.ts';
import { notSent, storeOverAssociation } from './store-over-association.ts';

const MAX_CONTEXTS_PER_ASSOCIATION = 128;

export interface PoolListener {
  result(result: JobResult): void;
  association(destination: string, event: 'opened' | 'closed'): void;
}

/** A job and when it reached the pool, counted in arrivals. */
interface Arrival {
  job: SendJob;
  seq: number;
}

interface IdleLane {
  give(arrival: Arrival | undefined): void;
}

/** An open association and the last arrival it was negotiated knowing of. */
interface LaneAssociation {
  association: ScuAssociation;
  openedAt: number;
}

const pairOf = (job: SendJob) => `${job.sopClassUid}|${job.transferSyntaxUid}`;
const keyOf = (context: ProposedContext) => `${context.abstractSyntaxUid}|${context.transferSyntaxUids[0]}`;

/** The lanes of one destination, as configured at one time. */
export class DestinationPool {
  readonly target: ForwardTarget;
  private readonly clock: Clock;
  private readonly listener: PoolListener;
  private readonly pending: Arrival[] = [];
  private arrivals = 0;
  private readonly idle: IdleLane[] = [];
  private readonly running = new Set<Promise<void>>();
  /** Pairs this destination was sent before: proposed again, so a mixed study needs one association. */
  private readonly knownPairs = new Map<string, ProposedContext>();
  private opening = 0;
  /** A lane could not open while others were open (the peer's limit): no more lanes until the backlog is gone. */
  private atPeerLimit = false;
  private closing = false;

  private readonly fileReads: FileReads;

  constructor(target: ForwardTarget, clock: Clock, listener: PoolListener, fileReads: FileReads = 'async') {
    this.target = target;
    this.clock = clock;
    this.listener = listener;
    this.fileReads = fileReads;
  }

  add(jobs: SendJob[]): void {
    for (const job of jobs) {
      if (!this.knownPairs.has(pairOf(job))) for (const context of this.proposalsOf(job)) this.knownPairs.set(keyOf(context), context);
      const arrival = { job, seq: ++this.arrivals };
      const lane = this.idle.shift();
      if (lane) lane.give(arrival);
      else this.pending.push(arrival);
    }
    this.grow();
  }

  /** Lanes finish the job in flight and end; the jobs still waiting are handed back. */
  close(): SendJob[] {
    this.closing = true;
    for (const lane of this.idle.splice(0)) lane.give(undefined);
    return this.pending.splice(0).map((a) => a.job);
  }

  /** Settles when every lane has ended. */
  async ended(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  private grow(): void {
    const lanes = this.running.size;
    if (this.pending.length === 0 || lanes === 0) this.atPeerLimit = false;
    // Another lane only for a backlog the open ones do not absorb: one job waiting behind a busy lane is no reason.
    if (this.closing || this.atPeerLimit || this.opening > 0 || this.pending.length <= lanes || lanes >= this.target.maxAssociations)
      return;
    const lane = this.lane().finally(() => {
      this.running.delete(lane);
      this.grow();
    });
    this.running.add(lane);
  }

  private async lane(): Promise<void> {
    // A lane beside others opens before it takes a job: a peer that serves one association at a
    // time (storescp without --fork) answers it only later, and no job should wait for that.
    const spare = this.running.size > 0;
    let current = spare ? await this.openSpare() : undefined;
    if (spare && !current) return;
    try {
      for (;;) {
        const arrival = this.pending.shift() ?? (await this.nextArrival());
        if (!arrival) return;
        if (current && needsNewAssociation(current, arrival)) {
          await this.release(current.association);
          current = undefined;
        }
        if (!current) {
          current = await this.open(arrival);
          if (!current) return;
          this.grow(); // a backlog may use another lane now that this one is up
        }
        // The job waiting next (if no other lane takes it first) has its file read meanwhile.
        const { result, lost, untried } = await storeOverAssociation(current.association, arrival.job, this.pending[0]?.job);
        if (lost) this.listener.association(this.target.name, 'closed');
        // A lingering association the peer closed meanwhile: the job was never tried, give it a fresh one.
        if (untried && arrival.seq > current.openedAt) this.pending.unshift(arrival);
        else this.listener.result(result);
        if (lost) current = undefined;
      }
    } finally {
      if (current) await this.release(current.association);
    }
  }

  /** A job taken but not tried goes first to an idle lane, or to the head of the line. */
  private putBack(arrival: Arrival): void {
    const lane = this.idle.shift();
    if (lane) lane.give(arrival);
    else this.pending.unshift(arrival);
  }

  /** The next job for an idle lane, or undefined once it has lingered long enough (or the pool closes). */
  private nextArrival(): Promise<Arrival | undefined> {
    if (this.closing) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const lane: IdleLane = {
        give: (arrival) => {
          timer.cancel();
          resolve(arrival);
        },
      };
      // give() runs only later, from another turn: the timer exists by then.
      const timer: TimerHandle = this.clock.after(this.target.lingerMs, () => {
        const at = this.idle.indexOf(lane);
        if (at >= 0) this.idle.splice(at, 1);
        resolve(undefined);
      });
      this.idle.push(lane);
    });
  }

  private async openSpare(): Promise<LaneAssociation | undefined> {
    const first = this.pending[0];
    if (!first) return undefined;
    this.opening++;
    const openedAt = this.arrivals;
    try {
      const association = await this.openWithDeadline(this.contextsFor(first.job));
      this.listener.association(this.target.name, 'opened');
      return { association, openedAt };
    } catch {
      this.atPeerLimit = true; // the lanes already open carry the backlog
      return undefined;
    } finally {
      this.opening--;
    }
  }

  private async open(arrival: Arrival): Promise<LaneAssociation | undefined> {
    this.opening++;
    const openedAt = this.arrivals;
    const job = arrival.job;
    try {
      const association = await this.openWithDeadline(this.contextsFor(job));
      this.listener.association(this.target.name, 'opened');
      return { association, openedAt };
    } catch (err) {
      const kind = err instanceof ScuError ? err.kind : 'network';
      if (this.running.size > 1 && !this.closing) {
        // Other lanes are sending: the peer takes no more associations. Let them carry the backlog.
        this.atPeerLimit = true;
        this.putBack(arrival);
        return undefined;
      }
      // Nobody reaches the destination now: every job waiting for it fails the same way, and retries later.
      for (const failed of [job, ...this.pending.splice(0).map((a) => a.job)])
        this.listener.result(notSent(failed, (err as Error).message, kind));
      return undefined;
    } finally {
      this.opening--;
    }
  }

  /**
   * Opens an association, or fails once the connect and association timeouts have both passed: a
   * peer that never answers the A-ASSOCIATE-RQ must not hold a job (and a lane) forever.
   */
  private openWithDeadline(contexts: ProposedContext[]): Promise<ScuAssociation> {
    const { name, peer, callingAe, maxPduLength, connectTimeoutMs, idleTimeoutMs, tls, allowTranscoding } = this.target;
    const opening = ScuAssociation.open(
      peer,
      { callingAe, maxPduLength, connectTimeoutMs, idleTimeoutMs, tls, allowTranscoding, fileReads: this.fileReads },
      contexts,
    );
    return new Promise((resolve, reject) => {
      let late = false;
      const timer = this.clock.after(connectTimeoutMs + idleTimeoutMs, () => {
        late = true;
        reject(new ScuError('timeout', `${name}: no association within ${connectTimeoutMs + idleTimeoutMs} ms`));
      });
      opening.then(
        (association) => {
          timer.cancel();
          if (late) association.abort();
          else resolve(association);
        },
        (err) => {
          timer.cancel();
          reject(err);
        },
      );
    });
  }

  private async release(association: ScuAssociation): Promise<void> {
    await association.release();
    this.listener.association(this.target.name, 'closed');
  }

  /** The job's own (SOP class, syntax) context, then its fallbacks when the destination allows transcoding. */
  private proposalsOf(job: SendJob): ProposedContext[] {
    return proposalsFor(job.sopClassUid, job.transferSyntaxUid, this.target.allowTranscoding === true);
  }

  /** This job's contexts first, then those of the jobs waiting, then those sent before; at most 128. */
  private contextsFor(job: SendJob): ProposedContext[] {
    const contexts = new Map<string, ProposedContext>();
    const propose = (j: SendJob) => {
      const proposals = this.proposalsOf(j);
      // A job goes in whole or not at all: its own syntax without its fallbacks would be refused for nothing.
      if (contexts.size + proposals.length > MAX_CONTEXTS_PER_ASSOCIATION) return;
      for (const context of proposals) contexts.set(keyOf(context), context);
    };
    propose(job);
    for (const waiting of this.pending) {
      if (contexts.size >= MAX_CONTEXTS_PER_ASSOCIATION) break;
      propose(waiting.job);
    }
    for (const [pair, context] of this.knownPairs) {
      if (contexts.size >= MAX_CONTEXTS_PER_ASSOCIATION) break;
      contexts.set(pair, context);
    }
    return [...contexts.values()];
  }
}

/**
 * A job needs another association when its pair was not proposed on this one, or when this one
 * refused it but was negotiated before the job arrived (the peer may take it now: a refusal is
 * believed only from an association that was asked knowing of the job).
 */
function needsNewAssociation(current: LaneAssociation, arrival: Arrival): boolean {
  const { association } = current;
  const { sopClassUid, transferSyntaxUid } = arrival.job;
  if (association.proposalResult(sopClassUid, transferSyntaxUid) === undefined) return true;
  const usable =
    association.acceptedContext(sopClassUid, transferSyntaxUid) ?? fallbackContext(association, sopClassUid, transferSyntaxUid);
  return !usable && arrival.seq > current.openedAt;
}

/** Every destination's pool; a destination whose settings changed gets a new pool, the old one winds down. */
export class AssociationPools {
  private readonly clock: Clock;
  private readonly listener: PoolListener;
  private readonly pools = new Map<string, { key: string; pool: DestinationPool }>();
  private readonly retiring = new Set<DestinationPool>();
  private stopping = false;

  private readonly fileReads: FileReads;

  /** `fileReads`: 'sync' on the forward thread, which has nothing else to do while a file is read. */
  constructor(clock: Clock, listener: PoolListener, fileReads: FileReads = 'async') {
    this.clock = clock;
    this.listener = listener;
    this.fileReads = fileReads;
  }

  send(target: ForwardTarget, jobs: SendJob[]): void {
    if (this.stopping) {
      for (const job of jobs) this.listener.result(notSent(job, 'not sent: the gateway is stopping', 'cancelled'));
      return;
    }
    this.poolFor(target).add(jobs);
  }

  /** The job in flight on each association is finished; every job still waiting is reported not sent. */
  async stop(): Promise<void> {
    this.stopping = true;
    const pools = [...[...this.pools.values()].map((p) => p.pool), ...this.retiring];
    for (const pool of pools) {
      for (const job of pool.close()) this.listener.result(notSent(job, 'not sent: the gateway is stopping', 'cancelled'));
    }
    await Promise.all(pools.map((pool) => pool.ended()));
  }

  private poolFor(target: ForwardTarget): DestinationPool {
    const key = JSON.stringify(target);
    const current = this.pools.get(target.name);
    if (current?.key === key) return current.pool;
    const pool = new DestinationPool(target, this.clock, this.listener, this.fileReads);
    this.pools.set(target.name, { key, pool });
    if (current) {
      this.retiring.add(current.pool);
      pool.add(current.pool.close());
      void current.pool.ended().then(() => this.retiring.delete(current.pool));
    }
    return pool;
  }
}
