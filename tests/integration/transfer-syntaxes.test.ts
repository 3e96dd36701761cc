/**
 * Every transfer syntax family travels as is: native (implicit LE, explicit LE, explicit BE),
 * deflated, and encapsulated (several fragments). Gateway to gateway the dataset must equal the
 * source's; from storescu (which re-encodes) it must equal what storescp +B got from the same send.
 * Either way the stored (0002,0010) is the file's own syntax.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildP10Header } from '../../src-main/dicom/p10-writer.ts';
import { storescu } from '../helpers/dcmtk.ts';
import { buildP10File, FixtureTransferSyntax, SopClass, type FixtureOptions } from '../helpers/dicom-fixtures.ts';
import { runCli } from '../helpers/gateway-process.ts';
import { expectSameBytes, filesBySopInstance, splitP10, storedPath, transferSyntaxOf } from '../helpers/p10-regions.ts';
import { useReceiverPair } from '../helpers/receiver-pair.ts';

const UID_ROOT = '1.2.3.4.5.6.7.8.9';

interface Family {
  name: string;
  transferSyntaxUid: string;
  /** storescu flag that proposes this syntax so the file goes out as is. */
  storescuFlag: string;
  seed: number;
  extra?: FixtureOptions;
}

function syntaxFamily(name: string, transferSyntaxUid: string, storescuFlag: string, seed: number, extra?: FixtureOptions): Family {
  return { name, transferSyntaxUid, storescuFlag, seed, extra };
}

const TS = FixtureTransferSyntax;
const FAMILIES: Family[] = [
  syntaxFamily('implicit VR little endian', TS.ImplicitVRLittleEndian, '-xi', 401, { pixelDataBytes: 50_000 }),
  syntaxFamily('explicit VR little endian', TS.ExplicitVRLittleEndian, '-xe', 402, { pixelDataBytes: 50_000 }),
  syntaxFamily('explicit VR big endian', TS.ExplicitVRBigEndian, '-xb', 403, { pixelDataBytes: 50_000 }),
  syntaxFamily('deflated explicit VR little endian', TS.DeflatedExplicitVRLittleEndian, '-xd', 404, { pixelDataBytes: 50_000 }),
  syntaxFamily('JPEG baseline, 3 fragments', TS.JpegBaseline, '-xy', 405, { numberOfFrames: 3, pixelDataBytes: 45_000 }),
  syntaxFamily('JPEG lossless SV1, 2 fragments', TS.JpegLossless, '-xs', 406),
  syntaxFamily('JPEG 2000 lossless, 4 fragments', TS.Jpeg2000Lossless, '-xv', 407, { numberOfFrames: 4, pixelDataBytes: 8_000 }),
  syntaxFamily('RLE lossless, 2 fragments', TS.RleLossless, '-xr', 408, { pixelDataBytes: 30_000 }),
];

const receivers = useReceiverPair('transfer-syntaxes-', 'GATEWAY_B');

beforeAll(() => mkdir(join(receivers.work, 'in')));

async function writeFixture(
  opts: FixtureOptions & { seed: number },
): Promise<{ path: string; bytes: Buffer; uids: { study: string; series: string; sop: string } }> {
  const bytes = buildP10File(opts);
  const path = join(receivers.work, 'in', `${opts.seed}.dcm`);
  await writeFile(path, bytes);
  return {
    path,
    bytes,
    uids: { study: `${UID_ROOT}.1.${opts.seed}`, series: `${UID_ROOT}.2.${opts.seed}`, sop: `${UID_ROOT}.3.${opts.seed}.1` },
  };
}

async function expectStoredWithSyntax(uids: { sop: string; study: string; series: string }, transferSyntaxUid: string): Promise<Buffer> {
  const stored = await readFile(storedPath(receivers.gateway.storage, uids));
  expect(transferSyntaxOf(stored)).toBe(transferSyntaxUid);
  expectSameBytes(
    stored.subarray(0, splitP10(stored).datasetOffset),
    buildP10Header({ sopClassUid: SopClass.CT, sopInstanceUid: uids.sop, transferSyntaxUid }),
    'stored header vs the deterministic header (docs/architecture.md)',
  );
  return stored;
}

describe.each(FAMILIES)('$name ($transferSyntaxUid)', (family) => {
  it('arrives from dicom-gateway send with the source dataset region and (0002,0010) = the file syntax', async () => {
    const source = await writeFixture({ seed: family.seed, transferSyntaxUid: family.transferSyntaxUid, ...family.extra });

    const result = await runCli([
      'send',
      '--to',
      `GATEWAY_B@127.0.0.1:${receivers.gateway.port}`,
      '--calling-ae',
      'GATEWAY_A',
      source.path,
    ]);
    expect(result.code, `${result.stdout}\n${result.stderr}\n${receivers.gateway.output()}`).toBe(0);

    const stored = await expectStoredWithSyntax(source.uids, family.transferSyntaxUid);
    expectSameBytes(splitP10(stored).dataset, splitP10(source.bytes).dataset, 'stored dataset region vs source');
  });

  it(`arrives from storescu ${family.storescuFlag} as is, with the dataset storescp +B got from the same send`, async () => {
    const source = await writeFixture({ seed: family.seed + 100, transferSyntaxUid: family.transferSyntaxUid, ...family.extra });

    const [toGateway, toScp] = await Promise.all([
      storescu(receivers.gateway.port, [source.path], { calledAe: 'GATEWAY_B', extraArgs: [family.storescuFlag] }),
      storescu(receivers.scp.port, [source.path], { calledAe: receivers.scp.aeTitle, extraArgs: [family.storescuFlag] }),
    ]);
    expect(toGateway.code, `storescu -> gateway:\n${toGateway.stderr}\n${receivers.gateway.output()}`).toBe(0);
    expect(toScp.code, `storescu -> storescp:\n${toScp.stderr}`).toBe(0);

    const reference = (await filesBySopInstance(receivers.scp.outputDir)).get(source.uids.sop);
    expect(reference, 'storescp stored the file').toBeDefined();
    // storescu sent it in its own syntax (no conversion), so the reference proves "as is".
    expect(transferSyntaxOf(reference!)).toBe(family.transferSyntaxUid);

    const stored = await expectStoredWithSyntax(source.uids, family.transferSyntaxUid);
    expectSameBytes(splitP10(stored).dataset, splitP10(reference!).dataset, 'stored dataset region vs storescp +B');
  });
});
