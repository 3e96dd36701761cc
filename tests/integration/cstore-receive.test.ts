/**
 * Receive: what DCMTK storescu sends to the gateway is stored as preamble, `DICM`, the gateway's
 * meta group and the dataset bytes exactly as they came off the wire. DCMTK `storescp +B` receiving
 * the same storescu send is the reference for "as they came off the wire": storescu re-encodes
 * deterministically, so both receivers see the same dataset bytes.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildP10Header } from '../../src-main/dicom/p10-writer.ts';
import { run, storescu } from '../helpers/dcmtk.ts';
import { buildP10File, SopClass, writeP10Files, type FixtureOptions } from '../helpers/dicom-fixtures.ts';
import { expectSameBytes, filesBySopInstance, splitP10, storedPath, transferSyntaxOf } from '../helpers/p10-regions.ts';
import { useReceiverPair } from '../helpers/receiver-pair.ts';

const UID_ROOT = '1.2.3.4.5.6.7.8.9';
const uidsFor = (seed: number, instance = 1) => ({
  study: `${UID_ROOT}.1.${seed}`,
  series: `${UID_ROOT}.2.${seed}`,
  sop: `${UID_ROOT}.3.${seed}.${instance}`,
});

const receivers = useReceiverPair('cstore-receive-', 'GATEWAY');

async function writeFixture(name: string, opts: FixtureOptions): Promise<string> {
  const path = join(receivers.work, 'in', name);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, buildP10File(opts));
  return path;
}

/** The same storescu command line, once to the gateway and once to the reference storescp. */
async function sendToBoth(files: string[], extraArgs: string[] = []): Promise<void> {
  const [toGateway, toScp] = await Promise.all([
    storescu(receivers.gateway.port, files, { calledAe: 'GATEWAY', extraArgs }),
    storescu(receivers.scp.port, files, { calledAe: receivers.scp.aeTitle, extraArgs }),
  ]);
  expect(toGateway.code, `storescu -> gateway:\n${toGateway.stderr}\n${receivers.gateway.output()}`).toBe(0);
  expect(toScp.code, `storescu -> storescp:\n${toScp.stderr}`).toBe(0);
}

async function referenceFile(sopInstanceUid: string): Promise<Buffer> {
  const reference = (await filesBySopInstance(receivers.scp.outputDir)).get(sopInstanceUid);
  if (!reference) throw new Error(`storescp stored nothing for ${sopInstanceUid}`);
  return reference;
}

async function seriesFolderEntries(uids: { study: string; series: string }): Promise<string[]> {
  return (await readdir(join(receivers.gateway.storage, 'studies', uids.study, uids.series))).sort();
}

