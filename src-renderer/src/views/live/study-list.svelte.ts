/**
 * Studies in the Live view: every number comes from the index (listStudies). Instance events only
 * say "read it again": at most one reload per delay during a burst, and one more after the last
 * event. Counting events locally drifted from the index (an answer that already counted an
 * instance whose event was applied after it counted it twice, and nothing ever corrected it).
 */
import type { CommandFailure, GatewayBridge, StudySummary } from '../../../../src-main/api/contract.ts';
import { callSoon, type SoonCall } from '../../lib/call-soon.ts';
import { toFailure } from '../../lib/failure.ts';
import type { LiveEvent } from './live-events.ts';

export const STUDY_LIMIT = 200;

export class StudyList {
  /** Most recently received first. */
  studies = $state.raw<readonly StudySummary[]>([]);
  loaded = $state(false);
  failure = $state<CommandFailure | undefined>();

  private readonly bridge: GatewayBridge;
  private readonly reloadSoon: SoonCall;
  private loading = false;
  /** Events that arrived while a reload was in flight: the answer may predate them. */
  private changedDuringLoad = false;
  private disposed = false;

  constructor(bridge: GatewayBridge, reloadDelayMs = 250) {
    this.bridge = bridge;
    this.reloadSoon = callSoon(() => {
      if (this.loading) this.changedDuringLoad = true;
      else void this.load();
    }, reloadDelayMs);
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
    // A duplicate stores nothing new; a study we do not list yet still needs its row.
    const reload = events.some(
      (e) => (e.kind === 'stored' || (e.kind === 'duplicate' && !this.lists(e.payload.studyInstanceUid))) && e.payload.studyInstanceUid,
    );
    if (!reload) return;
    if (this.loading) this.changedDuringLoad = true;
    this.scheduleReload();
  }

  dispose(): void {
    this.disposed = true;
    this.reloadSoon.dispose();
  }

  private lists(study: string | undefined): boolean {
    return this.studies.some((s) => s.studyInstanceUid === study);
  }

  private scheduleReload(): void {
    if (!this.disposed) this.reloadSoon.request();
  }
}
