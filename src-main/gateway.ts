/**
 * The composition root: one Gateway owns the index, the store, the SCP listener and the event
 * stream, and offers send and echo. The CLI, the Electron shell and the browser UI all drive this
 * same object.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isDiskFull, openDatabase, type Database } from './db/database.ts';
import { IndexRepository } from './db/index-repository.ts';
import { echo } from './dicom/echo-scu.ts';
import type { EchoResult } from './api/types/echo.ts';
import type { PeerAddress } from './dicom/peer-address.ts';
import type { SendableFile } from './dicom/sendable-files.ts';
import { StoreScpServer, type ScpConfig } from './dicom/store-scp.ts';
import { sendFiles, type SendResult } from './dicom/store-scu.ts';
import { GatewayEventBus } from './events.ts';
import { UnknownDestinationError, UnknownInstanceError } from './gateway-error.ts';
import { silentLogger, type Logger } from './log/logger.ts';
import { ListenError, listenFailureReason } from './dicom/listen-failure.ts';

export { ListenError, listenFailureReason };
import { DEFAULT_QUEUE_SETTINGS, type QueueSettings } from './routing/routing-types.ts';
import type { Destination, Rule } from './api/types/routing.ts';
import { PreviewThread } from './imaging/preview-thread.ts';
import { InstanceStore, type StoreOptions } from './store/instance-store.ts';
import { InboundAssociations } from './receive/inbound-associations.ts';
import { ReceiveInstance } from './receive/receive-instance.ts';
import type {
  DigestChain,
  JobAttempt,
  JobSummary,
  PermanentFailure,
  QueueCount,
  StudyAwaitingQuiet,
  StudySummary,
  RetryDeadPreview,
  Settings,
  TlsListenerChange,
  TlsListenerStatus,
} from './api/contract.ts';
import { BrowseQueries } from './db/browse-queries.ts';
import { saveStoredSettings, saveStoredTlsListener, storedSettings, storedTlsListener } from './db/stored-settings.ts';
import { FixedSettingError, type FixedSettings } from './config/setting-sources.ts';
import { EDITABLE_SETTINGS, type EditableSettings, type SettingKey, type SettingSource } from './api/types/settings.ts';
import { digestChain } from './inspect/digest-chain.ts';
import { ForwardQueue } from './routing/forward-queue.ts';
import { jobAttempt, JobRepository, jobSummary } from './routing/job-repository.ts';
import type { JobState } from './api/types/routing.ts';
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
import { TlsListener } from './tls/tls-listener.ts';
import { BCP195_CIPHERS, type ListenerTls } from './tls/tls-settings.ts';
import { StudyQueries } from './db/study-queries.ts';
import { Housekeeping } from './housekeeping/housekeeping.ts';

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
  /** Forwarding runs on its own worker thread unless this is false (then on the main thread). */
  forwardThread?: boolean;
  /** Delete studies older than this many days once forwarded everywhere (housekeeping/retention.ts); unset: keep all. */
  retentionDays?: number;
  /**
   * Settings a command-line flag or the config file set for this run: they win over what the UI
   * saved. Every other editable setting takes the value saved in the UI, if any (see setting-sources.ts).
   */
  fixedSettings?: FixedSettings;
  /**
   * What a start does when the DICOM port cannot be listened on. `serve` fails (the operator reads
   * the error and fixes the flag); the desktop app keeps running with the listener stopped, so its
   * window can open, say why, and let the user choose another port in Settings.
   */
  onListenFailure?: 'fail' | 'stay-stopped';
}

/** The DICOM listener: where it listens, or why it does not. */
export type ListenerState = { state: 'listening'; host: string; port: number } | { state: 'stopped'; port: number; reason: string };

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
 * read-only until space returns (InstanceStore). With no reserve left (a receive used it as the
 * disk filled, or something else took the room back), the index opens with SQLite's WAL index in
 * this process's memory instead of `index.sqlite-shm`, which needs no disk space; other processes
 * cannot read the index until the next start, and nothing else changes.
 */
async function openIndex(storage: string, logger: Logger): Promise<Database> {
  const path = join(storage, INDEX_FILE);
  try {
    return openDatabase(path);
  } catch (err) {
    if (!isFullAtOpen(err)) throw err;
    const freedBytes = await releaseSpareSegments(join(storage, JOURNAL_DIR));
    logger.error('store.full-at-start', { storage, error: (err as Error).message, freedBytes });
  }
  try {
    return openDatabase(path);
  } catch (err) {
    if (!isFullAtOpen(err)) throw err;
    logger.warn('store.index-in-memory-lock', { storage, reason: 'no room for index.sqlite-shm' });
    return openDatabase(path, { sharedMemoryOnHeap: true });
  }
}

