/**
 * The forward thread: owns every association to the destinations and streams the stored files to
 * them, so that sending uses the second core while the main thread receives and keeps the index.
 * Results go back batched once per turn of this thread's event loop.
 */
import { parentPort } from 'node:worker_threads';
import { AssociationPools } from './association-pool.ts';
import { systemClock } from './clock.ts';
import type { FromWorker, JobResult, ToWorker } from './forward-messages.ts';

const port = parentPort;
if (!port) throw new Error('forward-worker.ts runs only as a worker thread');

let batch: JobResult[] = [];
const post = (message: FromWorker) => port.postMessage(message);

const pools = new AssociationPools(
  systemClock,
  {
    result(result) {
      if (batch.length === 0) setImmediate(flush);
      batch.push(result);
    },
    association(destination, event) {
      post({ type: 'association', destination, event });
    },
  },
  // This thread only sends, from the gateway's own store: a blocking read costs less than a trip through libuv's pool.
  'sync',
);

function flush(): void {
  const results = batch;
  batch = [];
  if (results.length > 0) post({ type: 'results', results });
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'send') pools.send(message.target, message.jobs);
  else if (message.type === 'stop') {
    void pools.stop().then(() => {
      flush();
      post({ type: 'stopped' });
      port.close();
    });
  }
});
