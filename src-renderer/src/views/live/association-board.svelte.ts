/**
 * Associations open right now (inbound and outbound), with live instance counts, and the few that
 * closed most recently with how they ended.
 */
import type { GatewayBridge } from '../../../../src-main/api/contract.ts';
import type { LiveEvent } from './live-events.ts';

export interface AssociationRow {
  associationId: number;
  direction: 'inbound' | 'outbound';
  callingAe: string;
  calledAe: string;
  peer: string;
  startedAt: string;
  instances: number;
  bytes: number;
  failed: number;
  /** How it ended; null while open. */
  result: string | null;
  endedAt: string | null;
}

const RECENT_LIMIT = 5;

export class AssociationBoard {
  open = $state.raw<readonly AssociationRow[]>([]);
  recent = $state.raw<readonly AssociationRow[]>([]);
  private readonly bridge: GatewayBridge;

  constructor(bridge: GatewayBridge) {
    this.bridge = bridge;
  }

  /**
   * Associations open according to the engine. At start, added to those already heard of through
   * events; after a lost connection (`reconcile`), the engine's list wins, since the close events of
   * the meantime were missed.
   */
  async load(reconcile = false): Promise<void> {
    const all = await this.bridge.invoke('listAssociations', { limit: 50 });
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup for this call only, never read by a template
    const mine = new Map(this.open.map((a) => [a.associationId, a]));
    const serverOpen = all
      .filter((a) => a.endedAt === null)
      .map((a): AssociationRow => {
        const known = mine.get(a.associationId);
        return {
          associationId: a.associationId,
          direction: known?.direction ?? 'inbound',
          callingAe: a.callingAe,
          calledAe: a.calledAe,
          peer: a.peer,
          startedAt: a.startedAt,
          instances: Math.max(a.instances, known?.instances ?? 0),
          bytes: Math.max(a.bytes, known?.bytes ?? 0),
          failed: known?.failed ?? 0,
          result: null,
          endedAt: null,
        };
      });
    if (reconcile) {
      this.open = serverOpen;
      return;
    }
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup for this call only, never read by a template
    const listed = new Set(serverOpen.map((a) => a.associationId));
    this.open = [...serverOpen, ...this.open.filter((a) => !listed.has(a.associationId))];
  }

  apply(events: readonly LiveEvent[]): void {
    let open = this.open;
    let recent = this.recent;
    for (const event of events) {
      switch (event.kind) {
        case 'opened': {
          const p = event.payload;
          open = [...open, { ...p, startedAt: p.time, instances: 0, bytes: 0, failed: 0, result: null, endedAt: null }];
          break;
        }
        case 'closed': {
          const p = event.payload;
          const row = open.find((a) => a.associationId === p.associationId);
          open = open.filter((a) => a.associationId !== p.associationId);
          const closed: AssociationRow = {
            ...(row ?? { ...p, startedAt: p.time, failed: 0 }),
            instances: p.instances,
            bytes: p.bytes,
            result: p.result,
            endedAt: p.time,
          };
          recent = [closed, ...recent].slice(0, RECENT_LIMIT);
          break;
        }
        default: {
          const id = event.payload.associationId;
          open = open.map((a) =>
            a.associationId !== id
              ? a
              : event.kind === 'failed'
                ? { ...a, failed: a.failed + 1 }
                : { ...a, instances: a.instances + 1, bytes: a.bytes + event.payload.bytes },
          );
        }
      }
    }
    this.open = open;
    this.recent = recent;
  }
}
