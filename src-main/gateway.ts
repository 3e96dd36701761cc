/**
 * The composition root: one Gateway owns the index, the store, the SCP listener and the event
 * stream, and offers send and echo. The CLI, the Electron shell and the browser UI all drive this
 * same object.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isDiskFull, openDatabase, type Database } from './db/database.ts';
import { IndexRepository } from './db/index-repository.ts';
import { echo, type EchoResult } from './dicom/echo-scu.ts';
import type { PeerAddress } from './dicom/peer-address.ts';
import type { SendableFile } from './dicom/sendable-files.ts';
import { StoreScpServer, type ScpConfig } from './dicom/store-scp.ts';
import { sendFiles, type SendResult } from './dicom/store-scu.ts';
import { GatewayEventBus } from './events.ts';
import { silentLogger, type Logger } from './log/logger.ts';
import { DEFAULT_QUEUE_SETTINGS, type Destination, type QueueSettings, type Rule } from './routing/routing-types.ts';
import { InstanceStore, type StoreOptions } from './store/instance-store.ts';
import { InboundAssociations } from './receive/inbound-associations.ts';
import { ReceiveInstance } from './receive/receive-instance.ts';
import type { DigestChain, RetryDeadPreview, Settings } from './api/contract.ts';
import { BrowseQueries } from './db/browse-queries.ts';
import { saveStoredSettings, storedSettings } from './db/stored-settings.ts';
import { digestChain } from './inspect/digest-chain.ts';
import { ForwardQueue } from './routing/forward-queue.ts';
import { JobRepository, type JobRow, type JobState } from './routing/job-repository.ts';
import { JobStateMachine } from './routing/job-state-machine.ts';
import { inThreadSender, workerSender } from './routing/forward-sender.ts';
import { systemClock } from './routing/clock.ts';
import { previewRetryDead } from './routing/retry-dead-preview.ts';
import { compileRules } from './routing/rule-matcher.ts';
import { Router } from './routing/router.ts';
import { RoutingRepository } from './routing/routing-repository.ts';
import { releaseSpareSegments } from './store/journal.ts';
import { INDEX_FILE, JOURNAL_DIR } from './store/store-layout.ts';
import { StoreLock } from './store/store-lock.ts';
import { serverTlsOptions } from './tls/tls-context.ts';
import type { ListenerTls } from './tls/tls-settings.ts';

export interface GatewayConfig extends ScpConfig {
  host: string | undefined;
  port: number;
  storage: string;
  destinations: Destination[];
  /** Evaluated in order for every stored instance; every matching rule forwards. */
  rules: Rule[];
  queue: QueueSettings;
  /** The DICOM TLS listener, beside the plain one; undefined: none. */
  tls?: ListenerTls | undefined;
  /** The desktop app keeps settings changed in its UI in the index; serve takes them from flags and config only. */
  useStoredSettings?: boolean;
  /** Forwarding runs on its own worker thread unless this is false (then on the main thread). */
  forwardThread?: boolean;
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

/**
 * Opens the index. On a disk found full, SQLite cannot even create its WAL companions: the
 * journal's spare segments (the store's reserve) are given up to make room, and the store starts
 * read-only until space returns (InstanceStore).
 */
async function openIndex(storage: string, logger: Logger): Promise<Database> {
  try {
    return openDatabase(join(storage, INDEX_FILE));
  } catch (err) {
    if (!isDiskFull(err) && !/disk I\/O error/i.test((err as Error).message)) throw err;
    const freed = await releaseSpareSegments(join(storage, JOURNAL_DIR));
    logger.error('store.full-at-start', { storage, error: (err as Error).message, freedBytes: freed });
    if (freed === 0) throw err;
    return openDatabase(join(storage, INDEX_FILE));
  }
}

interface RoutingParts {
  routing: RoutingRepository;
  jobs: JobRepository;
  transitions: JobStateMachine;
  router: Router;
}

export class Gateway {
  readonly events: GatewayEventBus;
  readonly config: GatewayConfig;
  readonly logger: Logger;
  private readonly db: Database;
  readonly repo: IndexRepository;
  readonly store: InstanceStore;
  private readonly routing: RoutingRepository;
  private readonly jobRepo: JobRepository;
  private readonly transitions: JobStateMachine;
  private readonly router: Router;
  private readonly queue: ForwardQueue;
  private readonly server: StoreScpServer;
  readonly browse: BrowseQueries;
  private sendCounter = 0;
  private readonly cancelledSends = new Set<number>();
  address: { host: string; port: number } | undefined;
  /** Where the DICOM TLS listener is, when the config has one. */
  tlsAddress: { host: string; port: number } | undefined;

  private readonly lock: StoreLock;

