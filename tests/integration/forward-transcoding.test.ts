/**
 * The forward queue transcodes only for a destination whose config allows it: storescu -> serve
 * (one rule, two destinations, both `storescp +B +xi`, implicit VR little endian only) relays a JPEG
 * instance converted to the one with `allowTranscoding: true`, records the syntax it sent and the
 * digest of the bytes on the wire, and fails it for the other as 'syntax-refused', sending nothing.
 * The same for pydicom's JPEG-LS and JPEG 2000 files, each decoded as DCMTK (or the uncompressed
 * original) has it, each hop's digest chain naming both syntaxes.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JobSummary, JobUpdated } from '../../src-main/api/contract.ts';
import { createApiHost } from '../../src-main/api/gateway-api.ts';
import { TransferSyntax } from '../../src-main/dicom/transfer-syntax.ts';
import { DEFAULT_CONFIG, Gateway } from '../../src-main/gateway.ts';
import { run, startStoreScp, storescu } from '../helpers/dcmtk.ts';
import { destination } from '../helpers/destination-fixtures.ts';
import { startGateway } from '../helpers/gateway-process.ts';
import { selectFromIndex } from '../helpers/index-database.ts';
import { splitP10, transferSyntaxOf } from '../helpers/p10-regions.ts';
import { dcmtkElementLines, topLevelValue } from '../helpers/transcode-files.ts';
import { writeRelayConfig } from '../helpers/relay-setup.ts';
import { cleanUpAfterSuite } from '../helpers/test-cleanup.ts';
import { waitFor } from '../helpers/wait.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';

const PYDICOM = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
const JPEG = join(PYDICOM, 'SC_rgb_jpeg_dcmtk.dcm');
const PIXEL_DATA = 0x7fe00010;

interface JobRow {
  destination: string;
  state: string;
  failure_kind: string | null;
  last_error: string | null;
  sent_sha256: string | null;
  sent_transfer_syntax_uid: string | null;
}

function jobs(storage: string): JobRow[] {
  return selectFromIndex<JobRow>(
    storage,
    'SELECT destination, state, failure_kind, last_error, sent_sha256, sent_transfer_syntax_uid FROM jobs ORDER BY destination',
  );
}

describe('forward queue with allowTranscoding', () => {
  const cleanup = cleanUpAfterSuite();

  it(
    'relays a JPEG instance as implicit VR LE to the destination that allows it, and to the other not at all',
    { timeout: 120_000 },
    async () => {
      const work = cleanup.removeAfter(await makeTempDir('forward-transcoding-'));
      const converting = cleanup.stopAfter(
        await startStoreScp({ aeTitle: 'CONVERTING', extraArgs: ['+xi'], outputDir: await mkdtemp(join(work, 'converting-')) }),
      );
      const strict = cleanup.stopAfter(
        await startStoreScp({ aeTitle: 'STRICT', extraArgs: ['+xi'], outputDir: await mkdtemp(join(work, 'strict-')) }),
      );
      const config = await writeRelayConfig(work, [
        { name: 'converting', peer: converting, allowTranscoding: true },
        { name: 'strict', peer: strict },
      ]);
      const storage = join(work, 'store');
      const gateway = cleanup.stopAfter(await startGateway({ storage, args: ['--config', config] }));

      // -xy: storescu proposes JPEG baseline, so the gateway stores the file's own bytes.
      const sent = await storescu(gateway.port, [JPEG], { extraArgs: ['-xy'] });
      expect(sent.code, sent.stderr).toBe(0);
      const settled = await waitFor(
        'both jobs settled',
        () => {
          const rows = jobs(storage);
          return rows.length === 2 && rows.every((r) => r.state === 'sent' || r.state === 'dead') ? rows : undefined;
        },
        60_000,
      );

      const [toConverting, toStrict] = settled;
      expect(toConverting).toMatchObject({
        destination: 'converting',
        state: 'sent',
        sent_transfer_syntax_uid: TransferSyntax.ImplicitVRLittleEndian,
      });
      const [received] = await readdir(converting.outputDir);
      const receivedPath = join(converting.outputDir, received!);
      const bytes = await readFile(receivedPath);
      expect(transferSyntaxOf(bytes)).toBe(TransferSyntax.ImplicitVRLittleEndian);
      // The recorded digest is of what went on the wire, which storescp +B wrote as it came.
      expect(toConverting!.sent_sha256).toBe(createHash('sha256').update(splitP10(bytes).dataset).digest('hex'));

      const reference = join(work, 'dcmdjpeg.dcm');
      const decoded = await run('dcmdjpeg', [JPEG, reference]);
      expect(decoded.code, decoded.stderr).toBe(0);
      expect((await topLevelValue(receivedPath, PIXEL_DATA))!.equals((await topLevelValue(reference, PIXEL_DATA))!)).toBe(true);

      expect(toStrict).toMatchObject({
        destination: 'strict',
        state: 'dead',
        failure_kind: 'syntax-refused',
        sent_sha256: null,
        sent_transfer_syntax_uid: null,
      });
      expect(toStrict!.last_error).toMatch(/JPEG Baseline/);
      expect(await readdir(strict.outputDir)).toEqual([]);
    },
  );

  it(
    'saved through the API, a destination that allows transcoding gets the JPEG converted, and its job, its sent event and the digest chain say so',
    { timeout: 120_000 },
    async () => {
      const dir = await makeTempDir('forward-transcoding-api-');
      const scp = cleanup.stopAfter(
        await startStoreScp({ aeTitle: 'IMPLICIT', extraArgs: ['+xi'], outputDir: await mkdtemp(join(dir, 'scp-')) }),
      );
      const router = await Gateway.start({ ...DEFAULT_CONFIG, host: '127.0.0.1', port: 0, storage: join(dir, 'router') });
      try {
        const api = createApiHost(router, { uploadDir: join(dir, 'uploads') });
        await api.dispatch('saveDestination', {
          destination: destination('implicit', { port: scp.port, dimseTimeoutMs: 30_000, allowTranscoding: true }),
        });
        await api.dispatch('saveRules', { rules: [{ name: 'all', enabled: true, match: {}, forward: ['implicit'] }] });
        api.allowPaths([JPEG]); // the user chose it
        const updates: JobUpdated[] = [];
        router.events.on('job-updated', (u) => updates.push(u));
        await api.dispatch('sendFiles', { paths: [JPEG], target: { aeTitle: 'GATEWAY', host: '127.0.0.1', port: router.address!.port } });
        await waitFor('the job sent', async () => ((await api.dispatch('listJobs', { state: 'sent' })) as unknown[]).length === 1, 60_000);
        // The Queue can say "bytes changed (transcoded)": the job and its 'sent' event name the syntax sent.
        const [job] = (await api.dispatch('listJobs', { state: 'sent' })) as JobSummary[];
        expect(job!.sentTransferSyntaxUid).toBe(TransferSyntax.ImplicitVRLittleEndian);
        expect(updates.find((u) => u.state === 'sent')).toMatchObject({ sentTransferSyntaxUid: TransferSyntax.ImplicitVRLittleEndian });
        const [instance] = (await api.dispatch('listInstances', {})) as { instanceId: number }[];
        const chain = (await api.dispatch('digestChain', { instanceId: instance!.instanceId })) as {
          received: string;
          sent: { destination: string; sha256: string; verdict: string; transcoded?: string }[];
        };
        const [received] = await readdir(scp.outputDir);
        const wire = createHash('sha256')
          .update(splitP10(await readFile(join(scp.outputDir, received!))).dataset)
          .digest('hex');
        expect(chain.sent).toEqual([
          {
            destination: 'implicit',
            sha256: wire,
            sentAt: expect.any(String),
            verdict: 'changed',
            state: 'sent',
            reason: null,
            transcoded: 'transcoded: JPEG Baseline (Process 1) (1.2.840.10008.1.2.4.50) -> Implicit VR Little Endian (1.2.840.10008.1.2)',
          },
        ]);
        expect(wire).not.toBe(chain.received);
      } finally {
        await router.stop();
        await removeDir(dir);
      }
    },
  );

  it(
    'forwards pydicom JPEG-LS and JPEG 2000 files decoded to implicit VR LE where allowed, and dead-letters each, naming its syntax, where not',
    { timeout: 180_000 },
    async () => {
      const dir = await makeTempDir('forward-transcoding-jls-j2k-');
      const converting = cleanup.stopAfter(
        await startStoreScp({ aeTitle: 'CONVERTING', extraArgs: ['+xi'], outputDir: await mkdtemp(join(dir, 'conv-')) }),
      );
      const strict = cleanup.stopAfter(
        await startStoreScp({ aeTitle: 'STRICT', extraArgs: ['+xi'], outputDir: await mkdtemp(join(dir, 'strict-')) }),
      );
      const router = await Gateway.start({ ...DEFAULT_CONFIG, host: '127.0.0.1', port: 0, storage: join(dir, 'router') });
      try {
        const api = createApiHost(router, { uploadDir: join(dir, 'uploads') });
        for (const [name, scp, allowTranscoding] of [
          ['converting', converting, true],
          ['strict', strict, false],
        ] as const) {
          await api.dispatch('saveDestination', {
            destination: destination(name, { port: scp.port, dimseTimeoutMs: 30_000, allowTranscoding }),
          });
        }
        await api.dispatch('saveRules', { rules: [{ name: 'all', enabled: true, match: {}, forward: ['converting', 'strict'] }] });
        const files = COMPRESSED.map((c) => join(PYDICOM, c.file));
        api.allowPaths(files);
        await api.dispatch('sendFiles', { paths: files, target: { aeTitle: 'GATEWAY', host: '127.0.0.1', port: router.address!.port } });
        const settled = await waitFor(
          'every job sent or dead',
          async () => {
            const all = (await api.dispatch('listJobs', {})) as {
              instanceId: number;
              destination: string;
              state: string;
              lastError: string | null;
            }[];
            return all.length === 2 * COMPRESSED.length && all.every((j) => j.state === 'sent' || j.state === 'dead') ? all : undefined;
          },
          120_000,
        );
        const instances = (await api.dispatch('listInstances', {})) as {
          instanceId: number;
          sopInstanceUid: string;
          transferSyntaxUid: string;
        }[];
        for (const c of COMPRESSED) {
          const instance = instances.find((i) => i.sopInstanceUid === c.sop && i.transferSyntaxUid === c.syntax)!;
          expect(instance, c.file).toBeDefined();
          const jobs = settled.filter((j) => j.instanceId === instance.instanceId);
          expect(jobs.find((j) => j.destination === 'converting')?.state, c.file).toBe('sent');
          const dead = jobs.find((j) => j.destination === 'strict')!;
          expect(dead.state, c.file).toBe('dead');
          expect(dead.lastError, c.file).toContain(c.name);
          const chain = (await api.dispatch('digestChain', { instanceId: instance.instanceId })) as {
            sent: { destination: string; transcoded?: string; verdict: string }[];
          };
          expect(
            chain.sent.find((hop) => hop.destination === 'converting'),
            c.file,
          ).toMatchObject({
            verdict: 'changed',
            transcoded: `transcoded: ${c.name} (${c.syntax}) -> Implicit VR Little Endian (1.2.840.10008.1.2)`,
          });
          expect(chain.sent.find((hop) => hop.destination === 'strict')?.transcoded, c.file).toBeUndefined();
        }
        expect(await readdir(strict.outputDir)).toEqual([]);
        const received = await readdir(converting.outputDir);
        expect(received).toHaveLength(COMPRESSED.length);
        for (const c of COMPRESSED) {
          const name = received.find((r) => r.includes(c.sop))!;
          expect(name, c.file).toBeDefined();
          const path = join(converting.outputDir, name);
          expect(transferSyntaxOf(await readFile(path)), c.file).toBe(TransferSyntax.ImplicitVRLittleEndian);
          const expected = await c.reference(join(dir, `${c.sop}.reference.dcm`));
          const pixels = (await topLevelValue(path, PIXEL_DATA))!;
          if (expected) expect(pixels.equals(expected), `${c.file}: pixel data as the reference decoder has it`).toBe(true);
          else expect(pixels.length, c.file).toBe(await nativeFrameBytes(path));
        }
      } finally {
        await router.stop();
        await removeDir(dir);
      }
    },
  );
});

interface CompressedFile {
  file: string;
  syntax: string;
  /** The syntax's name as the gateway writes it. */
  name: string;
  sop: string;
  /** The decoded pixel data to expect (undefined: lossy, no reference decoder here; the size is checked instead). */
  reference: (scratch: string) => Promise<Buffer | undefined>;
}

