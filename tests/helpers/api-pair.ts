/**
 * Two real gateways in a temp folder, a router (AE GATEWAY) with the UI's API host over it and an
 * archive (AE ARCHIVE) to forward to, both on port 0; the API's events are collected as they come.
 */
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { ApiHost } from '../../src-main/api/api-host.ts';
import { createApiHost } from '../../src-main/api/gateway-api.ts';
import { DEFAULT_CONFIG, Gateway } from '../../src-main/gateway.ts';
import { makeTempDir, removeDir } from './temp-dir.ts';

export interface ApiPair {
  work: string;
  router: Gateway;
  archive: Gateway;
  api: ApiHost;
  events: { name: string; payload: any }[];
  stop(): Promise<void>;
}

export async function startApiPair(prefix: string): Promise<ApiPair> {
  const work = await makeTempDir(prefix);
  const archive = await Gateway.start({
    ...DEFAULT_CONFIG,
    aeTitle: 'ARCHIVE',
    host: '127.0.0.1',
    port: 0,
    storage: join(work, 'archive'),
  });
  const router = await Gateway.start({ ...DEFAULT_CONFIG, host: '127.0.0.1', port: 0, storage: join(work, 'router') });
  const api = createApiHost(router, { uploadDir: join(work, 'uploads') });
  const events: ApiPair['events'] = [];
  api.subscribe((name, payload) => events.push({ name, payload }));
  return {
    work,
    router,
    archive,
    api,
    events,
    async stop() {
      await router.stop();
      await archive.stop();
      await removeDir(work);
    },
  };
}

/**
 * A fresh pair for each test of the calling suite, stopped after it. The parts are read through the
 * returned object, which holds the current test's pair.
 */
export function useApiPair(prefix: string): Omit<ApiPair, 'stop'> {
  let pair: ApiPair | undefined;
  beforeEach(async () => {
    pair = await startApiPair(prefix);
  });
  afterEach(async () => {
    await pair?.stop();
    pair = undefined;
  });
  const current = (): ApiPair => {
    if (!pair) throw new Error('the API pair exists only while a test of its suite runs');
    return pair;
  };
  return {
    get work() {
      return current().work;
    },
    get router() {
      return current().router;
    },
    get archive() {
      return current().archive;
    },
    get api() {
      return current().api;
    },
    get events() {
      return current().events;
    },
  };
}
