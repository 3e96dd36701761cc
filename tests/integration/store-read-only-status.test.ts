/**
 * What the UI is told when the disk fills (issue 9's disk full, seen from the API): the engine's
 * `store-state-changed` event and `getStatus().storeReadOnly` say the store refuses images, and
 * say it again, cleared, once space returns. A real gateway on a small filesystem, real storescu.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { GatewayStatus, UiEventName } from '../../src-main/api/contract.ts';
import { createApiHost } from '../../src-main/api/gateway-api.ts';
import type { ApiHost } from '../../src-main/api/api-host.ts';
import { DEFAULT_CONFIG, Gateway } from '../../src-main/gateway.ts';
import { storeResponseStatuses, storescu } from '../helpers/dcmtk.ts';
import { buildP10File } from '../helpers/dicom-fixtures.ts';
import { fillFilesystem, mountSmallFilesystem, type SmallFilesystem } from '../helpers/small-filesystem.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

let work: string;
let smallFs: SmallFilesystem | undefined;
let gateway: Gateway | undefined;
let api: ApiHost;
const stateEvents: unknown[] = [];

beforeAll(async () => {
  work = await makeTempDir('store-read-only-');
  await mkdir(join(work, 'mnt'));
  smallFs = await mountSmallFilesystem(join(work, 'mnt'), 64 * 1024 * 1024);
  gateway = await Gateway.start({ ...DEFAULT_CONFIG, host: '127.0.0.1', port: 0, storage: join(smallFs.path, 'gateway') });
  api = createApiHost(gateway, { uploadDir: join(work, 'uploads') });
  api.subscribe((name: UiEventName, payload) => {
    if (name === 'store-state-changed') stateEvents.push(payload);
  });
});

afterAll(async () => {
  await gateway?.stop();
  await smallFs?.unmount();
  await removeDir(work);
});

const status = async () => (await api.dispatch('getStatus', undefined)) as GatewayStatus;

async function send(seed: number): Promise<string> {
  const file = join(work, `${seed}.dcm`);
  await writeFile(file, buildP10File({ seed, pixelDataBytes: 8 * 1024 }));
  const result = await storescu(gateway!.address!.port, [file], { extraArgs: ['-d'] });
  return storeResponseStatuses(result.stdout + result.stderr)[0] ?? `no status:\n${result.stdout}\n${result.stderr}`;
}

it('tells the UI when the store turns read-only on a full disk, and when it accepts images again', { timeout: 60_000 }, async () => {
  expect((await status()).storeReadOnly).toBeNull();
  const filler = join(smallFs!.path, 'filler');
  await fillFilesystem(filler);
  // Journaled in space set aside beforehand, so acknowledged; filing it then fails for want of space.
  expect(await send(700)).toBe('0x0000');
  await waitFor('the store turned read-only', () => stateEvents.length >= 1, 10_000, 20);
  expect(stateEvents).toEqual([{ readOnlyReason: expect.stringMatching(/full/), time: expect.any(String) }]);
  expect((await status()).storeReadOnly).toMatch(/full/);
  expect(await send(701)).toBe('0xa700');

  await rm(filler);
  expect(await send(702)).toBe('0x0000');
  expect(stateEvents).toHaveLength(2);
  expect(stateEvents[1]).toEqual({ readOnlyReason: null, time: expect.any(String) });
  expect((await status()).storeReadOnly).toBeNull();
});
