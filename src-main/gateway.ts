/**
 * The composition root: one Gateway owns the index, the store, the SCP listener and the event
 * stream, and offers send and echo. The CLI, the Electron shell and the browser UI all drive this
 * same object.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openDatabase, transaction, type Database } from './db/database.ts';
import { IndexRepository } from './db/index-repository.ts';
import { Implementation } from './dicom/dimse-library.ts';
import { echo, type EchoResult } from './dicom/echo-scu.ts';
import type { PeerAddress } from './dicom/peer-address.ts';
import type { SendableFile } from './dicom/sendable-files.ts';
import { StoreScpServer, type ScpConfig } from './dicom/store-scp.ts';
import { sendFiles, type SendResult } from './dicom/store-scu.ts';
import { GatewayEventBus } from './events.ts';
import { silentLogger, type Logger } from './log/logger.ts';
import { DEFAULT_QUEUE_SETTINGS, type Destination, type QueueSettings, type Rule } from './routing/routing-types.ts';
import { InstanceStore } from './store/instance-store.ts';
import { ForwardQueue } from './routing/forward-queue.ts';
import { JobRepository, type JobRow, type JobState } from './routing/job-repository.ts';
import { compileRules } from './routing/rule-matcher.ts';
import { Router } from './routing/router.ts';
import { RoutingRepository } from './routing/routing-repository.ts';
import { INDEX_FILE } from './store/store-layout.ts';

export interface GatewayConfig extends ScpConfig {
  host: string | undefined;
  port: number;
  storage: string;
  destinations: Destination[];
  /** Evaluated in order for every stored instance; every matching rule forwards. */
  rules: Rule[];
  queue: QueueSettings;
}

export const DEFAULT_CONFIG: GatewayConfig = {
  aeTitle: 'GATEWAY',
  host: undefined,
  port: 11112,
  storage: './gateway-data',
  maxPduLength: 65536,
  allowedCallingAes: [],
  acceptUnknownSopClasses: true,
  maxAssociations: 32,
  connectTimeoutMs: 30_000,
  associationTimeoutMs: 60_000,
  pduTimeoutMs: 60_000,
  destinations: [],
  rules: [],
  queue: DEFAULT_QUEUE_SETTINGS,
};

export class Gateway {
  readonly events = new GatewayEventBus();
  readonly config: GatewayConfig;
  readonly logger: Logger;
  private readonly db: Database;
  readonly repo: IndexRepository;
  readonly store: InstanceStore;
  private readonly routing: RoutingRepository;
  private readonly jobRepo: JobRepository;
  private readonly router: Router;
  private readonly queue: ForwardQueue;
  private readonly server: StoreScpServer;
  private sendCounter = 0;
  address: { host: string; port: number } | undefined;

  private constructor(config: GatewayConfig, logger: Logger, db: Database, store: InstanceStore) {
    this.config = config;
    this.logger = logger;
    this.db = db;
    this.repo = new IndexRepository(db);
    this.store = store;
    this.routing = new RoutingRepository(db);
    this.routing.seedFromConfig(config.destinations, config.rules);
    this.jobRepo = new JobRepository(db);
    this.router = new Router(this.routing, this.jobRepo, logger);
    this.queue = new ForwardQueue({
      db, jobs: this.jobRepo, routing: this.routing, storeRoot: config.storage, settings: config.queue,
      defaultCallingAe: config.aeTitle, events: this.events, logger,
    });
    store.extraTags = () => this.router.tagsNeeded;
    store.onIndexed = (instanceId, meta, fields, context) => {
      const routed = this.router.route(instanceId, meta.sopClassUid, fields, {
        callingAe: context.callingAe ?? '', calledAe: context.calledAe ?? '', peerAddress: context.peer ?? '',
      }, Date.now());
      // The pump runs after this transaction commits (kick defers it), so it sees the new jobs.
      if (routed.queued > 0 || routed.waiting > 0) this.queue.kick();
    };
    this.server = new StoreScpServer({ config, store, repo: this.repo, events: this.events, logger });
  }

