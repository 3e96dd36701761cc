/**
 * Thumbnails asked of the engine a few at a time, the rest waiting here. The engine decodes every
 * frame on its one preview thread, in the order asked, and a compressed frame takes up to a second:
 * a study of twenty compressed series asked for at once would hold the next study's thumbnails
 * behind twenty decodes nobody looks at any more. Waiting here, a thumbnail whose view is gone is
 * dropped before the engine ever hears of it. Two in flight: one decoding, the next already on its
 * way, so the round trip to the engine is not added to every one.
 */
import type { CommandArgs, GatewayBridge, RenderedFrame } from '../../../src-main/api/contract.ts';

export const IN_FLIGHT = 2;

type RenderArgs = CommandArgs<'renderFrame'>;

export interface QueuedRender {
  /** The engine's answer; rejects with RenderCancelled if cancel() came first. */
  result: Promise<RenderedFrame>;
  /** The view no longer needs it: dropped if not yet asked (one already asked finishes unseen). */
  cancel(): void;
}

export class RenderCancelled extends Error {
  constructor() {
    super('render no longer wanted');
    this.name = 'RenderCancelled';
  }
}

interface Waiting {
  args: RenderArgs;
  resolve: (frame: RenderedFrame) => void;
  reject: (err: unknown) => void;
}

export class RenderQueue {
  private readonly bridge: Pick<GatewayBridge, 'invoke'>;
  private readonly waiting: Waiting[] = [];
  private inFlight = 0;

  constructor(bridge: Pick<GatewayBridge, 'invoke'>) {
    this.bridge = bridge;
  }

  render(args: RenderArgs): QueuedRender {
    let entry!: Waiting;
    const result = new Promise<RenderedFrame>((resolve, reject) => (entry = { args, resolve, reject }));
    this.waiting.push(entry);
    this.next();
    return {
      result,
      cancel: () => {
        const at = this.waiting.indexOf(entry);
        if (at < 0) return;
        this.waiting.splice(at, 1);
        entry.reject(new RenderCancelled());
      },
    };
  }

  private next(): void {
    while (this.inFlight < IN_FLIGHT && this.waiting.length > 0) {
      const { args, resolve, reject } = this.waiting.shift()!;
      this.inFlight++;
      this.bridge
        .invoke('renderFrame', args)
        .then(resolve, reject)
        .finally(() => {
          this.inFlight--;
          this.next();
        });
    }
  }
}

const queues = new WeakMap<object, RenderQueue>();

/** The one queue of everything that renders thumbnails through `bridge`. */
export function renderQueueOf(bridge: Pick<GatewayBridge, 'invoke'>): RenderQueue {
  let queue = queues.get(bridge);
  if (!queue) queues.set(bridge, (queue = new RenderQueue(bridge)));
  return queue;
}
