/**
 * Housekeeping as the gateway offers it: disk usage, deleting a study, the retention rule (run at
 * start and every hour while set) and the audit trail. Every deletion is announced as an event so
 * open views drop what is gone.
 */
import { statfs } from 'node:fs/promises';
import type { DeletedStudy, RetentionRun, RetentionSaved, RetentionSettings, StorageUsage } from '../api/contract.ts';
import type { Database } from '../db/database.ts';
import type { StudyQueries } from '../db/study-queries.ts';
import { formatPeer, type PeerAddress } from '../dicom/peer-address.ts';
import type { SendResult } from '../dicom/store-scu.ts';
import type { GatewayEventBus } from '../events.ts';
import type { Logger } from '../log/logger.ts';
import { AuditLog } from './audit-log.ts';
import { retentionSettings, runRetention, saveRetentionDays } from './retention.ts';
import { deleteStudy } from './study-deletion.ts';

export const RETENTION_INTERVAL_MS = 60 * 60 * 1000;

export interface HousekeepingDeps {
  db: Database;
  storeRoot: string;
  studies: StudyQueries;
  events: GatewayEventBus;
  logger: Logger;
  /** retentionDays from the config file, if it sets one. */
  configRetentionDays: number | undefined;
}

export class Housekeeping {
  readonly audit: AuditLog;
  private readonly d: HousekeepingDeps;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RetentionRun> | undefined;
  private stopped = false;

  constructor(deps: HousekeepingDeps) {
    this.d = deps;
    this.audit = new AuditLog(deps.db);
  }

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  async usage(): Promise<StorageUsage> {
    const disk = await statfs(this.d.storeRoot).catch(() => undefined);
    return {
      storage: this.d.storeRoot,
      ...this.d.studies.totals(),
      diskFreeBytes: disk ? disk.bavail * disk.bsize : null,
      diskTotalBytes: disk ? disk.blocks * disk.bsize : null,
    };
  }

  async deleteStudy(study: string): Promise<DeletedStudy> {
    const deleted = await deleteStudy(this.d.db, this.audit, this.d.storeRoot, study, {
      actor: 'user',
      reason: 'deleted in the studies browser',
    });
    this.d.logger.info('study.deleted', { study, instances: deleted.instances, bytes: deleted.bytes, jobs: deleted.jobs, by: 'user' });
    this.d.events.emit('studies-deleted', { by: 'user', studies: [deleted] });
    return deleted;
  }

  retention(): RetentionSettings {
    return retentionSettings(this.d.db, this.d.configRetentionDays);
  }

  /**
   * Saves the rule and applies it at once, answering with that run: the caller reports the run that
   * used the new rule, never a second one that found nothing left to delete.
   */
  async saveRetention(days: number | null): Promise<RetentionSaved> {
    saveRetentionDays(this.d.db, days);
    // A run already under way judged by the old rule; the new one starts after it.
    await this.running?.catch(() => undefined);
    const run = days === null ? null : await this.runRetention();
    this.schedule(RETENTION_INTERVAL_MS);
    return { settings: this.retention(), run };
  }

  /** Runs the rule now (one run at a time); with no rule set, deletes nothing. */
  runRetention(): Promise<RetentionRun> {
    this.running ??= this.retentionPass().finally(() => (this.running = undefined));
    return this.running;
  }

  /** A file sent by hand, as the audit trail records it. */
  recordSent(result: SendResult, peer: PeerAddress, callingAe: string): void {
    if (!result.ok) return;
    this.audit.record({
      at: new Date().toISOString(),
      action: 'sent',
      actor: callingAe,
      target: formatPeer(peer),
      studyInstanceUid: null,
      sopInstanceUid: result.sopInstanceUid,
      patientName: null,
      patientId: null,
      instances: 1,
      bytes: result.bytes,
      detail: result.file,
    });
  }

  private async retentionPass(): Promise<RetentionRun> {
    const { days } = this.retention();
    if (days === null) return { ranAt: new Date().toISOString(), deleted: [], keptUnforwarded: 0 };
    const run = await runRetention(this.d.db, this.audit, this.d.storeRoot, days);
    if (run.deleted.length > 0) {
      this.d.logger.info('retention.deleted', {
        studies: run.deleted.length,
        instances: run.deleted.reduce((n, s) => n + s.instances, 0),
        days,
      });
      this.d.events.emit('studies-deleted', { by: 'retention', studies: run.deleted });
    }
    return run;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.runRetention()
        .catch((err: Error) => this.d.logger.error('retention.failed', { error: err.message }))
        .finally(() => this.schedule(RETENTION_INTERVAL_MS));
    }, delayMs);
    this.timer.unref();
  }
}