/** DCMTK's decoder's pixel data, written to `scratch`. */
function decodedBy(tool: string, file: string): CompressedFile['reference'] {
  return async (scratch) => {
    const result = await run(tool, [join(PYDICOM, file), scratch]);
    if (result.code !== 0) throw new Error(`${tool} ${file}: ${result.stderr}`);
    return topLevelValue(scratch, PIXEL_DATA);
  };
}

// SOP Instance UIDs, read once with dcmdump: storescp names what it receives by them. Files that
// share one (MR_small_jp2klossless.dcm is MR_small_jpeg_ls_lossless.dcm's image) would be one instance.
const COMPRESSED: CompressedFile[] = [
  {
    file: 'MR_small_jpeg_ls_lossless.dcm',
    syntax: '1.2.840.10008.1.2.4.80',
    name: 'JPEG-LS Lossless',
    sop: '1.3.6.1.4.1.5962.1.1.4.1.1.20040826185059.5457',
    reference: decodedBy('dcmdjpls', 'MR_small_jpeg_ls_lossless.dcm'),
  },
  // DCMTK 3.6.7 has no JPEG 2000 decoder: the frame size is checked here; the decoded values are
  // compared with an uncompressed original in transcode-jpeg2000.test.ts.
  {
    file: 'GDCMJ2K_TextGBR.dcm',
    syntax: '1.2.840.10008.1.2.4.90',
    name: 'JPEG 2000 (Lossless Only)',
    sop: '1.3.6.1.4.35045.258255395321547846922642016970312704221',
    reference: async () => undefined,
  },
  {
    file: 'JPEG2000.dcm',
    syntax: '1.2.840.10008.1.2.4.91',
    name: 'JPEG 2000',
    sop: '1.3.6.1.4.1.5962.1.1.8.1.3.20040826185059.5457',
    reference: async () => undefined,
  },
];

/** Rows x columns x samples x bytes per sample x frames, as DCMTK reads the received file's attributes. */
async function nativeFrameBytes(path: string): Promise<number> {
  const lines = await dcmtkElementLines(path);
  const value = (tag: string, fallback?: number) => {
    const line = lines.find((l) => l.startsWith(tag));
    if (!line) {
      if (fallback === undefined) throw new Error(`${path} has no ${tag}`);
      return fallback;
    }
    return Number(/(?:US|IS) \[?(\d+)/.exec(line)![1]);
  };
  return value('(0028,0010)') * value('(0028,0011)') * value('(0028,0002)') * (value('(0028,0100)') / 8) * value('(0028,0008)', 1);
}
