/**
 * One gateway per storage folder (issue 9, defect 11): a second `serve` on a folder in use exits
 * with an error naming the folder and the first one's PID, and its start touches nothing of the
 * first one's (an in-flight temp file survives). Once the holder dies, even by SIGKILL, the
 * folder can be used again (the kernel dropped the lock).
 */
import { mkdir, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { echoscu, run } from '../helpers/dcmtk.ts';
import { CLI_ENTRY, startGateway, type GatewayProcess } from '../helpers/gateway-process.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';

describe('two gateways on one storage folder', () => {
  const gateways: GatewayProcess[] = [];
  let work: string;
  afterAll(async () => {
    for (const g of gateways) await g.stop();
    await removeDir(work);
  });

  it(
    "refuses the second with the folder and the holder PID, and leaves the first one's temp files alone",
    { timeout: 60_000 },
    async () => {
      work = await makeTempDir('store-lock-');
      const storage = join(work, 'store');
      const first = await startGateway({ storage });
      gateways.push(first);
      // Stands for an instance the first gateway is receiving right now.
      await mkdir(join(storage, '.incoming'), { recursive: true });
      const inFlight = join(storage, '.incoming', 'in-flight.part');
      await writeFile(inFlight, 'half an instance');

      const second = await run(process.execPath, [CLI_ENTRY, 'serve', '--host', '127.0.0.1', '--port', '0', '--storage', storage], 30_000);

      expect(second.code, second.stderr).not.toBe(0);
      expect(second.stderr).toContain(storage);
      expect(second.stderr).toContain(`PID ${first.process.pid}`);
      expect(second.stdout).not.toMatch(/DICOM listening/);
      await expect(access(inFlight), "the first gateway's temp file").resolves.toBeUndefined();
      expect((await echoscu(first.port)).code, 'the first gateway still answers').toBe(0);

      await first.stop('SIGKILL');
      const third = await startGateway({ storage });
      gateways.push(third);
      expect((await echoscu(third.port)).code).toBe(0);
    },
  );
});