/** SQLite reports a shared-memory file it cannot grow as a disk I/O error, not as a full disk. */
const isFullAtOpen = (err: unknown) => isDiskFull(err) || /disk I\/O error/i.test((err as Error).message);

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
  /** The forward queue's rows as stored (the engine's view; `jobs()` is the contract's). */
  readonly jobRepo: JobRepository;
  private readonly transitions: JobStateMachine;
  private readonly router: Router;
  private readonly queue: ForwardQueue;
  private server: StoreScpServer;
  private listenerState: ListenerState;
  readonly browse: BrowseQueries;
  readonly studies: StudyQueries;
  readonly housekeeping: Housekeeping;
  /** Renders the viewer's frames off this thread (decoding can take a second). */
  readonly previews = new PreviewThread();
  /** Editable settings whose value is the one saved in the UI. */
  private readonly savedKeys = new Set<SettingKey>();
  private sendCounter = 0;
  private readonly cancelledSends = new Set<number>();
  /** The DICOM TLS listener beside the plain one (off unless a flag, the config file or Settings set it). */
  readonly tlsListener: TlsListener;
  /** The TLS listener's settings are the ones saved in Settings. */
  private tlsSaved = false;
  private readonly receiver: ReceiveInstance;
  private readonly associations: InboundAssociations;
  private openAssociations = 0;
  private readonly runningSends = new Set<number>();

  private readonly lock: StoreLock;

  private constructor(
    config: GatewayConfig,
    logger: Logger,
    db: Database,
    store: InstanceStore,
    lock: StoreLock,
    routing: RoutingParts,
    events: GatewayEventBus,
  ) {
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
      jobs: this.jobRepo,
      transitions: this.transitions,
      routing: this.routing,
      storeRoot: config.storage,
      settings: config.queue,
      defaultCallingAe: config.aeTitle,
      logger,
      sender: config.forwardThread === false ? inThreadSender(systemClock) : workerSender(logger),
    });
    this.browse = new BrowseQueries(db);
    this.studies = new StudyQueries(db);
    this.housekeeping = new Housekeeping({
      db,
      storeRoot: store.root,
      studies: this.studies,
      events: this.events,
      logger,
      configRetentionDays: config.retentionDays,
    });
    this.receiver = new ReceiveInstance({ store, events: this.events, logger });
    this.associations = new InboundAssociations({ repo: this.repo, events: this.events, logger });
    this.events.on('association-opened', () => this.openAssociations++);
    this.events.on('association-closed', () => (this.openAssociations = Math.max(0, this.openAssociations - 1)));
    this.server = this.newServer();
    this.tlsListener = new TlsListener({
      newServer: () => this.newServer(),
      host: config.host,
      aeTitle: () => this.config.aeTitle,
      logger,
    });
    this.listenerState = { state: 'stopped', port: config.port, reason: 'The DICOM listener has not started yet.' };
  }

  /** A listener (plain or TLS) feeding the one receive path; a port change builds a new one beside the old. */
  private newServer(): StoreScpServer {
    return new StoreScpServer({
      config: this.config,
      receiver: this.receiver,
      associations: this.associations,
      listenerError: (err) => this.logger.error('listener.error', { error: err.message }),
    });
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

  /** Where the DICOM TLS listener listens; undefined while it is off or stopped. */
  get tlsAddress(): { host: string; port: number } | undefined {
    return this.tlsListener.address;
  }

  /** Routing exists before the store, so that the store's replay at start-up routes what it indexes. */
  private static routingParts(
    config: GatewayConfig,
    db: Database,
    logger: Logger,
    events: GatewayEventBus,
    kick: () => void,
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
        const result = router.route(
          instanceId,
          meta.sopClassUid,
          fields,
          {
            callingAe: context.callingAe ?? '',
            calledAe: context.calledAe ?? '',
            peerAddress: context.peer ?? '',
          },
          Date.now(),
        );
        routed ||= result.queued > 0 || result.waiting > 0;
      },
      // Once per group commit, after it committed: the queue's pump then sees the new jobs.
      onBatchIndexed: () => {
        // The batch's instances are announced in reactions to their `indexed` promises, which the
        // store settled just before this call; a microtask queued now runs after them, so a job
        // is told after the instance it forwards (in the log and to the UI).
        if (routed) {
          queueMicrotask(() => transitions.announceRouted());
          kick();
        }
        routed = false;
      },
    };
    return { parts: { routing, jobs, transitions, router }, store };
  }

  /** Opens the store (recovering anything a crash interrupted), starts the queue, then listens. */
  static async start(config: GatewayConfig, logger: Logger = silentLogger): Promise<Gateway> {
    // Certificates are checked first: a wrong file or passphrase is a clear error before anything starts.
    if (config.tls) (await import('./tls/tls-context.ts')).serverTlsOptions(config.tls);
    await mkdir(config.storage, { recursive: true });
    // Before anything in the folder is read or cleaned up: another gateway's temp files are not ours.
    const lock = StoreLock.acquire(config.storage);
    let db: Database | undefined;
    let gateway: Gateway | undefined;
    try {
      db = await openIndex(config.storage, logger);
      const events = new GatewayEventBus();
      const routing = Gateway.routingParts(config, db, logger, events, () => gateway?.queue.kick());
      const store = await InstanceStore.open(config.storage, new IndexRepository(db), {
        ...routing.store,
        // An inline journal write holds up the event loop: only while one sender has it to itself.
        inlineJournalWrites: () => (gateway?.openAssociations ?? 0) <= 1,
        onReadOnlyChange: (reason) =>
          events.emit('store-state-changed', { readOnlyReason: reason ?? null, time: new Date().toISOString() }),
      });
      const saved = storedSettings(db);
      const usable = EDITABLE_SETTINGS.filter((key) => saved[key] !== undefined && !config.fixedSettings?.[key]);
      for (const key of usable) Object.assign(config, { [key]: saved[key] });
      const savedTls = config.fixedSettings?.tls ? undefined : storedTlsListener(db);
      if (savedTls !== undefined) config.tls = savedTls ?? undefined;
      gateway = new Gateway(config, logger, db, store, lock, routing.parts, events);
      for (const key of usable) gateway.savedKeys.add(key);
      gateway.tlsSaved = savedTls !== undefined;
    } catch (err) {
      db?.close();
      lock.release();
      throw err;
    }
    gateway.queue.start();
    gateway.housekeeping.start();
    try {
      await gateway.listenAtStart();
    } catch (err) {
      await gateway.server.close();
      await gateway.tlsListener.close();
      await gateway.housekeeping.stop();
      await gateway.queue.stop();
      await gateway.store.close();
      db.close();
      lock.release();
      throw err;
    }
    return gateway;
  }

  /**
   * Listens on the plain port, then the TLS one. A failure ends the start, unless the desktop
   * asked to stay stopped (or the TLS listener is one Settings saved): then the listener that
   * failed keeps its reason for Settings to show.
   */
  private async listenAtStart(): Promise<void> {
    const { config, logger } = this;
    const stayStopped = config.onListenFailure === 'stay-stopped';
    try {
      const address = await this.server.listen(config.host, config.port);
      this.listenerState = { state: 'listening', ...address };
      logger.info('gateway.listening', { ae: config.aeTitle, host: address.host, port: address.port, storage: config.storage });
    } catch (err) {
      if (!stayStopped) throw err;
      const reason = listenFailureReason(config.host, config.port, err);
      this.listenerState = { state: 'stopped', port: config.port, reason };
      logger.error('gateway.listen-failed', { reason });
    }
    if (!config.tls) return;
    try {
      await this.tlsListener.apply(config.tls);
    } catch (err) {
      // A listener saved in Settings that no longer works (certificate expired, port taken) must
      // not keep serve from starting: Settings, served by this very process, is where it is fixed.
      if (!stayStopped && !this.tlsSaved) throw err;
      this.tlsListener.markStopped(config.tls.port, (err as Error).message);
      logger.error('gateway.listen-tls-failed', { reason: (err as Error).message });
    }
  }

  /** Drains: no new associations, the instances in flight (in and out) are finished, then all closes. */
  async stop(): Promise<void> {
    await Promise.all([this.server.close(), this.tlsListener.close()]);
    // Everything acknowledged is indexed and routed before the queue stops (jobs it creates are kept for the next start).
    await this.store.close();
    await this.housekeeping.stop();
    await this.queue.stop();
    await this.previews.stop();
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
    this.runningSends.add(sendId);
    const done = sendFiles(files, peer, {
      callingAe,
      maxPduLength: this.config.maxPduLength,
      shouldContinue: () => !this.cancelledSends.has(sendId),
      onProgress: (p) => this.events.emit('send-progress', { sendId, ...p }),
      onResult: (result) => {
        this.housekeeping.recordSent(result, peer, callingAe);
        this.events.emit('send-file-done', { sendId, ...result });
      },
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
      forwarding = this.jobRepo
        .counts()
        .filter((c) => c.state === 'sending')
        .reduce((n, c) => n + c.count, 0);
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
    const sources = Object.fromEntries(EDITABLE_SETTINGS.map((key) => [key, this.sourceOf(key)])) as Record<SettingKey, SettingSource>;
    return {
      aeTitle: c.aeTitle,
      port: this.address?.port ?? c.port,
      storage: c.storage,
      acceptUnknownSopClasses: c.acceptUnknownSopClasses,
      allowedCallingAes: [...c.allowedCallingAes],
      maxAssociations: c.maxAssociations,
      maxPduLength: c.maxPduLength,
      sources,
    };
  }

  private sourceOf(key: SettingKey): SettingSource {
    return this.config.fixedSettings?.[key] ?? (this.savedKeys.has(key) ? { kind: 'saved' } : { kind: 'default' });
  }

  /**
   * Applies and keeps settings. A setting a flag or the config file fixed is refused: the next
   * start would undo it. A new port (or the same one while the listener is stopped) is listened on
   * first, beside the old listener; only once it listens is the old one drained and closed and
   * anything saved. If it cannot listen, nothing changes and the ListenError says why, so a
   * mistyped or busy port never leaves the gateway deaf or saves a port that does not work.
   */
  async applySettings(changes: Partial<EditableSettings>): Promise<Settings> {
    const current = this.settings();
    for (const key of EDITABLE_SETTINGS) {
      const fixed = this.config.fixedSettings?.[key];
      if (fixed && changes[key] !== undefined && JSON.stringify(changes[key]) !== JSON.stringify(current[key])) {
        throw new FixedSettingError(key, fixed);
      }
    }
    const wanted = changes.port ?? this.config.port;
    const moveListener = changes.port !== undefined && (this.listenerState.state === 'stopped' || changes.port !== this.listenerState.port);
    let accepted = changes;
    if (moveListener) {
      const bound = await this.listenOn(wanted);
      // Port 0 asks the system for a free port: the one it gave is the one that works next time.
      accepted = { ...changes, port: bound.port };
    }
    Object.assign(this.config, accepted);
    const kept = EDITABLE_SETTINGS.filter((key) => accepted[key] !== undefined && !this.config.fixedSettings?.[key]);
    saveStoredSettings(this.db, Object.fromEntries(kept.map((key) => [key, accepted[key]])));
    for (const key of kept) this.savedKeys.add(key);
    const settings = this.settings();
    this.events.emit('settings-changed', settings);
    return settings;
  }

  /** The TLS listener as Settings shows it: where it listens or why not, and where its settings come from. */
  tlsListenerStatus(): TlsListenerStatus {
    const tls = this.config.tls;
    const state = this.tlsListener.state;
    return {
      settings: tls
        ? {
            port: tls.port,
            cert: tls.cert,
            key: tls.key,
            ca: tls.ca ?? null,
            requireClientCert: tls.requireClientCert,
            hasPassphrase: tls.passphrase !== undefined,
          }
        : null,
      state: state.state,
      host: state.state === 'listening' ? state.host : null,
      port: state.state === 'off' ? null : state.port,
      reason: state.state === 'stopped' ? state.reason : null,
      source: this.config.fixedSettings?.tls ?? (this.tlsSaved ? { kind: 'saved' } : { kind: 'default' }),
    };
  }

  /**
   * Listens with new TLS settings (null: turns TLS off) and saves them once it listens, with the
   * port actually bound. Refused when a flag or the config file set TLS; a TlsConfigError or
   * ListenError leaves the listener and what was saved as they were (see TlsListener.apply).
   */
  async applyTlsListener(change: TlsListenerChange | null): Promise<TlsListenerStatus> {
    const fixed = this.config.fixedSettings?.tls;
    if (fixed) throw new FixedSettingError('tls', fixed);
    const wanted = change ? this.listenerTlsOf(change) : undefined;
    const state = await this.tlsListener.apply(wanted);
    const kept = wanted && state.state === 'listening' ? { ...wanted, port: state.port } : undefined;
    this.config.tls = kept;
    saveStoredTlsListener(this.db, kept ?? null);
    this.tlsSaved = true;
    const status = this.tlsListenerStatus();
    this.events.emit('settings-changed', this.settings());
    return status;
  }

  /** A passphrase not sent again is the one the same key already had: the UI never holds it. */
  private listenerTlsOf(change: TlsListenerChange): ListenerTls {
    const old = this.config.tls;
    const passphrase = change.passphrase ?? (old?.key === change.key ? old.passphrase : undefined);
    return {
      port: change.port,
      cert: change.cert,
      key: change.key,
      ca: change.ca ?? undefined,
      passphrase: passphrase === '' ? undefined : passphrase,
      requireClientCert: change.requireClientCert,
      ciphers: old?.ciphers ?? BCP195_CIPHERS,
    };
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
    if (!row) throw new UnknownInstanceError(instanceId);
    return digestChain({
      instanceId,
      sopInstanceUid: row.sop_instance_uid,
      storeRoot: this.store.root,
      path: row.path,
      datasetOffset: row.dataset_offset,
      datasetLength: row.dataset_length,
      receivedSha256: row.dataset_sha256,
      transferSyntaxUid: row.transfer_syntax_uid,
      sends: this.jobRepo.sendsOf(instanceId),
    });
  }

  /** The absolute path of a stored instance version. */
  instancePath(instanceId: number): string {
    const row = this.repo.instanceById(instanceId);
    if (!row) throw new UnknownInstanceError(instanceId);
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

  jobs(filter: { state?: JobState; destination?: string; limit?: number } = {}): JobSummary[] {
    const rows = this.jobRepo.list(filter);
    const subjects = this.browse.subjects(rows.map((r) => r.instance_id));
    return rows.map((r) => jobSummary(r, subjects.get(r.instance_id) ?? null));
  }

  jobAttempts(jobId: number): JobAttempt[] {
    return this.jobRepo.attemptsOf(jobId).map(jobAttempt);
  }

  queueCounts(): QueueCount[] {
    return this.jobRepo.counts();
  }

  /** Studies a study-quiet rule holds back, with whose they are: nothing in the queue says so yet. */
  studiesAwaitingQuiet(): StudyAwaitingQuiet[] {
    // A rule with several destinations waits once per destination: each study is looked up once.
    const studies = new Map<string, StudySummary | null>();
    const studyOf = (uid: string) => {
      if (!studies.has(uid)) studies.set(uid, this.browse.study(uid) ?? null);
      return studies.get(uid)!;
    };
    return this.jobRepo.waitingQuietStudies().map((q) => ({
      studyInstanceUid: q.study_instance_uid,
      rule: q.rule,
      destination: q.destination,
      quietSeconds: q.quiet_ms / 1000,
      lastReceivedAt: new Date(q.last_received_at).toISOString(),
      forwardsAt: new Date(q.last_received_at + q.quiet_ms).toISOString(),
      study: studyOf(q.study_instance_uid),
    }));
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

  /**
   * Retries the dead jobs of a destination, unless some failed for a reason a retry cannot change
   * (the destination refuses the SOP class, the syntax or the instance): then nothing is retried
   * and those reasons are returned, unless `evenIfPermanent`.
   */
  retryDead(destination: string, evenIfPermanent = false): { retried: number; permanent: PermanentFailure[] } {
    const permanent = this.retryDeadPreview(destination)
      .causes.filter((cause) => cause.permanent)
      .map((cause) => ({ reason: cause.example ?? 'refused by the destination', count: cause.count }));
    if (permanent.length > 0 && !evenIfPermanent) return { retried: 0, permanent };
    return { retried: this.retryDeadJobs(destination), permanent };
  }

  cancelJob(jobId: number): boolean {
    return this.transitions.cancel(jobId, Date.now());
  }

  /** Queues every latest instance version of a study for `destination` now, whatever was sent before. */
  forwardStudy(studyInstanceUid: string, destination: string): number {
    return this.forwardInstances(this.jobRepo.latestInstancesOfStudy(studyInstanceUid), destination);
  }

  forwardInstances(instanceIds: number[], destination: string): number {
    if (!this.routing.destinations().some((d) => d.name === destination)) throw new UnknownDestinationError(destination);
    const instances = instanceIds.map((id) => {
      const row = this.repo.instanceById(id);
      if (!row) throw new UnknownInstanceError(id);
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
