/**
 * The gateway (`serve`) and DCMTK's `storescp +B` side by side in one temp folder, for a whole test
 * file: the same storescu command goes to both, and what each stored is compared byte for byte.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startStoreScp, type StoreScp } from './dcmtk.ts';
import { startGateway, type GatewayProcess } from './gateway-process.ts';
import { makeTempDir, removeDir } from './temp-dir.ts';

export interface ReceiverPair {
  /** The temp folder: the gateway stores under gateway/, storescp writes to storescp/. */
  readonly work: string;
  readonly gateway: GatewayProcess;
  readonly scp: StoreScp;
}

/** Started before the file's tests (the gateway listening as `aeTitle`) and stopped after them. */
export function useReceiverPair(prefix: string, aeTitle: string): ReceiverPair {
  let work: string | undefined;
  let gateway: GatewayProcess | undefined;
  let scp: StoreScp | undefined;
  beforeAll(async () => {
    work = await makeTempDir(prefix);
    await mkdir(join(work, 'storescp'));
    // One after the other, so that if the second fails to start, afterAll still stops the first.
    gateway = await startGateway({ storage: join(work, 'gateway'), args: ['--ae', aeTitle] });
    scp = await startStoreScp({ outputDir: join(work, 'storescp') });
  });
  afterAll(async () => {
    await Promise.all([gateway?.stop(), scp?.stop()]);
    if (work) await removeDir(work);
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the receiver pair is not started (used outside its tests?)');
    return value;
  };
  return {
    get work() {
      return started(work);
    },
    get gateway() {
      return started(gateway);
    },
    get scp() {
      return started(scp);
    },
  };
}
