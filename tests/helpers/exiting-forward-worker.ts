/** A forward worker that dies on its first job, as a crashed forward thread would. */
import { parentPort } from 'node:worker_threads';

parentPort!.on('message', () => process.exit(7));
