/**
 * The engine's side of the preview thread (preview-worker.ts). Decoding a compressed frame takes
 * as long as its codec needs (a 3000x3000 JPEG 2000 frame: about a second), and the engine's own
 * thread serves the associations: a radiographer opening a study must not hold a modality's
 * C-STORE answers. The thread starts with the first render (its codecs load once, about 0.4 s)
 * and ends after a minute without one, so an idle engine carries no second heap; if it dies, the
 * renders it held fail with that reason and the next starts another (runtime/worker-requests.ts).
 */
import { Worker } from 'node:worker_threads';
import type { RenderedFrame } from '../api/contract.ts';
import { WorkerRequests } from '../runtime/worker-requests.ts';
import type { renderFrame } from './render-frame.ts';

type RenderRequest = Parameters<typeof renderFrame>[1];

export interface PreviewRequest {
  id: number;
  path: string;
  request: RenderRequest;
}

export type PreviewReply = { id: number; frame: RenderedFrame } | { id: number; error: string };

/** The worker's entry next to this file: .ts when running from source, .js once compiled. */
const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './preview-worker.ts' : './preview-worker.js', import.meta.url);
const IDLE_MS = 60_000;

export class PreviewThread {
  private readonly requests: WorkerRequests<PreviewReply, RenderedFrame>;

  /** `idleMs`: how long the thread outlives its last render (a test shortens it). */
  constructor(idleMs = IDLE_MS) {
    this.requests = new WorkerRequests({
      start: () => new Worker(WORKER_URL),
      outcome: (reply) => ('frame' in reply ? reply.frame : new Error(reply.error)),
      name: 'the preview thread',
      idleMs,
      // A render in flight does not keep a process alive that has nothing else to do.
      holdWhileWaiting: false,
    });
  }

  /** Whether the thread is up now (it ends after idleMs without work). */
  get running(): boolean {
    return this.requests.running;
  }

  /** The frame of the file at `path`, rendered on the thread; rejects if the thread dies meanwhile. */
  render(path: string, request: RenderRequest): Promise<RenderedFrame> {
    return this.requests.request({ path, request } satisfies Omit<PreviewRequest, 'id'>);
  }

  /** Ends the thread now; a render it still holds fails. */
  stop(): Promise<void> {
    return this.requests.stop();
  }
}
