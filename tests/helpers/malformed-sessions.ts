/**
 * A seeded generator of Upper Layer sessions, most of them malformed, each with what PS3.8 says
 * the gateway must answer. The same seed gives the same sessions, so a failure is reproducible.
 */
import { buildDataset } from './dicom-fixtures.ts';
import { seededRandom } from './seeded-random.ts';
import {
  CT_IMAGE,
  EXPLICIT_LE,
  abortPdu,
  associateRq,
  command,
  echoRq,
  item,
  pdata,
  pdu,
  pdv,
  releaseRq,
  responseStatuses,
  type ParsedPdu,
  type RqContext,
  type SessionResult,
} from './ul-wire.ts';

export interface GeneratedSession {
  kind: string;
  parts: Buffer[];
  /** Write each part only after the gateway answered the previous one. */
  awaitEach: boolean;
  /** Returns what is wrong with the gateway's answer, or undefined when it is as PS3.8 says. */
  check(result: SessionResult): string | undefined;
}

const describePdus = (pdus: ParsedPdu[]) => pdus.map((p) => `${p.type}:${p.body.toString('hex').slice(0, 16)}`).join(' ') || 'nothing';

function expectPdus(expected: [number, string?][]): (r: SessionResult) => string | undefined {
  return (r) => {
    const ok =
      r.pdus.length === expected.length &&
      expected.every(([type, body], i) => r.pdus[i]!.type === type && (body === undefined || r.pdus[i]!.body.toString('hex') === body));
    if (!ok) return `expected ${expected.map(([t, b]) => `${t}${b ? `:${b}` : ''}`).join(' ')}, got ${describePdus(r.pdus)}`;
    if (r.ending === 'open') return 'connection still open at the deadline';
    return undefined;
  };
}

const ABORT_INVALID = '00000206';
const ABORT_UNRECOGNIZED_PARAMETER = '00000204';
const AC = 0x02;

/** Answers that are never wrong for noise: nothing, or a single RJ/A-ABORT; and the connection ends. */
function endsQuietly(r: SessionResult): string | undefined {
  if (r.ending === 'open') return 'connection still open at the deadline';
  const bad = r.pdus.filter((p) => p.type !== 0x03 && p.type !== 0x07 && p.type !== AC && p.type !== 0x04 && p.type !== 0x06);
  return bad.length ? `unexpected answer ${describePdus(r.pdus)}` : undefined;
}

