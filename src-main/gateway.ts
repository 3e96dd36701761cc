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
import type { DigestChain, PermanentFailure, Settings } from './api/contract.ts';
import { permanentFailures } from './routing/permanent-failures.ts';
import { BrowseQueries } from './db/browse-queries.ts';
import { saveStoredSettings, storedSettings } from './db/stored-settings.ts';
import { EDITABLE_SETTINGS, FixedSettingError, type EditableSettings, type FixedSettings, type SettingKey, type SettingSource } from './config/setting-sources.ts';
import { digestChain } from './inspect/digest-chain.ts';
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
  /**
   * Settings a command-line flag or the config file set for this run: they win over what the UI
   * saved. Every other editable setting takes the value saved in the UI, if any (see setting-sources.ts).
   */
  fixedSettings?: FixedSettings;
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
  readonly browse: BrowseQueries;
  /** Editable settings whose value is the one saved in the UI. */
  private readonly savedKeys = new Set<SettingKey>();
  private sendCounter = 0;
  private readonly cancelledSends = new Set<number>();
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
    this.browse = new BrowseQueries(db);
    this.server = new StoreScpServer({ config, store, repo: this.repo, events: this.events, logger });
  }

  /** Opens the store (recovering anything a crash interrupted), starts the queue, then listens. */
  static async start(config: GatewayConfig, logger: Logger = silentLogger): Promise<Gateway> {
    Implementation.setMaxPduLength(config.maxPduLength);
    await mkdir(config.storage, { recursive: true });
    const db = openDatabase(join(config.storage, INDEX_FILE));
    const store = await InstanceStore.open(config.storage, new IndexRepository(db));
    const saved = storedSettings(db);
    const usable = EDITABLE_SETTINGS.filter((key) => saved[key] !== undefined && !config.fixedSettings?.[key]);
    for (const key of usable) Object.assign(config, { [key]: saved[key] });
    const gateway = new Gateway(config, logger, db, store);
    for (const key of usable) gateway.savedKeys.add(key);
    gateway.queue.start();
    try {
      gateway.address = await gateway.server.listen(config.host, config.port);
    } catch (err) {
      await gateway.queue.stop();
      db.close();
      throw err;
    }
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
    const sources = Object.fromEntries(EDITABLE_SETTINGS.map((key) => [key, this.sourceOf(key)])) as Record<SettingKey, SettingSource>;
    return {
      aeTitle: c.aeTitle, port: this.address?.port ?? c.port, storage: c.storage, acceptUnknownSopClasses: c.acceptUnknownSopClasses,
      allowedCallingAes: [...c.allowedCallingAes], maxAssociations: c.maxAssociations, maxPduLength: c.maxPduLength, sources,
    };
  }

  private sourceOf(key: SettingKey): SettingSource {
    return this.config.fixedSettings?.[key] ?? (this.savedKeys.has(key) ? { kind: 'saved' } : { kind: 'default' });
  }

  /**
   * Applies and keeps settings; a new port restarts the listener (open associations finish first).
   * A setting a flag or the config file fixed is refused: the next start would undo it.
   */
  async applySettings(changes: Partial<EditableSettings>): Promise<Settings> {
    const current = this.settings();
    for (const key of EDITABLE_SETTINGS) {
      const fixed = this.config.fixedSettings?.[key];
      if (fixed && changes[key] !== undefined && JSON.stringify(changes[key]) !== JSON.stringify(current[key])) {
        throw new FixedSettingError(key, fixed);
      }
    }
    const portChanged = changes.port !== undefined && changes.port !== this.address?.port;
    Object.assign(this.config, changes);
    if (changes.maxPduLength !== undefined) Implementation.setMaxPduLength(changes.maxPduLength);
    const kept = EDITABLE_SETTINGS.filter((key) => changes[key] !== undefined && !this.config.fixedSettings?.[key]);
    saveStoredSettings(this.db, Object.fromEntries(kept.map((key) => [key, changes[key]])));
    for (const key of kept) this.savedKeys.add(key);
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
      sends: this.jobRepo.sendsOf(instanceId),
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
    return this.afterQueueChange(this.jobRepo.retry(jobId, Date.now()));
  }

  retryDeadJobs(destination: string): number {
    return this.afterQueueChange(this.jobRepo.retryDead(destination, Date.now()));
  }

  /** The destination is back: its waiting jobs are tried now instead of at the end of their backoff. */
  retryDestinationNow(destination: string): number {
    return this.afterQueueChange(this.jobRepo.retryNow(destination, Date.now()));
  }

  /**
   * Retries the dead jobs of a destination, unless some failed for a reason a retry cannot change
   * (the destination refuses the SOP class, the syntax or the instance): then nothing is retried
   * and those reasons are returned, unless `evenIfPermanent`.
   */
  retryDead(destination: string, evenIfPermanent = false): { retried: number; permanent: PermanentFailure[] } {
    const permanent = permanentFailures(this.jobRepo.deadFailures(destination));
    if (permanent.length > 0 && !evenIfPermanent) return { retried: 0, permanent };
    return { retried: this.retryDeadJobs(destination), permanent };
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
