/**
 * Studies in the Live view: loaded with listStudies, then kept current from instance events.
 * Counts of a study we already show are updated in place; a study we have never seen, or a series
 * we have not seen this session, triggers a (debounced) reload, because an event does not carry
 * patient or study fields and a new series may or may not already be counted.
 */
import type { CommandFailure, GatewayBridge, StudySummary } from '../../../../src-main/api/contract.ts';
import { toFailure } from '../../lib/failure.ts';
import type { LiveEvent } from './live-events.ts';

export const STUDY_LIMIT = 200;

export class StudyList {
  /** Most recently received first. */
  studies = $state.raw<readonly StudySummary[]>([]);
  loaded = $state(false);
  failure = $state<CommandFailure | undefined>();

  private readonly bridge: GatewayBridge;
  private readonly reloadDelayMs: number;
  private readonly seriesSeen = new Map<string, Set<string>>();
  private reloadTimer: ReturnType<typeof setTimeout> | undefined;
  private loading = false;
  /** Events that arrived while a reload was in flight: the answer may predate them. */
  private changedDuringLoad = false;
  private disposed = false;

  constructor(bridge: GatewayBridge, reloadDelayMs = 250) {
    this.bridge = bridge;
    this.reloadDelayMs = reloadDelayMs;
  }

  async load(): Promise<void> {
    this.loading = true;
    this.changedDuringLoad = false;
    try {
      const studies = await this.bridge.invoke('listStudies', { limit: STUDY_LIMIT });
      if (this.disposed) return;
      this.studies = studies;
      this.failure = undefined;
    } catch (error) {
      if (!this.disposed) this.failure = toFailure(error);
    } finally {
      this.loading = false;
      this.loaded = true;
    }
    if (this.changedDuringLoad) this.scheduleReload();
  }

  apply(events: readonly LiveEvent[]): void {
    let studies = this.studies;
    let changed = false;
    let reload = false;
    for (const event of events) {
      if (event.kind !== 'stored' && event.kind !== 'duplicate') continue;
      const { studyInstanceUid: study, seriesInstanceUid: series } = event.payload;
      if (!study) continue;
      const index = studies.findIndex((s) => s.studyInstanceUid === study);
      if (index < 0) {
        reload = true;
        continue;
      }
      if (series && this.noteSeries(study, series)) reload = true;
      // A duplicate is the same bytes again: nothing new is stored, so no count changes.
      if (event.kind === 'duplicate') continue;
      const current = studies[index]!;
      const updated: StudySummary = {
        ...current,
        instanceCount: current.instanceCount + 1,
        bytes: current.bytes + event.payload.bytes,
        lastReceivedAt: event.payload.time,
      };
      studies = [updated, ...studies.slice(0, index), ...studies.slice(index + 1)];
      changed = true;
    }
    if (changed) this.studies = studies;
    if (this.loading && (changed || reload)) this.changedDuringLoad = true;
    if (reload) this.scheduleReload();
  }

  dispose(): void {
    this.disposed = true;
    if (this.reloadTimer !== undefined) clearTimeout(this.reloadTimer);
  }

  /** Remembers the series; true when it is new to this session. */
  private noteSeries(study: string, series: string): boolean {
    let seen = this.seriesSeen.get(study);
    if (!seen) this.seriesSeen.set(study, (seen = new Set()));
    if (seen.has(series)) return false;
    seen.add(series);
    return true;
  }

  private scheduleReload(): void {
    if (this.disposed || this.reloadTimer !== undefined) return;
    this.reloadTimer = setTimeout(() => {
      this.reloadTimer = undefined;
      if (this.loading) this.changedDuringLoad = true;
      else void this.load();
    }, this.reloadDelayMs);
  }
}
