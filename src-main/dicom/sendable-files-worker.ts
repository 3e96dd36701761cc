/**
 * The header-reading thread: collects the files to send among the paths it was started with
 * (sendable-files.ts, with synchronous calls), answers once and ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { collectSendableFilesSync } from './sendable-files.ts';

if (!parentPort) throw new Error('sendable-files-worker.ts runs only as a worker thread');
parentPort.postMessage(collectSendableFilesSync(workerData as string[]));
