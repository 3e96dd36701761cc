/**
 * The forward queue transcodes only for a destination whose config allows it: storescu -> serve
 * (one rule, two destinations, both `storescp +B +xi`, implicit VR little endian only) relays a JPEG
 * instance converted to the one with `allowTranscoding: true`, records the syntax it sent and the
 * digest of the bytes on the wire, and fails it for the other as 'syntax-refused', sending nothing.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobSummary, JobUpdated } from '../../src-main/api/contract.ts';
import { createApiHost } from '../../src-main/api/gateway-api.ts';
import { TransferSyntax } from '../../src-main/dicom/transfer-syntax.ts';
import { DEFAULT_CONFIG, Gateway } from '../../src-main/gateway.ts';
import { run, startStoreScp, storescu, type StoreScp } from '../helpers/dcmtk.ts';
import { startGateway, type GatewayProcess } from '../helpers/gateway-process.ts';
import { splitP10, transferSyntaxOf } from '../helpers/p10-regions.ts';
import { topLevelValue } from '../helpers/transcode-files.ts';
import { waitFor } from '../helpers/wait.ts';

const JPEG = '/usr/lib/python3/dist-packages/pydicom/data/test_files/SC_rgb_jpeg_dcmtk.dcm';
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
  const db = new DatabaseSync(join(storage, 'index.sqlite'), { readOnly: true });
  try {
    return db
      .prepare(`SELECT destination, state, failure_kind, last_error, sent_sha256, sent_transfer_syntax_uid FROM jobs ORDER BY destination`)
      .all() as unknown as JobRow[];
  } finally {
    db.close();
  }
}

describe('forward queue with allowTranscoding', () => {
  const processes: (GatewayProcess | StoreScp)[] = [];
  let work: string;
  afterAll(async () => {
    for (const p of processes) await p.stop();
    await rm(work, { recursive: true, force: true });
  });

  it(
    'relays a JPEG instance as implicit VR LE to the destination that allows it, and to the other not at all',
    { timeout: 120_000 },
    async () => {
      work = await mkdtemp(join(tmpdir(), 'forward-transcoding-'));
      const converting = await startStoreScp({
        aeTitle: 'CONVERTING',
        extraArgs: ['+xi'],
        outputDir: await mkdtemp(join(work, 'converting-')),
      });
      const strict = await startStoreScp({ aeTitle: 'STRICT', extraArgs: ['+xi'], outputDir: await mkdtemp(join(work, 'strict-')) });
      processes.push(converting, strict);
      const config = join(work, 'gateway.yaml');
      await writeFile(
        config,
        [
          'ae: GATEWAY',
          'destinations:',
          `  - { name: converting, ae: CONVERTING, host: 127.0.0.1, port: ${converting.port}, allowTranscoding: true }`,
          `  - { name: strict, ae: STRICT, host: 127.0.0.1, port: ${strict.port} }`,
          'rules:',
          '  - { name: everything, match: {}, forward: [converting, strict] }',
        ].join('\n'),
      );
      const storage = join(work, 'store');
      const gateway = await startGateway({ storage, args: ['--config', config] });
      processes.push(gateway);

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
      const dir = await mkdtemp(join(tmpdir(), 'forward-transcoding-api-'));
      const scp = await startStoreScp({ aeTitle: 'IMPLICIT', extraArgs: ['+xi'], outputDir: await mkdtemp(join(dir, 'scp-')) });
      processes.push(scp);
      const router = await Gateway.start({ ...DEFAULT_CONFIG, host: '127.0.0.1', port: 0, storage: join(dir, 'router') });
      try {
        const api = createApiHost(router, { uploadDir: join(dir, 'uploads') });
        await api.dispatch('saveDestination', {
          destination: {
            name: 'implicit',
            aeTitle: 'IMPLICIT',
            host: '127.0.0.1',
            port: scp.port,
            callingAe: undefined,
            maxPduLength: 65536,
            connectTimeoutMs: 5000,
            dimseTimeoutMs: 30_000,
            maxAssociations: 1,
            enabled: true,
            allowTranscoding: true,
          },
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
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