export function generateSessions(seed: number, count: number): GeneratedSession[] {
  const random = seededRandom(seed);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(0, 255)));
  let uid = 0;
  const ctCtx: RqContext[] = [{ id: 1 }, { id: 3, abstractSyntax: CT_IMAGE, transferSyntaxes: [EXPLICIT_LE] }];
  /** Splits a message into PDVs of random (odd, empty) sizes, each in its own P-DATA. */
  const fragments = (contextId: number, isCommand: boolean, value: Buffer): Buffer[] => {
    const out: Buffer[] = [];
    let at = 0;
    do {
      const size = Math.min(value.length - at, int(0, 3) === 0 ? 0 : int(1, 700));
      const last = at + size >= value.length;
      out.push(pdata(pdv(contextId, (isCommand ? 1 : 0) | (last ? 2 : 0), value.subarray(at, at + size))));
      at += size;
    } while (at < value.length);
    return out;
  };
  const storeParts = (sopInstance: string, cut?: number) => {
    const dataset = buildDataset({ seed: 3000 + (uid % 50) });
    const data = cut === undefined ? dataset : dataset.subarray(0, cut);
    const cmd = command({ field: 0x0001, messageId: 7, sopClass: CT_IMAGE, sopInstance, hasDataset: true });
    return [pdata(pdv(3, 3, cmd)), ...fragments(3, false, data).slice(0, cut === undefined ? undefined : -1)];
  };

  const makers: (() => GeneratedSession)[] = [
    () => ({ kind: 'noise', parts: [bytes(int(1, 3000))], awaitEach: false, check: endsQuietly }),
    () => {
      const rq = associateRq({ contexts: ctCtx });
      return { kind: 'truncated A-ASSOCIATE-RQ', parts: [rq.subarray(0, int(1, rq.length - 1))], awaitEach: false, check: expectPdus([]) };
    },
    () => {
      const header = Buffer.from([0x01, 0, 0, 0, 0, 0]);
      header.writeUInt32BE(int(300 * 1024, 0xffffffff), 2);
      return {
        kind: 'over-long A-ASSOCIATE-RQ',
        parts: [Buffer.concat([header, bytes(int(0, 100))])],
        awaitEach: false,
        check: expectPdus([]),
      };
    },
    () => {
      const rq = associateRq({ contexts: ctCtx });
      // Corrupt the length of one item of the variable part so it runs past the PDU.
      const itemStarts: number[] = [];
      for (let o = 74; o + 4 <= rq.length; o += 4 + rq.readUInt16BE(o + 2)) itemStarts.push(o);
      const at = itemStarts[int(0, itemStarts.length - 1)]!;
      rq.writeUInt16BE(rq.length - at + int(0, 5000), at + 2);
      return { kind: 'bad item length', parts: [rq], awaitEach: false, check: expectPdus([[0x07, ABORT_INVALID]]) };
    },
    () => ({
      kind: 'zero presentation contexts',
      parts: [associateRq({ contexts: [] })],
      awaitEach: false,
      check: expectPdus([[0x07, ABORT_INVALID]]),
    }),
    () => {
      const n = int(129, 400);
      return {
        kind: '129-400 presentation contexts',
        parts: [associateRq({ contexts: Array.from({ length: n }, (_, i) => ({ id: (2 * i + 1) % 256 })) })],
        awaitEach: false,
        check: expectPdus([[0x07, ABORT_INVALID]]),
      };
    },
    () => {
      const id = 2 * int(0, 127) + 1;
      return {
        kind: 'duplicate context ID',
        parts: [associateRq({ contexts: [{ id }, { id: 3 === id ? 5 : 3 }, { id }] })],
        awaitEach: false,
        check: expectPdus([[0x07, ABORT_INVALID]]),
      };
    },
    () => {
      const type = [0x11, 0x22, 0x31, 0x41, 0x60, 0x99, 0xff][int(0, 6)]!;
      return {
        kind: 'unknown item',
        parts: [associateRq({ extraItems: [item(type, bytes(int(0, 40)))] })],
        awaitEach: false,
        check: expectPdus([[0x07, ABORT_UNRECOGNIZED_PARAMETER]]),
      };
    },
    () => ({
      kind: 'protocol version without bit 0',
      parts: [associateRq({ protocolVersion: int(0, 0x7fff) * 2 })],
      awaitEach: false,
      check: expectPdus([[0x03, '00010202']]),
    }),
    () => ({
      kind: 'wrong application context',
      parts: [associateRq({ applicationContext: ['', '1.2.3', '1.2.840.10008.3.1.1.2'][int(0, 2)]! })],
      awaitEach: false,
      check: expectPdus([[0x03, '00010102']]),
    }),
    () => ({
      kind: 'C-ECHO in odd and empty PDVs, then release',
      parts: [associateRq(), Buffer.concat(fragments(1, true, echoRq(int(1, 65535)))), releaseRq()],
      awaitEach: true,
      check: (r) =>
        expectPdus([[AC], [0x04], [0x06]])(r) ?? (responseStatuses(r.pdus)[0] === 0 ? undefined : 'C-ECHO not answered with success'),
    }),
    () => {
      const id = 2 * int(2, 127) + 1;
      return {
        kind: 'PDV on a context not accepted',
        parts: [associateRq(), pdata(pdv(id, 3, echoRq()))],
        awaitEach: true,
        check: expectPdus([[AC], [0x07, ABORT_INVALID]]),
      };
    },
    () => {
      const omit = [0x00000100, 0x00000110][int(0, 1)]!;
      return {
        kind: 'command without a required element',
        parts: [associateRq(), pdata(pdv(1, 3, command({ field: 0x0030, hasDataset: false }, [omit])))],
        awaitEach: true,
        check: expectPdus([[AC], [0x07, '00000000']]),
      };
    },
    () => ({
      kind: 'unreadable command set',
      parts: [associateRq(), pdata(pdv(1, 3, bytes(int(1, 64))))],
      awaitEach: true,
      check: expectPdus([[AC], [0x07]]),
    }),
    () => ({
      kind: 'C-STORE with an unsafe SOP Instance UID',
      parts: [associateRq({ contexts: ctCtx }), Buffer.concat(storeParts(['../x', '1.02.3', '', 'a'.repeat(70)][int(0, 3)]!))],
      awaitEach: true,
      check: (r) =>
        expectPdus([[AC], [0x04]])({ ...r, ending: 'closed' }) ??
        (responseStatuses(r.pdus)[0] === 0xc000 ? undefined : `status ${responseStatuses(r.pdus)[0]}, not 0xC000`),
    }),
    () => ({
      kind: 'C-STORE in odd-sized PDVs, then release',
      parts: [associateRq({ contexts: ctCtx }), Buffer.concat(storeParts(`1.2.826.0.1.3680043.10.1.${seed}.${++uid}`)), releaseRq()],
      awaitEach: true,
      check: (r) =>
        expectPdus([[AC], [0x04], [0x06]])(r) ?? (responseStatuses(r.pdus)[0] === 0 ? undefined : `status ${responseStatuses(r.pdus)[0]}`),
    }),
    () => ({
      kind: 'release mid-dataset',
      parts: [
        associateRq({ contexts: ctCtx }),
        Buffer.concat([...storeParts(`1.2.826.0.1.3680043.10.2.${seed}.${++uid}`, 900), releaseRq()]),
      ],
      awaitEach: true,
      check: (r) =>
        r.pdus[0]?.type === AC && r.ending !== 'open' && r.pdus.every((p) => p.type !== 0x04) ? undefined : `got ${describePdus(r.pdus)}`,
    }),
    () => ({
      kind: 'abort mid-dataset',
      parts: [
        associateRq({ contexts: ctCtx }),
        Buffer.concat([...storeParts(`1.2.826.0.1.3680043.10.3.${seed}.${++uid}`, 900), abortPdu()]),
      ],
      awaitEach: true,
      check: expectPdus([[AC]]),
    }),
    () => ({
      kind: 'unknown PDU type after association',
      parts: [associateRq(), pdu(int(8, 255), bytes(int(0, 20)))],
      awaitEach: true,
      check: expectPdus([[AC], [0x07, '00000201']]),
    }),
    () => {
      const huge = Buffer.from([0x04, 0, 0, 0, 0, 0]);
      huge.writeUInt32BE(int(65537, 0xffffffff), 2);
      return {
        kind: 'P-DATA beyond our maximum PDU length',
        parts: [associateRq(), huge],
        awaitEach: true,
        check: expectPdus([[AC], [0x07, ABORT_INVALID]]),
      };
    },
    () => {
      const session = Buffer.concat([associateRq(), pdata(pdv(1, 3, echoRq())), releaseRq()]);
      for (let i = int(1, 6); i > 0; i--) session[int(0, session.length - 1)] = int(0, 255);
      return { kind: 'mutated valid session', parts: [session], awaitEach: false, check: endsQuietly };
    },
  ];
  return Array.from({ length: count }, (_, i) => makers[i % makers.length]!());
}
