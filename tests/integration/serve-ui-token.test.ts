/**
 * `serve --ui-port` keeps one access token per storage folder: a page left open works again after a
 * restart (issue 13 #3), and --rotate-ui-token makes every earlier address stop working.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { UI_DIR_ENV } from '../../src-main/api/ui-static-dir.ts';
import { startGateway } from '../helpers/gateway-process.ts';
import { waitFor } from '../helpers/wait.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';

let work: string;

beforeAll(async () => {
  work = await makeTempDir('serve-ui-token-');
  await mkdir(join(work, 'renderer'));
  await writeFile(join(work, 'renderer', 'index.html'), '<!doctype html><title>test page</title>');
  process.env[UI_DIR_ENV] = join(work, 'renderer');
});

afterAll(async () => {
  delete process.env[UI_DIR_ENV];
  await removeDir(work);
});

it('keeps the token across restarts on the same storage folder, and rotates it on request, telling an old address what to do', async () => {
  const gateway = await startGateway({ storage: join(work, 'storage'), args: ['--ui-port', '0'] });
  const first = (await waitFor('the UI line', () => /token=(\S+)$/m.exec(gateway.output()) ?? undefined))[1]!;
  await gateway.stop();
  const again = await startGateway({ storage: join(work, 'storage'), args: ['--ui-port', '0'] });
  const port = Number((await waitFor('the UI line', () => /127\.0\.0\.1:(\d+)\/\?token=/m.exec(again.output()) ?? undefined))[1]);
  try {
    expect(again.output()).toContain(`?token=${first}`);
    expect((await fetch(`http://127.0.0.1:${port}/?token=${first}`)).status).toBe(200);
  } finally {
    await again.stop();
  }
  const rotated = await startGateway({ storage: join(work, 'storage'), args: ['--ui-port', '0', '--rotate-ui-token'] });
  const rotatedPort = Number((await waitFor('the UI line', () => /127\.0\.0\.1:(\d+)\/\?token=/m.exec(rotated.output()) ?? undefined))[1]);
  try {
    expect(rotated.output()).not.toContain(`?token=${first}`);
    const refused = await fetch(`http://127.0.0.1:${rotatedPort}/?token=${first}`);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toMatch(/no valid access key.*--rotate-ui-token.*Open the address/s);
  } finally {
    await rotated.stop();
  }
});
