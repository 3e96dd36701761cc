/**
 * The filing thread: files batches of acknowledged instances (instance-filing.ts) with
 * synchronous calls (its fsyncs several at a time in libuv's pool), off the main thread, and
 * answers each batch once its files and folders are durable, or with the error that stopped it.
 * The main thread sends the next batch only once this one is answered.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { FilingReply, FilingRequest } from './filing-thread.ts';
import { InstanceFiling } from './instance-filing.ts';

const port = parentPort;
if (!port) throw new Error('filing-worker.ts runs only as a worker thread');

const filing = new InstanceFiling((workerData as { root: string }).root);

port.on('message', async ({ id, jobs }: FilingRequest) => {
  let reply: FilingReply;
  try {
    await filing.fileBatch(jobs);
    reply = { id };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    reply = { id, error: { message: e.message, code: e.code } };
  }
  port.postMessage(reply);
});
