/**
 * What the gateway answers to Upper Layer protocol errors (PS3.8 §9.3, as DCMTK answers them), and
 * that none of them disturbs the process: after each group, a real DCMTK echoscu still gets through.
 */
import { INLINE_LIMIT } from '../../../src-main/store/instance-store.ts';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoscu } from '../../helpers/dcmtk.ts';
import { buildDataset } from '../../helpers/dicom-fixtures.ts';
import { startGateway, type GatewayProcess } from '../../helpers/gateway-process.ts';
import { waitFor } from '../../helpers/wait.ts';
import {
  CT_IMAGE,
  EXPLICIT_LE,
  associateRq,
  command,
  echoRq,
  item,
  pdata,
  pdu,
  pdv,
  releaseRq,
  responseStatuses,
  session,
} from '../../helpers/ul-wire.ts';
import { makeTempDir, removeDir } from '../../helpers/temp-dir.ts';

let work: string;
let gateway: GatewayProcess;
const CONNECT_S = 1.5;
const IDLE_S = 2;
const PDU_S = 1.5;

beforeAll(async () => {
  work = await makeTempDir('ul-protocol-');
  const config = join(work, 'config.json');
  await writeFile(config, JSON.stringify({ timeouts: { connectSeconds: CONNECT_S, associationSeconds: IDLE_S, pduSeconds: PDU_S } }));
  gateway = await startGateway({ storage: join(work, 'store'), args: ['--config', config, '--ae', 'GATEWAY'] });
});

afterAll(async () => {
  await gateway?.stop();
  await removeDir(work);
});

const ABORT_INVALID_PARAMETER = [0x07, '00000206'];
const first = (r: { pdus: { type: number; body: Buffer }[] }) => (r.pdus[0] ? [r.pdus[0].type, r.pdus[0].body.toString('hex')] : undefined);

async function stillServing(): Promise<void> {
  const echo = await echoscu(gateway.port, { calledAe: 'GATEWAY' });
  expect(echo.code, `${echo.stdout}${echo.stderr}\n${gateway.output().slice(-2000)}`).toBe(0);
  expect(gateway.process.exitCode).toBeNull();
}

const ctx = (id: number) => ({ id });

describe('A-ASSOCIATE-RQ the library could not answer (issue 9, defect 1)', () => {
  it.each([
    ['two presentation contexts with ID 255', [ctx(255), ctx(255)]],
    ['129 contexts', [...Array.from({ length: 128 }, (_, i) => ctx(2 * i + 1)), ctx(1)]],
    ['300 contexts', Array.from({ length: 300 }, (_, i) => ctx((2 * i + 1) % 256))],
    ['no presentation context', []],
    ['an even context ID', [ctx(2)]],
  ])('answers %s with A-ABORT (service provider, invalid PDU parameter value) and keeps serving', async (_name, contexts) => {
    const result = await session(gateway.port, [associateRq({ contexts })]);
    expect(first(result)).toEqual(ABORT_INVALID_PARAMETER);
    await stillServing();
  });
});

