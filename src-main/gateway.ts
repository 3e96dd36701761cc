/**
 * The composition root: one Gateway owns the index, the store, the SCP listener and the event
 * stream, and offers send and echo. The CLI, the Electron shell and the browser UI all drive this
 * same object.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openDatabase, type Database } from './db/database.ts';
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
import { INDEX_FILE } from './store/store-layout.ts';

export interface GatewayConfig extends ScpConfig {
  host: string | undefined;
  port: number;
  storage: string;
  /** Largest PDU we accept; peers' PDUs to us are at most this long. */
  maxPduLength: number;
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
  private readonly server: StoreScpServer;
  private sendCounter = 0;
  address: { host: string; port: number } | undefined;

  private constructor(config: GatewayConfig, logger: Logger, db: Database, repo: IndexRepository, store: InstanceStore) {
    this.config = config;
    this.logger = logger;
    this.db = db;
    this.repo = repo;
    this.store = store;
    this.server = new StoreScpServer({ config, store, repo, events: this.events, logger });
  }

  /** Opens the store (recovering anything a crash interrupted) and starts listening. */
  static async start(config: GatewayConfig, logger: Logger = silentLogger): Promise<Gateway> {
    Implementation.setMaxPduLength(config.maxPduLength);
    await mkdir(config.storage, { recursive: true });
    const db = openDatabase(join(config.storage, INDEX_FILE));
    const repo = new IndexRepository(db);
    const store = await InstanceStore.open(config.storage, repo);
    const gateway = new Gateway(config, logger, db, repo, store);
    gateway.address = await gateway.server.listen(config.host, config.port);
    logger.info('gateway.listening', { ae: config.aeTitle, host: gateway.address.host, port: gateway.address.port, storage: config.storage });
    return gateway;
  }

  /** Drains: no new associations, the instance in flight is finished and answered, then all closes. */
  async stop(): Promise<void> {
    await this.server.close();
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
}
