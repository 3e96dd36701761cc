/**
 * Peers that close, reset, abort or fall silent at each step of an association: `send` and `echo`
 * settle every request with a failure naming the peer (issue 9, defect 5); a connection lost
 * mid-send costs only the file in flight (defect 6); odd-length datasets (defect 7).
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echo } from '../../../src-main/dicom/echo-scu.ts';
import { collectSendableFiles } from '../../../src-main/dicom/sendable-files.ts';
import { sendFiles } from '../../../src-main/dicom/store-scu.ts';
import { startStoreScp, type StoreScp } from '../../helpers/dcmtk.ts';
import { buildP10File, writeP10Files } from '../../helpers/dicom-fixtures.ts';
import { runCli } from '../../helpers/gateway-process.ts';
import { misbehavingPeer, PEER_FAILURES } from '../../helpers/misbehaving-peer.ts';
import { filesOpenUnder } from '../../helpers/open-files.ts';
import { filesBySopInstance, splitP10 } from '../../helpers/p10-regions.ts';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.ts';

let work: string;
let files: string[];
beforeAll(async () => {
  work = await makeTempDir('scu-failures-');
  files = await writeP10Files(join(work, 'in'), 3, { seed: 900 });
});
afterAll(() => removeDir(work));

const opts = { callingAe: 'GATEWAY', connectTimeoutMs: 3000, idleTimeoutMs: 1500 };

describe('a peer that fails at each step', () => {
  it.each(PEER_FAILURES)('echo settles with a failure naming the peer when it fails at %s by %s', async (step, act) => {
    const { port, close } = await misbehavingPeer(step, act);
    try {
      const started = Date.now();
      const result = await echo({ aeTitle: 'PEER', host: '127.0.0.1', port }, opts);
      expect(result.ok).toBe(false);
      expect(result.error).toContain(`PEER@127.0.0.1:${port}`);
      expect(Date.now() - started).toBeLessThan(6000);
    } finally {
      await close();
    }
  });

  it.each(PEER_FAILURES)(
    'send settles every file with a failure and leaves no file open when the peer fails at %s by %s',
    async (step, act) => {
      const { port, close } = await misbehavingPeer(step, act);
      try {
        const { files: sendable } = await collectSendableFiles(files);
        const results = await sendFiles(sendable, { aeTitle: 'PEER', host: '127.0.0.1', port }, opts);
        expect(results).toHaveLength(3);
        for (const r of results) {
          expect(r.ok).toBe(false);
          expect(r.error).toContain(`PEER@127.0.0.1:${port}`);
        }
        // Nor is any file left open: not the one in flight, not the next one read ahead.
        expect(await filesOpenUnder(work)).toEqual([]);
      } finally {
        await close();
      }
    },
  );

  it('dicom-gateway echo and send exit 1 with a message when the peer closes right after connecting', async () => {
    const { port, close } = await misbehavingPeer('connect', 'close');
    try {
      const e = await runCli(['echo', `PEER@127.0.0.1:${port}`]);
      expect(e.code).toBe(1);
      expect(e.stdout + e.stderr).toContain(`PEER@127.0.0.1:${port}`);
      const s = await runCli(['send', '--to', `PEER@127.0.0.1:${port}`, files[0]!]);
      expect(s.code).toBe(1);
      expect(s.stdout + s.stderr).toContain(`PEER@127.0.0.1:${port}`);
    } finally {
      await close();
    }
  });
});

describe('a connection reset mid-send (issue 9, defect 6)', () => {
  let scp: StoreScp;
  beforeAll(async () => {
    await mkdir(join(work, 'scp'));
    scp = await startStoreScp({ outputDir: join(work, 'scp') });
  });
  afterAll(() => scp?.stop());

  it('fails only the file in flight; the files not yet attempted go on a new association and arrive byte for byte', async () => {
    const many = await writeP10Files(join(work, 'many'), 20, { seed: 950 });
    const total = (await Promise.all(many.map((f) => readFile(f)))).reduce((n, b) => n + b.length, 0);
    // A proxy that resets the first connection once 40 % of the bytes went through.
    let connections = 0;
    const proxy = createServer((client) => {
      const first = ++connections === 1;
      const upstream = connect({ host: '127.0.0.1', port: scp.port });
      let forwarded = 0;
      client.on('error', () => undefined);
      upstream.on('error', () => undefined);
      client.on('data', (d: Buffer) => {
        forwarded += d.length;
        if (first && forwarded > total * 0.4) {
          client.resetAndDestroy();
          upstream.destroy();
          return;
        }
        upstream.write(d);
      });
      upstream.on('data', (d: Buffer) => client.write(d));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const port = (proxy.address() as { port: number }).port;
    try {
      const { files: sendable } = await collectSendableFiles(many);
      const results = await sendFiles(sendable, { aeTitle: scp.aeTitle, host: '127.0.0.1', port }, opts);
      const failed = results.filter((r) => !r.ok);
      expect(failed).toHaveLength(1);
      expect(connections).toBe(2);
      const stored = await filesBySopInstance(join(work, 'scp'));
      for (const r of results.filter((x) => x.ok)) {
        const source = splitP10(await readFile(r.file));
        expect(splitP10(stored.get(r.sopInstanceUid)!).dataset.equals(source.dataset), r.file).toBe(true);
      }
    } finally {
      proxy.close();
    }
  });
});

describe('odd-length datasets (issue 9, defect 7)', () => {
  let scp: StoreScp;
  beforeAll(async () => {
    await mkdir(join(work, 'scp-odd'));
    scp = await startStoreScp({ outputDir: join(work, 'scp-odd') });
  });
  afterAll(() => scp?.stop());
  const peer = () => ({ aeTitle: scp.aeTitle, host: '127.0.0.1', port: scp.port });

  it("sends pydicom's odd-length deflated image_dfl.dcm with one trailing NUL, digest and result saying so", async () => {
    const source = join(work, 'image_dfl.dcm');
    await copyFile('/usr/lib/python3/dist-packages/pydicom/data/test_files/image_dfl.dcm', source);
    const dataset = splitP10(await readFile(source)).dataset;
    expect(dataset.length % 2).toBe(1);
    const { files: sendable } = await collectSendableFiles([source]);
    const [result] = await sendFiles(sendable, peer(), opts);
    expect(result!.ok, result!.error).toBe(true);
    expect(result!.paddedBytes).toBe(1);
    expect(result!.bytes).toBe(dataset.length + 1);
    const padded = Buffer.concat([dataset, Buffer.from([0])]);
    expect(result!.sha256).toBe(createHash('sha256').update(padded).digest('hex'));
    const stored = await filesBySopInstance(join(work, 'scp-odd'));
    expect(splitP10(stored.get(result!.sopInstanceUid)!).dataset.equals(padded)).toBe(true);
  });

  it('refuses an odd-length explicit little endian dataset before sending, with a per-file error, and sends the others', async () => {
    const odd = join(work, 'odd.dcm');
    await writeFile(odd, Buffer.concat([buildP10File({ seed: 971 }), Buffer.from([0])]));
    const even = join(work, 'even.dcm');
    await writeFile(even, buildP10File({ seed: 972 }));
    const { files: sendable } = await collectSendableFiles([odd, even]);
    const results = await sendFiles(sendable, peer(), opts);
    expect(results[0]).toMatchObject({ ok: false, failureKind: 'malformed', bytes: 0 });
    expect(results[0]!.error).toMatch(/odd length/);
    expect(results[1]!.ok).toBe(true);
    const stored = await filesBySopInstance(join(work, 'scp-odd'));
    expect(stored.has(results[0]!.sopInstanceUid)).toBe(false);
  });
});