describe('C-STORE receive from DCMTK storescu', () => {
  it.each([
    { name: 'plain explicit LE spanning several PDUs', seed: 101, opts: { pixelDataBytes: 60_000 } },
    { name: 'edge-case fixture (storescu re-encodes it; both receivers get the same bytes)', seed: 102, opts: { edgeCases: true } },
  ])('stores $name as zero preamble, DICM, its own meta group and the dataset storescp +B received', async ({ seed, opts }) => {
    const file = await writeFixture(`${seed}.dcm`, { seed, ...opts });
    await sendToBoth([file]);
    const uids = uidsFor(seed);

    const storedFile = storedPath(receivers.gateway.storage, uids);
    const stored = await readFile(storedFile);
    const reference = await referenceFile(uids.sop);
    const mine = splitP10(stored, storedFile);
    const theirs = splitP10(reference, 'storescp file');

    expectSameBytes(mine.preamble, Buffer.alloc(128), 'preamble');
    expect(mine.prefix.toString('latin1')).toBe('DICM');
    expectSameBytes(mine.dataset, theirs.dataset, 'dataset region, gateway vs storescp +B');

    // (0002,0010) is the syntax negotiated on this association, which storescp +B records as well.
    const negotiated = transferSyntaxOf(reference)!;
    expect(transferSyntaxOf(stored)).toBe(negotiated);
    expectSameBytes(
      stored.subarray(0, mine.datasetOffset),
      buildP10Header({ sopClassUid: SopClass.CT, sopInstanceUid: uids.sop, transferSyntaxUid: negotiated }),
      'preamble + DICM + meta group vs the deterministic header (docs/architecture.md)',
    );

    const dump = await run('dcmdump', ['-q', '-Un', storedFile]);
    expect(dump.code, `dcmdump ${storedFile}:\n${dump.stderr}`).toBe(0);
    expect(/\(0002,0010\) UI \[([^\]]*)\]/.exec(dump.stdout)?.[1]).toBe(negotiated);

    expect((await stat(storedFile)).size).toBe(132 + mine.meta.length + theirs.dataset.length);
  });

  it('takes storage classes outside the 1.2.840.10008.5.1.4.1.1 arc (Hanging Protocol, Color Palette), which storescp refuses', async () => {
    const classes = [
      { seed: 150, sopClassUid: '1.2.840.10008.5.1.4.38.1' },
      { seed: 151, sopClassUid: '1.2.840.10008.5.1.4.39.1' },
    ];
    const files = await Promise.all(classes.map((c) => writeFixture(`${c.seed}.dcm`, c)));
    // storescu proposes them only with -R (its default list holds neither); DCMTK's storescp
    // refuses both, even promiscuous (-pm), so there is no DCMTK copy to compare bytes with here.
    const sent = await storescu(receivers.gateway.port, files, { calledAe: 'GATEWAY', extraArgs: ['-R'] });
    expect(sent.code, `storescu -> gateway:\n${sent.stderr}\n${receivers.gateway.output()}`).toBe(0);
    for (const { seed, sopClassUid } of classes) {
      const storedFile = storedPath(receivers.gateway.storage, uidsFor(seed));
      const dump = await run('dcmdump', ['-q', '-Un', storedFile]);
      expect(dump.code, `dcmdump ${storedFile}:\n${dump.stderr}`).toBe(0);
      expect(/\(0008,0016\) UI \[([^\]]*)\]/.exec(dump.stdout)?.[1]).toBe(sopClassUid);
    }
  });

  it('stores three instances with distinct SOP Instance UIDs sent on one association as three files', async () => {
    const seed = 103;
    const files = await writeP10Files(join(receivers.work, 'in', 'three'), 3, { seed, pixelDataBytes: 2_000 });
    await sendToBoth(files);

    expect(await seriesFolderEntries(uidsFor(seed))).toEqual([1, 2, 3].map((i) => `${uidsFor(seed, i).sop}.dcm`));
    for (const i of [1, 2, 3]) {
      const uids = uidsFor(seed, i);
      const stored = await readFile(storedPath(receivers.gateway.storage, uids));
      const reference = await referenceFile(uids.sop);
      expectSameBytes(splitP10(stored).dataset, splitP10(reference).dataset, `instance ${i} dataset region`);
      expect(stored.length).toBe(132 + splitP10(stored).meta.length + splitP10(reference).dataset.length);
    }
  });

  it('keeps one file when the same instance is sent twice (a duplicate, not a new file)', async () => {
    const seed = 104;
    const uids = uidsFor(seed);
    const file = await writeFixture(`${seed}.dcm`, { seed });

    const first = await storescu(receivers.gateway.port, [file]);
    expect(first.code, first.stderr).toBe(0);
    const afterFirst = await readFile(storedPath(receivers.gateway.storage, uids));

    const second = await storescu(receivers.gateway.port, [file]);
    expect(second.code, `a duplicate is not a failure for the sender:\n${second.stderr}`).toBe(0);

    expect(await seriesFolderEntries(uids)).toEqual([`${uids.sop}.dcm`]);
    expectSameBytes(await readFile(storedPath(receivers.gateway.storage, uids)), afterFirst, 'file after the duplicate');
  });

  it('keeps a changed dataset with the same SOP Instance UID as .v2.dcm and leaves the original bytes untouched', async () => {
    const seed = 105;
    const uids = uidsFor(seed);
    const original = await writeFixture(`${seed}-v1.dcm`, { seed, patientName: 'DOE^JOHN' });
    const changed = await writeFixture(`${seed}-v2.dcm`, { seed, patientName: 'DOE^JANE' });

    const first = await storescu(receivers.gateway.port, [original]);
    expect(first.code, first.stderr).toBe(0);
    const originalBytes = await readFile(storedPath(receivers.gateway.storage, uids));

    await sendToBoth([changed]);

    expect(await seriesFolderEntries(uids)).toEqual([`${uids.sop}.dcm`, `${uids.sop}.v2.dcm`]);
    expectSameBytes(await readFile(storedPath(receivers.gateway.storage, uids)), originalBytes, 'original after a second version arrived');
    const v2 = await readFile(storedPath(receivers.gateway.storage, uids, 2));
    expectSameBytes(splitP10(v2).dataset, splitP10(await referenceFile(uids.sop)).dataset, 'v2 dataset region vs storescp +B');
    expect(splitP10(v2).dataset.equals(splitP10(originalBytes).dataset)).toBe(false);
  });
});
