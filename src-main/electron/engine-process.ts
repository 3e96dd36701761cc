/**
 * The engine's own process. The Electron main process starts this file with utilityProcess.fork
 * (plain Node's child_process.fork in tests, which is the same program under Node), so the
 * fsync'd SQLite commits and the DICOM traffic never block the process that runs the window and
 * all IPC. It runs the same Gateway and ApiHost as `serve`, and answers the main process's relay.
 */
import type { ApiHost } from '../api/api-host.ts';
import { createApiHost } from '../api/gateway-api.ts';
import { commandFailureOf } from '../api/command-failure.ts';
import { Gateway } from '../gateway.ts';
import { createLogger } from '../log/logger.ts';
import { tuneHeapForStreaming } from '../runtime/heap-tuning.ts';
import { ENGINE_PROCESS_FLAG } from './desktop-engine.ts';
import type { FromEngine, MessageChannelLike, ToEngine } from './engine-messages.ts';

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

/** Electron's process.parentPort when run as a utility process; Node's IPC channel when forked by Node. */
export function parentChannel(proc: NodeJS.Process & { parentPort?: ElectronParentPort }): MessageChannelLike<ToEngine, FromEngine> {
  const port = proc.parentPort;
  if (port) return { post: (m) => port.postMessage(m), onMessage: (l) => port.on('message', (e) => l(e.data as ToEngine)) };
  if (!proc.send) throw new Error('engine-process must be started by the desktop app (utilityProcess.fork) or with an IPC channel');
  return { post: (m) => proc.send!(m), onMessage: (l) => proc.on('message', (m) => l(m as ToEngine)) };
}

const STOP_PROGRESS_MS = 250;

export function runEngineProcess(channel: MessageChannelLike<ToEngine, FromEngine>, exit: (code: number) => void): void {
  const logger = createLogger();
  let gateway: Gateway | undefined;
  let host: ApiHost | undefined;
  let stopping = false;
  // Paths chosen while the store was still opening are applied once the host exists.
  const chosenEarly: string[] = [];

  const start = async (message: Extract<ToEngine, { type: 'start' }>) => {
    try {
      gateway = await Gateway.start({ ...message.config, onListenFailure: 'stay-stopped' }, logger);
    } catch (err) {
      const reason = (err as Error).message;
      channel.post({
        type: 'start-failed',
        failure: {
          message: `The gateway could not open its storage folder ${message.config.storage}: ${reason}`,
          detail: (err as Error).stack ?? reason,
        },
      });
      return;
    }
    host = createApiHost(gateway, { uploadDir: message.uploadDir });
    host.allowPaths(chosenEarly.splice(0));
    host.subscribe((name, payload) => channel.post({ type: 'event', name, payload }));
    channel.post({
      type: 'started',
      status: (await host.dispatch('getStatus', undefined)) as Extract<FromEngine, { type: 'started' }>['status'],
    });
  };

  const command = async ({ id, command: name, args }: Extract<ToEngine, { type: 'command' }>) => {
    if (!host || stopping) {
      channel.post({
        type: 'reply',
        id,
        ok: false,
        error: { message: 'The gateway is not running.', detail: `${name}: the engine is ${stopping ? 'stopping' : 'not started'}` },
      });
      return;
    }
    try {
      channel.post({ type: 'reply', id, ok: true, result: await host.dispatch(name, args) });
    } catch (err) {
      channel.post({ type: 'reply', id, ok: false, error: commandFailureOf(err) });
    }
  };

  const stop = async (deadlineAt: string) => {
    if (stopping) return;
    stopping = true;
    const running = gateway;
    const progress = () =>
      channel.post({ type: 'event', name: 'gateway-stopping', payload: { transfers: running?.transfersInFlight() ?? 0, deadlineAt } });
    progress();
    const timer = setInterval(progress, STOP_PROGRESS_MS);
    try {
      await running?.stop();
    } catch (err) {
      logger.error('gateway.stop-failed', { error: String(err) });
    } finally {
      clearInterval(timer);
    }
    channel.post({ type: 'stopped' });
    exit(0);
  };

  channel.onMessage((message) => {
    if (message.type === 'start') void start(message);
    else if (message.type === 'command') void command(message);
    else if (message.type === 'allow-paths') {
      if (host) host.allowPaths(message.paths);
      else chosenEarly.push(...message.paths);
    } else if (message.type === 'stop') void stop(message.deadlineAt);
  });
}

// Started as a program (not imported by a test): serve the main process.
if (process.argv.includes(ENGINE_PROCESS_FLAG)) {
  tuneHeapForStreaming();
  runEngineProcess(parentChannel(process), (code) => {
    // Let the 'stopped' message leave before the process ends.
    setImmediate(() => process.exit(code));
  });
}
