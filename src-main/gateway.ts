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
import type { DigestChain, Settings } from './api/contract.ts';
import { BrowseQueries } from './db/browse-queries.ts';
import { saveStoredSettings, storedSettings } from './db/stored-settings.ts';
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
  /** The desktop app keeps settings changed in its UI in the index; serve takes them from flags and config only. */
  useStoredSettings?: boolean;
  /**
   * What a start does when the DICOM port cannot be listened on. `serve` fails (the operator reads
   * the error and fixes the flag); the desktop app keeps running with the listener stopped, so its
   * window can open, say why, and let the user choose another port in Settings.
   */
  onListenFailure?: 'fail' | 'stay-stopped';
}

/** The DICOM listener: where it listens, or why it does not. */
export type ListenerState =
  | { state: 'listening'; host: string; port: number }
  | { state: 'stopped'; port: number; reason: string };

/** Words for a listen failure that say what to do, with the system's own code kept. */
export function listenFailureReason(host: string | undefined, port: number, err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  const where = `${host ?? '0.0.0.0'}:${port}`;
  if (code === 'EADDRINUSE') return `Cannot listen on ${where}: the port is already in use by another program (is another DICOM program running?). Choose another port. (${code})`;
  if (code === 'EACCES' || code === 'EPERM') {
    return `Cannot listen on ${where}: this user may not use port ${port}${port < 1024 ? ' (ports below 1024 need administrator rights)' : ''}. Choose a port from 1024 up. (${code})`;
  }
  if (code === 'EADDRNOTAVAIL') return `Cannot listen on ${where}: this computer has no address ${host ?? ''}. (${code})`;
  return `Cannot listen on ${where}: ${(err as Error)?.message ?? String(err)}`;
}

/** A failed listen with its reason in words (the original error as the cause). */
export class ListenError extends Error {
  readonly code: string | undefined;
  constructor(reason: string, cause: unknown) {
    super(reason, { cause });
    this.name = 'ListenError';
    this.code = (cause as NodeJS.ErrnoException)?.code;
  }
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
  private server: StoreScpServer;
  private listenerState: ListenerState;
  readonly browse: BrowseQueries;
  private sendCounter = 0;
  private readonly cancelledSends = new Set<number>();
  private openAssociations = 0;
  private readonly runningSends = new Set<number>();

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
    this.events.on('association-opened', () => this.openAssociations++);
    this.events.on('association-closed', () => (this.openAssociations = Math.max(0, this.openAssociations - 1)));
    this.server = this.newServer();
    this.listenerState = { state: 'stopped', port: config.port, reason: 'The DICOM listener has not started yet.' };
  }

  private newServer(): StoreScpServer {
    return new StoreScpServer({ config: this.config, store: this.store, repo: this.repo, events: this.events, logger: this.logger });
  }

  /** Where the DICOM listener listens, or why it does not. */
  get listener(): ListenerState {
    return this.listenerState;
  }

  /** The address the listener is bound to; undefined while it is stopped. */
  get address(): { host: string; port: number } | undefined {
    const l = this.listenerState;
    return l.state === 'listening' ? { host: l.host, port: l.port } : undefined;
  }

  /** Opens the store (recovering anything a crash interrupted), starts the queue, then listens. */
  static async start(config: GatewayConfig, logger: Logger = silentLogger): Promise<Gateway> {
    Implementation.setMaxPduLength(config.maxPduLength);
    await mkdir(config.storage, { recursive: true });
    const db = openDatabase(join(config.storage, INDEX_FILE));
    const store = await InstanceStore.open(config.storage, new IndexRepository(db));
    if (config.useStoredSettings) Object.assign(config, storedSettings(db));
    const gateway = new Gateway(config, logger, db, store);
    gateway.queue.start();
    try {
      const address = await gateway.server.listen(config.host, config.port);
      gateway.listenerState = { state: 'listening', ...address };
    } catch (err) {
      const reason = listenFailureReason(config.host, config.port, err);
      if (config.onListenFailure === 'stay-stopped') {
        gateway.listenerState = { state: 'stopped', port: config.port, reason };
        logger.error('gateway.listen-failed', { reason });
        return gateway;
      }
      await gateway.queue.stop();
      db.close();
      throw err;
    }
    logger.info('gateway.listening', { ae: config.aeTitle, host: gateway.listenerState.host, port: gateway.listenerState.port, storage: config.storage });
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
    this.runningSends.add(sendId);
    const done = sendFiles(files, peer, {
      callingAe,
      maxPduLength: this.config.maxPduLength,
      shouldContinue: () => !this.cancelledSends.has(sendId),
      onProgress: (p) => this.events.emit('send-progress', { sendId, ...p }),
      onResult: (result) => this.events.emit('send-file-done', { sendId, ...result }),
    }).then((results) => {
      this.runningSends.delete(sendId);
      const cancelled = this.cancelledSends.delete(sendId);
      const sent = results.filter((r) => r.ok).length;
      this.events.emit('send-finished', { sendId, sent, failed: results.length - sent, cancelled });
      return results;
    });
    return { sendId, done };
  }

  /**
   * What a stop would wait for: incoming associations open, sends running, and forward jobs being
   * sent. Shown to the user while the desktop app quits.
   */
  transfersInFlight(): number {
    let forwarding = 0;
    try {
      forwarding = this.jobRepo.counts().filter((c) => c.state === 'sending').reduce((n, c) => n + c.n, 0);
    } catch {
      // The index is already closed: the queue has stopped, nothing is being forwarded.
    }
    return this.openAssociations + this.runningSends.size + forwarding;
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

  /**
   * Applies and keeps settings. A new port (or the same one while the listener is stopped) is
   * listened on first, beside the old listener; only once it listens is the old one drained and
   * closed and anything saved. If it cannot listen, nothing changes and the ListenError says why,
   * so a mistyped or busy port never leaves the gateway deaf or saves a port that does not work.
   */
  async applySettings(changes: Partial<Omit<Settings, 'storage'>>): Promise<Settings> {
    const wanted = changes.port ?? this.config.port;
    const moveListener = changes.port !== undefined && (this.listenerState.state === 'stopped' || changes.port !== this.listenerState.port);
    let accepted = changes;
    if (moveListener) {
      const bound = await this.listenOn(wanted);
      // Port 0 asks the system for a free port: the one it gave is the one that works next time.
      accepted = { ...changes, port: bound.port };
    }
    Object.assign(this.config, accepted);
    if (accepted.maxPduLength !== undefined) Implementation.setMaxPduLength(accepted.maxPduLength);
    saveStoredSettings(this.db, accepted);
    const settings = this.settings();
    this.events.emit('settings-changed', settings);
    return settings;
  }

  /** Listens on `port` with a new listener, then drains and closes the old one; throws ListenError leaving the old one as it was. */
  private async listenOn(port: number): Promise<{ host: string; port: number }> {
    const next = this.newServer();
    let bound: { host: string; port: number };
    try {
      bound = await next.listen(this.config.host, port);
    } catch (err) {
      const reason = listenFailureReason(this.config.host, port, err);
      this.logger.warn('gateway.listen-failed', { reason });
      throw new ListenError(reason, err);
    }
    const old = this.server;
    this.server = next;
    this.listenerState = { state: 'listening', ...bound };
    await old.close();
    this.logger.info('gateway.listening', { ae: this.config.aeTitle, host: bound.host, port: bound.port });
    return bound;
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
