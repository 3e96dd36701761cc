/**
 * End to end: modality (storescu) -> gateway A -> `dicom-gateway send` -> gateway B. Since the meta
 * group is deterministic and the dataset travels untouched, A's and B's files must be the same
 * whole files, and their dataset regions the original's.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storescu } from '../helpers/dcmtk.ts';
import { writeP10Files } from '../helpers/dicom-fixtures.ts';
import { runCli, startGateway, type GatewayProcess } from '../helpers/gateway-process.ts';
import { expectSameBytes, sopInstanceOf, splitP10, storedInstances } from '../helpers/p10-regions.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';

let work: string;
let gatewayA: GatewayProcess | undefined;
let gatewayB: GatewayProcess | undefined;

beforeEach(async () => {
  work = await makeTempDir('end-to-end-');
  // One after the other, so that if the second fails to start, afterEach still stops the first.
  gatewayA = await startGateway({ storage: join(work, 'a'), args: ['--ae', 'GATEWAY_A'] });
  gatewayB = await startGateway({ storage: join(work, 'b'), args: ['--ae', 'GATEWAY_B'] });
});

afterEach(async () => {
  await Promise.all([gatewayA?.stop(), gatewayB?.stop()]);
  gatewayA = gatewayB = undefined;
  await removeDir(work);
});

async function sendWithCli(paths: string[], to: GatewayProcess, calledAe: string): Promise<void> {
  const result = await runCli(['send', '--to', `${calledAe}@127.0.0.1:${to.port}`, '--calling-ae', 'RELAY', ...paths]);
  expect(result.code, `send -> ${calledAe}:\n${result.stdout}\n${result.stderr}\n${to.output()}`).toBe(0);
}

/** A's files, B's files (same layout, so same relative paths) and the originals by SOP Instance UID. */
async function expectSameFilesAndOriginalDatasets(originals: string[]): Promise<void> {
  const inA = await storedInstances(gatewayA!.storage);
  const inB = await storedInstances(gatewayB!.storage);
  expect(inA.size).toBe(originals.length);
  expect([...inB.keys()]).toEqual([...inA.keys()]);

  const originalDatasets = new Map<string, Buffer>();
  for (const path of originals) {
    const bytes = await readFile(path);
    originalDatasets.set(sopInstanceOf(bytes)!, splitP10(bytes, path).dataset);
  }
  for (const [relativePath, fileA] of inA) {
    const fileB = inB.get(relativePath)!;
    expectSameBytes(fileB, fileA, `${relativePath}: B's whole file vs A's`);
    const original = originalDatasets.get(sopInstanceOf(fileA)!);
    expect(original, `${relativePath} matches no original`).toBeDefined();
    expectSameBytes(splitP10(fileA).dataset, original!, `${relativePath}: A's dataset region vs the original's`);
    expectSameBytes(splitP10(fileB).dataset, original!, `${relativePath}: B's dataset region vs the original's`);
  }
}

describe('storescu -> gateway A -> dicom-gateway send -> gateway B', () => {
  it('gives identical whole files in A and B for 20 instances, with the original dataset regions', async () => {
    // Plain fixtures: storescu's re-encoding leaves their datasets as written (explicit lengths, even values).
    const originals = await writeP10Files(join(work, 'in'), 20, (i) => ({
      seed: 301,
      instanceNumber: i + 1,
      pixelDataBytes: 3_000 + 1_000 * i,
    }));
    const toA = await storescu(gatewayA!.port, originals, { calledAe: 'GATEWAY_A' });
    expect(toA.code, `${toA.stderr}\n${gatewayA!.output()}`).toBe(0);

    await sendWithCli([join(gatewayA!.storage, 'studies')], gatewayB!, 'GATEWAY_B');

    await expectSameFilesAndOriginalDatasets(originals);
  });

  it('carries the edge-case fixture gateway to gateway with every byte (storescu would re-encode it)', async () => {
    const originals = await writeP10Files(join(work, 'in'), 1, { seed: 302, edgeCases: true, pixelDataBytes: 40_000 });
    await sendWithCli(originals, gatewayA!, 'GATEWAY_A');
    await sendWithCli([join(gatewayA!.storage, 'studies')], gatewayB!, 'GATEWAY_B');

    await expectSameFilesAndOriginalDatasets(originals);
  });
});