  /** Opens the store (recovering anything a crash interrupted), starts the queue, then listens. */
  static async start(config: GatewayConfig, logger: Logger = silentLogger): Promise<Gateway> {
    Implementation.setMaxPduLength(config.maxPduLength);
    await mkdir(config.storage, { recursive: true });
    const db = openDatabase(join(config.storage, INDEX_FILE));
    const store = await InstanceStore.open(config.storage, new IndexRepository(db));
    const gateway = new Gateway(config, logger, db, store);
    gateway.queue.start();
    gateway.address = await gateway.server.listen(config.host, config.port);
    logger.info('gateway.listening', { ae: config.aeTitle, host: gateway.address.host, port: gateway.address.port, storage: config.storage });
    return gateway;
  }

  /** Drains: no new associations, the instances in flight (in and out) are finished, then all closes. */
  async stop(): Promise<void> {
    await this.server.close();
    await this.queue.stop();
    this.db.close();
    this.logger.info('gateway.stopped', {});
  }

  async send(files: SendableFile[], peer: PeerAddress, callingAe = this.config.aeTitle): Promise<SendResult[]> {
    const sendId = ++this.sendCounter;
    return sendFiles(files, peer, {
      callingAe,
      maxPduLength: this.config.maxPduLength,
      onProgress: (p) => this.events.emit('send-progress', { sendId, ...p }),
      onResult: (result) => this.events.emit('send-file-done', { sendId, ...result }),
    });
  }

  echo(peer: PeerAddress, callingAe = this.config.aeTitle): Promise<EchoResult> {
    return echo(peer, { callingAe });
  }

  // --- routing: destinations, rules, jobs ---------------------------------------------------

  destinations(): Destination[] {
    return this.routing.destinations();
  }

  saveDestination(destination: Destination): void {
    this.routing.saveDestination(destination);
    this.routingChanged();
  }

  deleteDestination(name: string): boolean {
    const deleted = this.routing.deleteDestination(name);
    this.routingChanged();
    return deleted;
  }

  rules(): Rule[] {
    return this.routing.rules();
  }

  /** Replaces the ordered rule list; an invalid rule is refused (the error names it) and nothing changes. */
  saveRules(rules: Rule[]): void {
    compileRules(rules);
    this.routing.saveRules(rules);
    this.routingChanged();
  }

  jobs(filter: { state?: JobState; destination?: string; limit?: number } = {}): JobRow[] {
    return this.jobRepo.list(filter);
  }

  jobAttempts(jobId: number): Record<string, unknown>[] {
    return this.jobRepo.attemptsOf(jobId);
  }

  queueCounts(): { destination: string; state: JobState; n: number }[] {
    return this.jobRepo.counts();
  }

  retryJob(jobId: number): boolean {
    return this.afterQueueChange(this.jobRepo.retry(jobId, Date.now()));
  }

  retryDeadJobs(destination: string): number {
    return this.afterQueueChange(this.jobRepo.retryDead(destination, Date.now()));
  }

  cancelJob(jobId: number): boolean {
    return this.jobRepo.cancel(jobId, Date.now());
  }

  /** Queues every latest instance version of a study for `destination` now, whatever was sent before. */
  forwardStudy(studyInstanceUid: string, destination: string): number {
    return this.forwardInstances(this.jobRepo.latestInstancesOfStudy(studyInstanceUid), destination);
  }

  forwardInstances(instanceIds: number[], destination: string): number {
    if (!this.routing.destinations().some((d) => d.name === destination)) throw new Error(`no destination named "${destination}"`);
    const now = Date.now();
    transaction(this.db, () => {
      for (const id of instanceIds) {
        const row = this.repo.instanceById(id);
        if (!row) throw new Error(`no stored instance with id ${id}`);
        this.jobRepo.addOrRequeue(id, destination, null, row.study_instance_uid, now);
      }
    });
    return this.afterQueueChange(instanceIds.length);
  }

  private afterQueueChange<T>(result: T): T {
    this.queue.kick();
    return result;
  }

  private routingChanged(): void {
    this.router.reload();
    this.queue.kick();
  }
}