  private constructor(config: GatewayConfig, logger: Logger, db: Database, store: InstanceStore, lock: StoreLock, routing: RoutingParts, events: GatewayEventBus) {
    this.lock = lock;
    this.events = events;
    this.config = config;
    this.logger = logger;
    this.db = db;
    this.repo = new IndexRepository(db);
    this.repo.onBookkeepingError = (what, err) => logger.error('index.write-failed', { what, error: err.message });
    this.store = store;
    this.routing = routing.routing;
    this.jobRepo = routing.jobs;
    this.transitions = routing.transitions;
    this.router = routing.router;
    this.queue = new ForwardQueue({
      jobs: this.jobRepo, transitions: this.transitions, routing: this.routing, storeRoot: config.storage, settings: config.queue,
      defaultCallingAe: config.aeTitle, logger, sender: config.forwardThread === false ? inThreadSender(systemClock) : workerSender(logger),
    });
    this.browse = new BrowseQueries(db);
    this.server = new StoreScpServer({
      config,
      receiver: new ReceiveInstance({ store, events: this.events, logger }),
      associations: new InboundAssociations({ repo: this.repo, events: this.events, logger }),
      listenerError: (err) => logger.error('listener.error', { error: err.message }),
    });
  }

  /** Routing exists before the store, so that the store's replay at start-up routes what it indexes. */
  private static routingParts(
    config: GatewayConfig, db: Database, logger: Logger, events: GatewayEventBus, kick: () => void,
  ): { parts: RoutingParts; store: StoreOptions } {
    const routing = new RoutingRepository(db);
    try {
      routing.seedFromConfig(config.destinations, config.rules);
    } catch (err) {
      // On a full disk the destinations and rules kept from the last start are used.
      if (!isDiskFull(err)) throw err;
      logger.error('routing.seed-failed', { error: (err as Error).message });
    }
    const jobs = new JobRepository(db);
    const transitions = new JobStateMachine(db, jobs, events, logger);
    const router = new Router(routing, transitions, logger);
    let routed = false;
    const store: StoreOptions = {
      logger,
      extraTags: () => router.tagsNeeded,
      onIndexed: (instanceId, meta, fields, context) => {
        const result = router.route(instanceId, meta.sopClassUid, fields, {
          callingAe: context.callingAe ?? '', calledAe: context.calledAe ?? '', peerAddress: context.peer ?? '',
        }, Date.now());
        routed ||= result.queued > 0 || result.waiting > 0;
      },
      // Once per group commit, after it committed: the queue's pump then sees the new jobs.
      onBatchIndexed: () => {
        if (routed) kick();
        routed = false;
      },
    };
    return { parts: { routing, jobs, transitions, router }, store };
  }

  /** Opens the store (recovering anything a crash interrupted), starts the queue, then listens. */
  static async start(config: GatewayConfig, logger: Logger = silentLogger): Promise<Gateway> {
    // Certificates are checked first: a wrong file or passphrase is a clear error before anything starts.
    const tlsOptions = config.tls ? serverTlsOptions(config.tls) : undefined;
    await mkdir(config.storage, { recursive: true });
    // Before anything in the folder is read or cleaned up: another gateway's temp files are not ours.
    const lock = StoreLock.acquire(config.storage);
    let db: Database | undefined;
    let gateway: Gateway | undefined;
    try {
      db = await openIndex(config.storage, logger);
      const events = new GatewayEventBus();
      const routing = Gateway.routingParts(config, db, logger, events, () => gateway?.queue.kick());
      const store = await InstanceStore.open(config.storage, new IndexRepository(db), routing.store);
      if (config.useStoredSettings) Object.assign(config, storedSettings(db));
      gateway = new Gateway(config, logger, db, store, lock, routing.parts, events);
    } catch (err) {
      db?.close();
      lock.release();
      throw err;
    }
    gateway.queue.start();
    try {
      gateway.address = await gateway.server.listen(config.host, config.port);
      if (config.tls) gateway.tlsAddress = await gateway.server.listen(config.host, config.tls.port, tlsOptions);
    } catch (err) {
      await gateway.server.close();
      await gateway.queue.stop();
      await gateway.store.close();
      db.close();
      lock.release();
      throw err;
    }
    logger.info('gateway.listening', { ae: config.aeTitle, host: gateway.address.host, port: gateway.address.port, storage: config.storage });
    if (gateway.tlsAddress) logger.info('gateway.listening-tls', { ae: config.aeTitle, host: gateway.tlsAddress.host, port: gateway.tlsAddress.port });
    return gateway;
  }

  /** Drains: no new associations, the instances in flight (in and out) are finished, then all closes. */
  async stop(): Promise<void> {
    await this.server.close();
    // Everything acknowledged is indexed and routed before the queue stops (jobs it creates are kept for the next start).
    await this.store.close();
    await this.queue.stop();
    this.db.close();
    this.lock.release();
    this.logger.info('gateway.stopped', {});
  }

