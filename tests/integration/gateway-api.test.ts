/** The engine's side of the UI contract, against real gateways: what the renderer can do through it. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandError } from '../../src-main/api/command-failure.ts';
import { COMMAND_SCHEMAS } from '../../src-main/api/command-schemas.ts';
import { COMMAND_NAMES } from '../../src-main/api/contract.ts';
import { createApiHost } from '../../src-main/api/gateway-api.ts';
import { DEFAULT_CONFIG, Gateway } from '../../src-main/gateway.ts';
import { serveConfigFromArgs } from '../../src-main/cli/serve-command.ts';
import { echoscu, osChosenPort, startStoreScp, type StoreScp } from '../helpers/dcmtk.ts';
import { destination } from '../helpers/destination-fixtures.ts';
import { writeP10Files } from '../helpers/dicom-fixtures.ts';
import { startApiPair, useApiPair } from '../helpers/api-pair.ts';
import { localServeArgs } from '../helpers/gateway-process.ts';
import { waitFor } from '../helpers/wait.ts';
import { makeTempDir, removeDir } from '../helpers/temp-dir.ts';
import { cleanUpAfterEachTest } from '../helpers/test-cleanup.ts';

describe('createApiHost', () => {
  const pair = useApiPair('api-');

  const archiveDestination = () => destination('archive', { port: pair.archive.address!.port });

  it('has a schema for every command of the contract', () => {
    expect(Object.keys(COMMAND_SCHEMAS).sort()).toEqual([...COMMAND_NAMES].sort());
  });

  it('refuses an unknown command and malformed arguments in plain words, with the detail', async () => {
    await expect(pair.api.dispatch('formatDisk', {})).rejects.toMatchObject({
      message: expect.stringMatching(/does not know/),
      detail: expect.stringMatching(/formatDisk/),
    });
    const refused = await pair.api.dispatch('retryJob', { jobId: 'seven' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CommandError);
    expect(refused).toMatchObject({ message: 'The request was not valid.', detail: expect.stringMatching(/retryJob: .*jobId/) });
    await expect(
      pair.api.dispatch('saveDestination', { destination: { ...archiveDestination(), allowTranscoding: 'yes' } }),
    ).rejects.toMatchObject({
      detail: expect.stringMatching(/allowTranscoding/),
    });
  });

  it('scans, sends with progress events, and reports each file and the end of the send', async () => {
    const paths = await writeP10Files(join(pair.work, 'src'), 3, (i) => ({ seed: 40 + i, pixelDataBytes: 200_000 }));
    pair.api.allowPaths([join(pair.work, 'src')]); // the user dropped the folder
    const scan = (await pair.api.dispatch('scanPaths', { paths: [join(pair.work, 'src')] })) as { files: { sopClassName: string }[] };
    expect(scan.files).toHaveLength(3);
    expect(scan.files[0]!.sopClassName).toBe('CT Image Storage');
    await pair.api.dispatch('saveDestination', { destination: archiveDestination() });
    const { sendId } = (await pair.api.dispatch('sendFiles', { paths, target: { destination: 'archive' } })) as { sendId: number };
    const finished = await waitFor('send-finished', () =>
      pair.events.find((e) => e.name === 'send-finished' && e.payload.sendId === sendId),
    );
    expect(finished.payload).toMatchObject({ sent: 3, failed: 0, cancelled: false });
    const done = pair.events.filter((e) => e.name === 'send-file-done');
    expect(done.map((e) => e.payload.statusHex)).toEqual(['0x0000', '0x0000', '0x0000']);
    const progress = pair.events.filter((e) => e.name === 'send-progress' && e.payload.fileIndex === 0);
    expect(progress.at(-1)!.payload.bytesSent).toBe(progress.at(-1)!.payload.bytesTotal);
  });

  it('compares two stored versions and shows bytes of one, names the patient of each forwarding job, and follows an instance through the digest chain', async () => {
    await pair.api.dispatch('saveDestination', { destination: archiveDestination() });
    await pair.api.dispatch('saveRules', { rules: [{ name: 'all', enabled: true, match: {}, forward: ['archive'] }] });
    const sendTo = (files: string[]) =>
      pair.api.dispatch('sendFiles', { paths: files, target: { aeTitle: 'GATEWAY', host: '127.0.0.1', port: pair.router.address!.port } });
    const [v1] = await writeP10Files(join(pair.work, 'v1'), 1, {
      seed: 77,
      sopInstanceUid: '1.2.826.0.1.3680043.9.7777.77',
      patientName: 'DOE^JANE',
    });
    const [v2] = await writeP10Files(join(pair.work, 'v2'), 1, {
      seed: 77,
      sopInstanceUid: '1.2.826.0.1.3680043.9.7777.77',
      patientName: 'DOE^JOHN',
    });
    pair.api.allowPaths([v1!, v2!]);
    await sendTo([v1!]);
    await sendTo([v2!]);
    const versions = await waitFor('two versions', async () => {
      const list = (await pair.api.dispatch('listInstances', { sopInstanceUid: '1.2.826.0.1.3680043.9.7777.77' })) as {
        instanceId: number;
      }[];
      return list.length === 2 ? list : undefined;
    });
    const report = (await pair.api.dispatch('compareFiles', {
      a: { instanceId: versions[0]!.instanceId },
      b: { instanceId: versions[1]!.instanceId },
    })) as { verdict: string; changes: Record<string, { tagPath?: string }[]> };
    expect(report.verdict).toBe('datasets-differ');
    const range = (await pair.api.dispatch('readByteRange', { file: { instanceId: versions[0]!.instanceId }, offset: 128, length: 4 })) as {
      hex: string;
    };
    expect(Buffer.from(range.hex, 'hex').toString('latin1')).toBe('DICM');

    const sent = await waitFor('both versions forwarded', async () => {
      const jobs = (await pair.api.dispatch('listJobs', { state: 'sent' })) as {
        instanceId: number;
        subject: { patientName: string; modality: string; sopClassName: string };
      }[];
      return jobs.length === 2 ? jobs : undefined;
    });
    // Each job names whose images it carries.
    const patientOf = (instanceId: number) => sent.find((j) => j.instanceId === instanceId)!.subject;
    expect(patientOf(versions[0]!.instanceId)).toMatchObject({ patientName: 'DOE^JANE', sopClassName: 'CT Image Storage' });
    expect(patientOf(versions[1]!.instanceId)).toMatchObject({ patientName: 'DOE^JOHN' });
    const chain = (await pair.api.dispatch('digestChain', { instanceId: versions[0]!.instanceId })) as {
      received: string;
      stored: { sha256: string; verdict: string };
      sent: { destination: string; verdict: string; sha256: string }[];
    };
    expect(chain.stored).toMatchObject({ sha256: chain.received, verdict: 'identical' });
    expect(chain.sent).toEqual([expect.objectContaining({ destination: 'archive', sha256: chain.received, verdict: 'identical' })]);
  });

  it('moves the listener when the port setting changes, and says so', async () => {
    const before = pair.router.address!.port;
    const settings = (await pair.api.dispatch('saveSettings', { settings: { port: 0, aeTitle: 'ROUTER2' } })) as {
      port: number;
      aeTitle: string;
    };
    expect(settings.aeTitle).toBe('ROUTER2');
    expect(settings.port).not.toBe(before);
    expect((await echoscu(settings.port, { calledAe: 'ROUTER2' })).code).toBe(0);
    expect(pair.events.some((e) => e.name === 'settings-changed' && e.payload.port === settings.port)).toBe(true);
  });
});

describe('settings saved in the UI', () => {
  const cleanup = cleanUpAfterEachTest();

  it('come back after a restart, for serve as for the desktop app, and say where each value comes from', async () => {
    const work = cleanup.removeAfter(await makeTempDir('settings-'));
    const config = { ...DEFAULT_CONFIG, host: '127.0.0.1', port: 0, storage: join(work, 'store') };
    const first = await Gateway.start({ ...config });
    expect(first.settings().sources.aeTitle).toEqual({ kind: 'default' });
    await first.applySettings({ aeTitle: 'ROUTER1', allowedCallingAes: ['CT1'] });
    await first.stop();
    // The same serve command again (no --ae): the saved AE title is used, and called.
    const { config: again } = serveConfigFromArgs(localServeArgs(config.storage));
    const second = await Gateway.start(again);
    cleanup.stopAfter(second);
    expect(second.settings()).toMatchObject({ aeTitle: 'ROUTER1', allowedCallingAes: ['CT1'] });
    expect(second.settings().sources).toMatchObject({
      aeTitle: { kind: 'saved' },
      port: { kind: 'flag', flag: '--port' },
      maxPduLength: { kind: 'default' },
    });
    expect((await echoscu(second.address!.port, { calledAe: 'ROUTER1', callingAe: 'CT1' })).code).toBe(0);
  });

  it('cannot override a flag or the config file: the flag wins at start, and Settings refuses to change it', async () => {
    const work = cleanup.removeAfter(await makeTempDir('settings-'));
    const storage = join(work, 'store');
    const first = await Gateway.start({ ...DEFAULT_CONFIG, host: '127.0.0.1', port: 0, storage });
    await first.applySettings({ aeTitle: 'ROUTER1', maxAssociations: 5 });
    await first.stop();
    const file = join(work, 'gateway.yaml');
    await writeFile(file, 'maxAssociations: 9\n');
    const { config } = serveConfigFromArgs(['--config', file, '--ae', 'FLAGGED', ...localServeArgs(storage)]);
    const g = await Gateway.start(config);
    cleanup.stopAfter(g);
    expect(g.settings()).toMatchObject({ aeTitle: 'FLAGGED', maxAssociations: 9 });
    expect(g.settings().sources.maxAssociations).toEqual({ kind: 'config-file', file, key: 'maxAssociations' });
    const api = createApiHost(g, { uploadDir: join(work, 'uploads') });
    const refused = await api.dispatch('saveSettings', { settings: { aeTitle: 'OTHER' } }).catch((e: unknown) => e);
    expect(refused).toMatchObject({
      message: 'The AE title is set by the --ae flag on the command line: change it there. A change here would be lost at the next start.',
    });
    expect(g.settings().aeTitle).toBe('FLAGGED');
    // Sending the fixed value unchanged along with a free one is fine.
    await api.dispatch('saveSettings', { settings: { aeTitle: 'FLAGGED', maxPduLength: 32768 } });
    expect(g.settings().sources.maxPduLength).toEqual({ kind: 'saved' });
  });
});

describe('forwarding on demand', () => {
  it('queues chosen instances for a destination now, and refuses an unknown destination in plain words', async () => {
    const pair = await startApiPair('forward-');
    const { work, router, archive, api } = pair;
    try {
      await api.dispatch('saveDestination', { destination: destination('archive', { port: archive.address!.port }) });
      const paths = await writeP10Files(join(work, 'src'), 2, (i) => ({ seed: 90 + i }));
      api.allowPaths(paths);
      await api.dispatch('sendFiles', { paths, target: { aeTitle: 'GATEWAY', host: '127.0.0.1', port: router.address!.port } });
      const stored = await waitFor('two stored', async () => {
        const list = (await api.dispatch('listInstances', {})) as { instanceId: number }[];
        return list.length === 2 ? list : undefined;
      });
      const ids = stored.map((i) => i.instanceId);
      expect(await api.dispatch('forwardInstances', { instanceIds: ids, destination: 'archive' })).toEqual({ queued: 2 });
      await waitFor('both at the archive', () => archive.browse.instances({}).length === 2);
      await expect(api.dispatch('forwardInstances', { instanceIds: ids, destination: 'nowhere' })).rejects.toMatchObject({
        message: 'That destination does not exist (any more).',
        detail: 'forwardInstances: no destination named "nowhere"',
      });
      const missing = Math.max(...ids) + 1000;
      await expect(api.dispatch('forwardInstances', { instanceIds: [missing], destination: 'archive' })).rejects.toMatchObject({
        message: 'That image is no longer in the store.',
        detail: `forwardInstances: no stored instance with id ${missing}`,
      });
      await expect(api.dispatch('instanceElements', { instanceId: missing })).rejects.toMatchObject({
        message: 'That image is no longer in the store.',
      });
    } finally {
      await pair.stop();
    }
  });
});

describe('recovering a destination', () => {
  it(
    'retries a destination that came back now, tells before "retry all dead" what cannot succeed, and announces every job change',
    { timeout: 120_000 },
    async () => {
      const work = await makeTempDir('recover-');
      const port = await osChosenPort(); // nothing listens there yet
      const router = await Gateway.start({
        ...DEFAULT_CONFIG,
        host: '127.0.0.1',
        port: 0,
        storage: join(work, 'router'),
        queue: { ...DEFAULT_CONFIG.queue, backoffBaseSeconds: 600, backoffMaxSeconds: 600 },
      });
      let scp: StoreScp | undefined;
      try {
        const api = createApiHost(router, { uploadDir: join(work, 'uploads') });
        const updates: { jobId: number; state: string }[] = [];
        api.subscribe((name, payload) => name === 'job-updated' && updates.push(payload as { jobId: number; state: string }));
        await api.dispatch('saveDestination', { destination: destination('pacs', { aeTitle: 'STORESCP', port }) });
        await api.dispatch('saveRules', { rules: [{ name: 'all', enabled: true, match: {}, forward: ['pacs'] }] });
        const ct = await writeP10Files(join(work, 'ct'), 2, (i) => ({ seed: 80 + i }));
        const [unknown] = await writeP10Files(join(work, 'private'), 1, { seed: 89, sopClassUid: '1.2.826.0.1.3680043.9.7777.42' });
        api.allowPaths([...ct, unknown!]); // the user chose them
        await api.dispatch('sendFiles', {
          paths: [...ct, unknown!],
          target: { aeTitle: 'GATEWAY', host: '127.0.0.1', port: router.address!.port },
        });
        const jobs = await waitFor('three jobs waiting to retry', () => {
          const list = router.jobs();
          return list.length === 3 && list.every((j) => j.state === 'retry-wait') ? list : undefined;
        });
        for (const job of jobs)
          expect(updates.filter((u) => u.jobId === job.jobId).map((u) => u.state)).toEqual(['queued', 'sending', 'retry-wait']);

        scp = await startStoreScp({ port }); // back, and not promiscuous: it refuses the private SOP class
        expect(await api.dispatch('retryDestinationNow', { destination: 'pacs' })).toEqual({ retried: 3 });
        await waitFor(
          'two sent and one dead',
          () => {
            const states = router
              .jobs()
              .map((j) => j.state)
              .sort();
            return states.join() === 'dead,sent,sent';
          },
          30_000,
        );
        const preview = (await api.dispatch('retryDeadPreview', { destination: 'pacs' })) as {
          dead: number;
          permanent: number;
          causes: { failureKind: string }[];
        };
        expect(preview).toMatchObject({ dead: 1, permanent: 1 });
        expect(preview.causes[0]!.failureKind).toBe('sop-class-refused');
        const dead = router.jobs({ state: 'dead' })[0]!;
        expect(await api.dispatch('cancelJob', { jobId: dead.jobId })).toEqual({ cancelled: true });
        expect(updates.filter((u) => u.jobId === dead.jobId).at(-1)!.state).toBe('cancelled');
      } finally {
        await router.stop();
        await scp?.stop();
        await removeDir(work);
      }
    },
  );
});