describe('A-ASSOCIATE-RQ the standard says to reject (issue 9, defect 2)', () => {
  it.each([0, 2, 0xfffe])(
    'rejects protocol version 0x%s: RJ permanent, service provider ACSE, protocol version not supported',
    async (protocolVersion) => {
      const result = await session(gateway.port, [associateRq({ protocolVersion })]);
      expect(first(result)).toEqual([0x03, '00010202']);
    },
  );

  it.each([
    ['an empty', ''],
    ['a wrong', '1.2.3.4'],
    ['no', null],
  ])('rejects %s application context: RJ permanent, service user, application context not supported', async (_n, applicationContext) => {
    const result = await session(gateway.port, [associateRq({ applicationContext })]);
    expect(first(result)).toEqual([0x03, '00010102']);
  });

  it('aborts a request whose presentation context item claims more bytes than the PDU has', async () => {
    const rq = associateRq();
    const contextAt = rq.indexOf(Buffer.from([0x20, 0x00]), 6 + 68);
    rq.writeUInt16BE(0x4000, contextAt + 2);
    expect(first(await session(gateway.port, [rq]))).toEqual(ABORT_INVALID_PARAMETER);
  });

  it('aborts a request with an unknown item type (unrecognized PDU parameter)', async () => {
    const result = await session(gateway.port, [associateRq({ extraItems: [item(0x77, 'x')] })]);
    expect(first(result)).toEqual([0x07, '00000204']);
    await stillServing();
  });

  it('aborts a PDU of unknown type with reason unrecognized PDU, and a P-DATA before association with unexpected PDU', async () => {
    const unknown = await session(gateway.port, [associateRq(), pdu(0x0a, Buffer.alloc(4))], { awaitEach: true });
    expect(unknown.pdus.map((p) => [p.type, p.body.toString('hex')]).at(-1)).toEqual([0x07, '00000201']);
    const early = await session(gateway.port, [pdata(pdv(1, 3, echoRq()))]);
    expect(first(early)).toEqual([0x07, '00000202']);
  });
});

describe('P-DATA the association does not allow', () => {
  it('aborts a PDV on a presentation context that was rejected (issue 9, defect 2)', async () => {
    const rq = associateRq({ contexts: [{ id: 1 }, { id: 3, abstractSyntax: '1.2.840.10008.5.1.4.31' }] });
    const result = await session(gateway.port, [rq, pdata(pdv(3, 3, echoRq()))], { awaitEach: true });
    expect(result.pdus.map((p) => p.type)).toEqual([0x02, 0x07]);
    expect(result.pdus[1]!.body.toString('hex')).toBe('00000206');
  });

  it('answers C-ECHO on an accepted context, then releases', async () => {
    const result = await session(gateway.port, [associateRq(), pdata(pdv(1, 3, echoRq())), releaseRq()], { awaitEach: true });
    expect(result.pdus.map((p) => p.type)).toEqual([0x02, 0x04, 0x06]);
    expect(responseStatuses(result.pdus)).toEqual([0]);
  });

  it('aborts a command set without a Message ID, as DCMTK does (A-ABORT, service user)', async () => {
    const bad = command({ field: 0x0030, hasDataset: false }, [0x00000110]);
    const result = await session(gateway.port, [associateRq(), pdata(pdv(1, 3, bad))], { awaitEach: true });
    expect(result.pdus.map((p) => [p.type, p.body.toString('hex')]).at(-1)).toEqual([0x07, '00000000']);
  });
});

