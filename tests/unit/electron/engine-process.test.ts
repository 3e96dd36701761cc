/**
 * engine-process.ts driven in this process through an in-memory channel: the same messages the
 * main process sends through utilityProcess (start, command, allow-paths, stop) and what it answers.
 */
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { desktopGatewayConfig, desktopUploadDir } from '../../../src-main/electron/desktop-engine.ts';
import type { FromEngine, ToEngine } from '../../../src-main/electron/engine-messages.ts';
import { runEngineProcess } from '../../../src-main/electron/engine-process.ts';
import { writeP10Files } from '../../helpers/dicom-fixtures.ts';
import { waitFor } from '../../helpers/wait.ts';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.ts';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await removeDir(dir);
});

it('starts on its store, honours paths chosen even before it started, answers commands, and reports its drain before exiting', async () => {
  dir = await makeTempDir('engine-process-');
  const [file] = await writeP10Files(join(dir, 'chosen'), 1, { seed: 3 });
  const sent: FromEngine[] = [];
  let deliver: (message: ToEngine) => void = () => {};
  let exitCode: number | undefined;
  runEngineProcess({ post: (m) => sent.push(m), onMessage: (l) => (deliver = l) }, (code) => (exitCode = code));
  const storage = join(dir, 'store');
  deliver({ type: 'allow-paths', paths: [join(dir, 'chosen')] });
  deliver({ type: 'start', config: desktopGatewayConfig(storage, { host: '127.0.0.1', port: 0 }), uploadDir: desktopUploadDir(storage) });
  const started = await waitFor('started', () => sent.find((m) => m.type === 'started'));
  expect(started).toMatchObject({ status: { storage, listening: true } });

  deliver({ type: 'command', id: 1, command: 'readByteRange', args: { file: { path: file! }, offset: 128, length: 4 } });
  deliver({ type: 'command', id: 2, command: 'readByteRange', args: { file: { path: '/etc/shadow' }, offset: 0, length: 4 } });
  const first = await waitFor('reply 1', () => sent.find((m) => m.type === 'reply' && m.id === 1));
  const second = await waitFor('reply 2', () => sent.find((m) => m.type === 'reply' && m.id === 2));
  expect(first).toMatchObject({ ok: true, result: { hex: Buffer.from('DICM').toString('hex') } });
  expect(second).toMatchObject({ ok: false, error: { message: expect.stringMatching(/only opens files and folders you chose/) } });

  const deadlineAt = new Date(Date.now() + 15_000).toISOString();
  deliver({ type: 'stop', deadlineAt });
  await waitFor('stopped', () => sent.find((m) => m.type === 'stopped'));
  expect(sent).toContainEqual({ type: 'event', name: 'gateway-stopping', payload: { transfers: 0, deadlineAt } });
  expect(exitCode).toBe(0);
  deliver({ type: 'command', id: 3, command: 'getStatus', args: undefined });
  expect(await waitFor('reply 3', () => sent.find((m) => m.type === 'reply' && m.id === 3))).toMatchObject({
    ok: false,
    error: { message: 'The gateway is not running.' },
  });
});
