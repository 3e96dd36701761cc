/**
 * The preview thread: renders frames (render-frame.ts) off the engine's thread, one request at a
 * time in the order they come, and answers each with the frame or the error that stopped it.
 */
import { parentPort } from 'node:worker_threads';
import type { PreviewReply, PreviewRequest } from './preview-thread.ts';
import { renderFrame } from './render-frame.ts';

const port = parentPort;
if (!port) throw new Error('preview-worker.ts runs only as a worker thread');

port.on('message', async ({ id, path, request }: PreviewRequest) => {
  let reply: PreviewReply;
  try {
    reply = { id, frame: await renderFrame(path, request) };
  } catch (err) {
    reply = { id, error: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});