  /**
   * Starts sending files; progress and results arrive as events tagged with the returned sendId.
   * `done` settles when every file has a result (cancelled files included).
   */
  startSend(files: SendableFile[], peer: PeerAddress, callingAe = this.config.aeTitle): { sendId: number; done: Promise<SendResult[]> } {
    const sendId = ++this.sendCounter;
    const done = sendFiles(files, peer, {
      callingAe,
      maxPduLength: this.config.maxPduLength,
      shouldContinue: () => !this.cancelledSends.has(sendId),
      onProgress: (p) => this.events.emit('send-progress', { sendId, ...p }),
      onResult: (result) => this.events.emit('send-file-done', { sendId, ...result }),
    }).then((results) => {
      const cancelled = this.cancelledSends.delete(sendId);
      const sent = results.filter((r) => r.ok).length;
      this.events.emit('send-finished', { sendId, sent, failed: results.length - sent, cancelled });
      return results;
    });
    return { sendId, done };
  }

  /** Stops a send after the file in flight; the files left are reported as not sent. */
  cancelSend(sendId: number): boolean {
    if (sendId < 1 || sendId > this.sendCounter) return false;
    this.cancelledSends.add(sendId);
    return true;
  }

  echo(peer: PeerAddress, callingAe = this.config.aeTitle): Promise<EchoResult> {
    return echo(peer, { callingAe });
  }

  // --- settings ------------------------------------------------------------------------------

  settings(): Settings {
    const c = this.config;
    return {
      aeTitle: c.aeTitle, port: this.address?.port ?? c.port, storage: c.storage, acceptUnknownSopClasses: c.acceptUnknownSopClasses,
      allowedCallingAes: [...c.allowedCallingAes], maxAssociations: c.maxAssociations, maxPduLength: c.maxPduLength,
    };
  }

  /** Applies and keeps settings; a new port restarts the listener (open associations finish first). */
  async applySettings(changes: Partial<Omit<Settings, 'storage'>>): Promise<Settings> {
    const portChanged = changes.port !== undefined && changes.port !== this.address?.port;
    Object.assign(this.config, changes);
    saveStoredSettings(this.db, changes);
    if (portChanged) {
      await this.server.close();
      this.address = await this.server.listen(this.config.host, this.config.port);
      this.logger.info('gateway.listening', { ae: this.config.aeTitle, host: this.address.host, port: this.address.port });
    }
    const settings = this.settings();
    this.events.emit('settings-changed', settings);
    return settings;
  }

  // --- inspection ----------------------------------------------------------------------------

  async digestChain(instanceId: number): Promise<DigestChain> {
    const row = this.repo.instanceById(instanceId);
    if (!row) throw new Error(`no stored instance with id ${instanceId}`);
    return digestChain({
      instanceId, sopInstanceUid: row.sop_instance_uid, storeRoot: this.store.root, path: row.path,
      datasetOffset: row.dataset_offset, datasetLength: row.dataset_length, receivedSha256: row.dataset_sha256,
      transferSyntaxUid: row.transfer_syntax_uid, sends: this.jobRepo.sendsOf(instanceId),
    });
  }

  /** The absolute path of a stored instance version. */
  instancePath(instanceId: number): string {
    const row = this.repo.instanceById(instanceId);
    if (!row) throw new Error(`no stored instance with id ${instanceId}`);
    return join(this.store.root, row.path);
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
    return this.afterQueueChange(this.transitions.retry(jobId, Date.now()));
  }

  retryDeadJobs(destination: string): number {
    return this.afterQueueChange(this.transitions.retryDead(destination, Date.now()));
  }

  /** What "retry all dead" would retry, and how many of those failed in a way a retry cannot change. */
  retryDeadPreview(destination: string): RetryDeadPreview {
    return previewRetryDead(this.jobRepo, destination);
  }

  /** Every job of `destination` waiting to retry is tried now (a destination that came back). */
  retryDestinationNow(destination: string): number {
    return this.afterQueueChange(this.transitions.retryDestinationNow(destination, Date.now()));
  }

  cancelJob(jobId: number): boolean {
    return this.transitions.cancel(jobId, Date.now());
  }

  /** Queues every latest instance version of a study for `destination` now, whatever was sent before. */
  forwardStudy(studyInstanceUid: string, destination: string): number {
    return this.forwardInstances(this.jobRepo.latestInstancesOfStudy(studyInstanceUid), destination);
  }

  forwardInstances(instanceIds: number[], destination: string): number {
    if (!this.routing.destinations().some((d) => d.name === destination)) throw new Error(`no destination named "${destination}"`);
    const instances = instanceIds.map((id) => {
      const row = this.repo.instanceById(id);
      if (!row) throw new Error(`no stored instance with id ${id}`);
      return { id, study: row.study_instance_uid };
    });
    return this.afterQueueChange(this.transitions.forwardNow(instances, destination, Date.now()));
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
