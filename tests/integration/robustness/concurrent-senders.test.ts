/** 64 DCMTK storescu at once against one serve: every instance stored byte for byte (issue 9, robustness suite). */
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStoreScp, storescu, type StoreScp } from '../../helpers/dcmtk.ts';
import { writeP10Files } from '../../helpers/dicom-fixtures.ts';
import { startGateway, type GatewayProcess } from '../../helpers/gateway-process.ts';
import { filesBySopInstance, splitP10 } from '../../helpers/p10-regions.ts';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.ts';

const SENDERS = 64;
const FILES_EACH = 3;

let work: string;
let gateway: GatewayProcess;
let scp: StoreScp;

beforeAll(async () => {
  work = await makeTempDir('concurrent-');
  gateway = await startGateway({ storage: join(work, 'store'), args: ['--ae', 'GATEWAY', '--max-associations', String(SENDERS)] });
  await mkdir(join(work, 'reference'));
  scp = await startStoreScp({ outputDir: join(work, 'reference') });
});

afterAll(async () => {
  await Promise.all([gateway?.stop(), scp?.stop()]);
  await removeDir(work);
});

describe('concurrent senders', () => {
  it(`stores ${SENDERS * FILES_EACH} instances from ${SENDERS} storescu at once, each as storescp +B received it`, async () => {
    const batches = await Promise.all(
      Array.from({ length: SENDERS }, (_, s) =>
        writeP10Files(join(work, 'in', String(s)), FILES_EACH, (i) => ({ seed: 20_000 + s * 10 + i })),
      ),
    );
    const results = await Promise.all(batches.map((files) => storescu(gateway.port, files)));
    results.forEach((r, s) => expect(r.code, `sender ${s}: ${r.stderr}`).toBe(0));
    const reference = await storescu(scp.port, batches.flat(), { calledAe: scp.aeTitle });
    expect(reference.code, reference.stderr).toBe(0);
    const expected = await filesBySopInstance(join(work, 'reference'));
    const stored = await filesBySopInstance(join(gateway.storage, 'studies'));
    expect(expected.size).toBe(SENDERS * FILES_EACH);
    expect(stored.size).toBe(SENDERS * FILES_EACH);
    for (const [sop, file] of expected) expect(splitP10(stored.get(sop)!).dataset.equals(splitP10(file).dataset), sop).toBe(true);
    expect(await readdir(join(gateway.storage, '.incoming'))).toEqual([]);
    expect(gateway.process.exitCode).toBeNull();
  }, 180_000);
});
