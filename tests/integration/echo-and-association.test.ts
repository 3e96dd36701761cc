/**
 * C-ECHO both ways, and association acceptance by calling AE title, against real DCMTK peers.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoscu, osChosenPort, startStoreScp, storescu, type StoreScp } from '../helpers/dcmtk.ts';
import { buildP10File } from '../helpers/dicom-fixtures.ts';
import { runCli, startGateway, type GatewayProcess } from '../helpers/gateway-process.ts';
import { listFilesRecursive, storedPath } from '../helpers/p10-regions.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';

const UID_ROOT = '1.2.3.4.5.6.7.8.9';

let work: string;
let open: GatewayProcess | undefined;
let guarded: GatewayProcess | undefined;
let scp: StoreScp | undefined;
let fixture: string;

beforeAll(async () => {
  work = await makeTempDir('echo-association-');
  await mkdir(join(work, 'storescp'));
  fixture = join(work, 'ct.dcm');
  await writeFile(fixture, buildP10File({ seed: 501 }));
  // One after the other, so that if one fails to start, afterAll still stops those already running.
  open = await startGateway({ storage: join(work, 'open'), args: ['--ae', 'GATEWAY'] });
  guarded = await startGateway({ storage: join(work, 'guarded'), args: ['--ae', 'GATEWAY', '--allow-calling-ae', 'MODALITY1,MODALITY2'] });
  scp = await startStoreScp({ outputDir: join(work, 'storescp') });
});

afterAll(async () => {
  await Promise.all([open?.stop(), guarded?.stop(), scp?.stop()]);
  await removeDir(work);
});

const fixtureUids = { study: `${UID_ROOT}.1.501`, series: `${UID_ROOT}.2.501`, sop: `${UID_ROOT}.3.501.1` };

describe('C-ECHO', () => {
  it('answers DCMTK echoscu with success', async () => {
    const result = await echoscu(open!.port, { calledAe: 'GATEWAY' });
    expect(result.code, `${result.stderr}\n${open!.output()}`).toBe(0);
  });

  it('dicom-gateway echo succeeds against DCMTK storescp', async () => {
    const result = await runCli(['echo', `${scp!.aeTitle}@127.0.0.1:${scp!.port}`]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it('dicom-gateway echo to a closed port exits 1 with a message naming the peer', async () => {
    const port = await osChosenPort(); // free once the probe closed it: nothing listens there
    const result = await runCli(['echo', `NOBODY@127.0.0.1:${port}`]);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout + result.stderr).toContain(`127.0.0.1:${port}`);
  });

  it('dicom-gateway echo to a web server exits 1 and says the peer answered in text, not DICOM', async () => {
    const web = createServer((_, res) => res.end('hello'));
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    try {
      const port = (web.address() as AddressInfo).port;
      const result = await runCli(['echo', `PACS@127.0.0.1:${port}`]);
      expect(result.code, result.stdout + result.stderr).toBe(1);
      expect(result.stderr).toContain(`PACS@127.0.0.1:${port}: unrecognized PDU type 0x48: the peer sent text ("HTTP/1…"), not DICOM`);
    } finally {
      web.close();
    }
  });

  it('records an IPv4 sender by its IPv4 address on a gateway listening on every interface ("::")', async () => {
    const everywhere = await startGateway({ storage: join(work, 'everywhere'), args: ['--ae', 'GATEWAY', '--host', '::'] });
    try {
      const echo = await echoscu(everywhere.port, { calledAe: 'GATEWAY' });
      expect(echo.code, echo.stderr).toBe(0);
      await expect.poll(() => everywhere.output()).toMatch(/association\.closed /);
      expect(everywhere.output()).toMatch(/association\.opened .*peer=127\.0\.0\.1:\d+/);
      expect(everywhere.output()).not.toContain('::ffff:');
    } finally {
      await everywhere.stop();
    }
  });

  it('logs a browser pointed at the DICOM port as text, not DICOM, and keeps serving', async () => {
    await expect(fetch(`http://127.0.0.1:${open!.port}/`)).rejects.toThrow();
    // The text log escapes the quotes of a value: \"GET / …\".
    await expect
      .poll(() => open!.output())
      .toMatch(/WARN {2}association\.not-requested .*the peer sent text \(\\"GET \/ …\\"\), not DICOM/);
    const echo = await echoscu(open!.port, { calledAe: 'GATEWAY' });
    expect(echo.code, echo.stderr).toBe(0);
  });
});

describe('association acceptance by calling AE title (--allow-calling-ae)', () => {
  it('rejects storescu and echoscu calling as an AE not on the list, and stores nothing', async () => {
    const store = await storescu(guarded!.port, [fixture], { calledAe: 'GATEWAY', callingAe: 'STRANGER' });
    expect(store.code).not.toBe(0);
    expect(store.stdout + store.stderr).toMatch(/Association Rejected/i);

    const echo = await echoscu(guarded!.port, { calledAe: 'GATEWAY', callingAe: 'STRANGER' });
    expect(echo.code).not.toBe(0);
    expect(echo.stdout + echo.stderr).toMatch(/Association Rejected/i);

    expect(await listFilesRecursive(join(guarded!.storage, 'studies'))).toEqual([]);
  });

  it('rejects dicom-gateway send calling as an AE not on the list with exit 1, and stores nothing', async () => {
    const result = await runCli(['send', '--to', `GATEWAY@127.0.0.1:${guarded!.port}`, '--calling-ae', 'STRANGER', fixture]);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout + result.stderr).toMatch(/reject/i);
    expect(await listFilesRecursive(join(guarded!.storage, 'studies'))).toEqual([]);
  });

  it('accepts echoscu and storescu calling as an AE on the list', async () => {
    const echo = await echoscu(guarded!.port, { calledAe: 'GATEWAY', callingAe: 'MODALITY2' });
    expect(echo.code, `${echo.stderr}\n${guarded!.output()}`).toBe(0);

    const store = await storescu(guarded!.port, [fixture], { calledAe: 'GATEWAY', callingAe: 'MODALITY1' });
    expect(store.code, `${store.stderr}\n${guarded!.output()}`).toBe(0);
    expect(existsSync(storedPath(guarded!.storage, fixtureUids))).toBe(true);
  });
});