describe('PDU size limit (issue 9, defect 3)', () => {
  it('aborts an associated peer announcing a 0xFFFFFFFF-byte P-DATA, at once, without buffering it', async () => {
    const huge = Buffer.from([0x04, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
    const result = await session(gateway.port, [associateRq(), huge], { awaitEach: true, keepOpen: true, deadlineMs: 5000 });
    expect(result.pdus.map((p) => [p.type, p.body.toString('hex')])).toEqual([
      [0x02, expect.any(String)],
      [0x07, '00000206'],
    ]);
    expect(result.ending).not.toBe('open');
  });

  it('drops a connection announcing a huge PDU before any association, without an answer', async () => {
    const result = await session(gateway.port, [Buffer.from([0x01, 0, 0xff, 0xff, 0xff, 0xff, 0, 1])], {
      keepOpen: true,
      deadlineMs: 5000,
    });
    expect(result.pdus).toEqual([]);
    expect(result.ending).not.toBe('open');
  });
});

describe('timers on the receiving side (issue 9, defect 4)', () => {
  it(`closes a connection that sends nothing after ${CONNECT_S} s (ARTIM)`, async () => {
    const result = await session(gateway.port, [], { keepOpen: true, deadlineMs: 10_000 });
    expect(result.ending).not.toBe('open');
    expect(result.elapsedMs).toBeGreaterThanOrEqual(CONNECT_S * 1000 - 100);
    expect(result.elapsedMs).toBeLessThan(CONNECT_S * 1000 + 3000);
  });

  it('drops an A-ASSOCIATE-RQ trickled one byte at a time once the ARTIM time is over', async () => {
    const rq = associateRq();
    const started = Date.now();
    const socket = connect({ host: '127.0.0.1', port: gateway.port });
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    let sent = 0;
    const timer = setInterval(() => {
      if (sent < rq.length && !socket.destroyed) socket.write(rq.subarray(sent, ++sent));
    }, 100);
    await closed;
    clearInterval(timer);
    expect(sent).toBeLessThan(rq.length);
    expect(Date.now() - started).toBeLessThan(CONNECT_S * 1000 + 3000);
  });

  it(`aborts an association silent for ${IDLE_S} s`, async () => {
    const result = await session(gateway.port, [associateRq()], { keepOpen: true, deadlineMs: 10_000 });
    expect(result.pdus.map((p) => [p.type, p.body.toString('hex')])).toEqual([
      [0x02, expect.any(String)],
      [0x07, '00000200'],
    ]);
    expect(result.elapsedMs).toBeLessThan(IDLE_S * 1000 + 3000);
  });

  it(`aborts a PDU trickled over more than ${PDU_S} s`, async () => {
    const started = Date.now();
    const socket = connect({ host: '127.0.0.1', port: gateway.port });
    const chunks: Buffer[] = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write(associateRq());
    await waitFor('A-ASSOCIATE-AC', () => chunks.length > 0);
    const message = pdata(pdv(1, 3, echoRq()));
    let sent = 0;
    const timer = setInterval(() => {
      if (sent < message.length && !socket.destroyed) socket.write(message.subarray(sent, ++sent));
    }, 150);
    await closed;
    clearInterval(timer);
    expect(Date.now() - started).toBeLessThan(PDU_S * 1000 + 3000);
    expect(sent).toBeLessThan(message.length);
  });
});

describe('interrupted transfers leave nothing behind (issue 9, defect 10)', () => {
  it.each(['reset', 'abort', 'release'] as const)('removes the temp file of a C-STORE cut by a %s mid-dataset', async (how) => {
    const rq = associateRq({ contexts: [{ id: 1, abstractSyntax: CT_IMAGE, transferSyntaxes: [EXPLICIT_LE] }] });
    const dataset = buildDataset({ seed: 77 });
    const cmd = command({ field: 0x0001, sopClass: CT_IMAGE, sopInstance: `1.2.3.4.77.${how.length}`, hasDataset: true });
    const socket = connect({ host: '127.0.0.1', port: gateway.port });
    socket.on('error', () => undefined);
    const got: Buffer[] = [];
    socket.on('data', (d) => got.push(d));
    socket.write(rq);
    await waitFor('A-ASSOCIATE-AC', () => got.length > 0);
    const body = [pdata(pdv(1, 3, cmd)), pdata(pdv(1, 0, dataset.subarray(0, 1000)))];
    // Past the store's inline limit, so that the dataset spills to a temp file in .incoming/.
    const filler = Buffer.alloc(60 * 1024);
    for (let sent = 0; sent <= INLINE_LIMIT; sent += filler.length) body.push(pdata(pdv(1, 0, filler)));
    socket.write(Buffer.concat(body));
    const incoming = join(gateway.storage, '.incoming');
    await waitFor('the temp file', async () => (await readdir(incoming)).length > 0);
    if (how === 'reset') socket.resetAndDestroy();
    else socket.write(how === 'abort' ? pdu(0x07, Buffer.alloc(4)) : releaseRq());
    await waitFor('no temp file', async () => (await readdir(incoming)).length === 0, 10_000);
    socket.destroy();
    await stillServing();
  });
});
