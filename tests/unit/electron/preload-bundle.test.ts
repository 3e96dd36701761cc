/**
 * The built preload (scripts/build-preload.ts), run the way a sandboxed Electron preload runs: one
 * CommonJS script whose `require` knows 'electron' and nothing else.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPreload, PRELOAD_OUTFILE } from '../../../scripts/build-preload.ts';
import type { GatewayBridge } from '../../../src-main/api/contract.ts';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.ts';

let dir: string;
let code: string;

beforeAll(async () => {
  dir = await makeTempDir('preload-bundle-');
  code = await readFile(await buildPreload(join(dir, 'preload.cjs')), 'utf8');
});

afterAll(async () => {
  await removeDir(dir);
});

/** Runs the bundle with a sandbox-like require; returns what it exposed and what it required. */
function runBundle(invoke: (channel: string, args: unknown) => Promise<unknown>) {
  const required: string[] = [];
  const exposed: Record<string, unknown> = {};
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
    ipcRenderer: { invoke, on() {}, removeListener() {} },
    webUtils: { getPathForFile: (file: { name: string }) => `/dropped/${file.name}` },
  };
  const module = { exports: {} };
  runInNewContext(code, {
    require: (id: string) => {
      required.push(id);
      if (id !== 'electron') throw new Error(`a sandboxed preload cannot require "${id}"`);
      return electron;
    },
    module,
    exports: module.exports,
    console,
  });
  return { exposed, required };
}

describe('the preload bundle', () => {
  it('is written next to the compiled main process by default', () => {
    expect(PRELOAD_OUTFILE.split(/[\\/]/).slice(-4)).toEqual(['dist', 'main', 'electron', 'preload.cjs']);
  });

  it('is one CommonJS script that requires only electron', () => {
    expect(code).not.toMatch(/^\s*(import|export)\s/m);
    const requires = [...code.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
    expect(new Set(requires)).toEqual(new Set(['electron']));
    const { required } = runBundle(async () => ({ ok: true, result: null }));
    expect(required).toEqual(['electron']);
  });

  it('exposes the gateway bridge, whose invoke reaches main on the command channel', async () => {
    const calls: [string, unknown][] = [];
    const { exposed } = runBundle(async (channel, args) => {
      calls.push([channel, args]);
      return { ok: true, result: { queued: 2 } };
    });
    const bridge = exposed.gateway as GatewayBridge;
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'on', 'pathsForDroppedFiles']);
    await expect(bridge.invoke('forwardStudies', { studyInstanceUids: ['1.2'], destination: 'PACS' })).resolves.toEqual({ queued: 2 });
    expect(calls).toEqual([['gateway:forwardStudies', { studyInstanceUids: ['1.2'], destination: 'PACS' }]]);
  });
});
