/**
 * Raw DICOM Upper Layer bytes for tests, written here independently of the gateway's own codec,
 * so tests that feed the gateway malformed sessions do not trust the code they test.
 */
import { connect } from 'node:net';
import { implicitLeElement, uidValue, usValue } from './element-encoding.ts';

export const APP_CONTEXT = '1.2.840.10008.3.1.1.1';
export const VERIFICATION = '1.2.840.10008.1.1';
export const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';
export const IMPLICIT_LE = '1.2.840.10008.1.2';
export const EXPLICIT_LE = '1.2.840.10008.1.2.1';

export function item(type: number, value: Buffer | string): Buffer {
  const v = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
  const h = Buffer.alloc(4);
  h[0] = type;
  h.writeUInt16BE(v.length, 2);
  return Buffer.concat([h, v]);
}

export function pdu(type: number, body: Buffer): Buffer {
  const h = Buffer.alloc(6);
  h[0] = type;
  h.writeUInt32BE(body.length, 2);
  return Buffer.concat([h, body]);
}

export interface RqContext {
  id: number;
  abstractSyntax?: string;
  transferSyntaxes?: string[];
}

export interface RqOptions {
  protocolVersion?: number;
  calledAe?: string;
  callingAe?: string;
  applicationContext?: string | null;
  contexts?: RqContext[];
  maxPdu?: number;
  extraItems?: Buffer[];
}

export function presentationContext(c: RqContext): Buffer {
  return item(
    0x20,
    Buffer.concat([
      Buffer.from([c.id, 0, 0, 0]),
      item(0x30, c.abstractSyntax ?? VERIFICATION),
      ...(c.transferSyntaxes ?? [IMPLICIT_LE]).map((ts) => item(0x40, ts)),
    ]),
  );
}

export function associateRq(o: RqOptions = {}): Buffer {
  const fixed = Buffer.alloc(68);
  fixed.writeUInt16BE(o.protocolVersion ?? 1, 0);
  fixed.write((o.calledAe ?? 'GATEWAY').padEnd(16), 4, 'latin1');
  fixed.write((o.callingAe ?? 'FUZZ').padEnd(16), 20, 'latin1');
  const max = Buffer.alloc(4);
  max.writeUInt32BE(o.maxPdu ?? 16384);
  const user = item(0x50, Buffer.concat([item(0x51, max), item(0x52, '1.2.3.4')]));
  const app = o.applicationContext === null ? [] : [item(0x10, o.applicationContext ?? APP_CONTEXT)];
  const contexts = (o.contexts ?? [{ id: 1 }]).map(presentationContext);
  return pdu(0x01, Buffer.concat([fixed, ...app, ...contexts, ...(o.extraItems ?? []), user]));
}

export function pdv(contextId: number, control: number, value: Buffer): Buffer {
  const h = Buffer.alloc(6);
  h.writeUInt32BE(value.length + 2, 0);
  h[4] = contextId;
  h[5] = control;
  return Buffer.concat([h, value]);
}

export function pdata(...pdvs: Buffer[]): Buffer {
  return pdu(0x04, Buffer.concat(pdvs));
}

export const releaseRq = () => pdu(0x05, Buffer.alloc(4));
export const abortPdu = () => pdu(0x07, Buffer.alloc(4));

/** A command set; `omit` leaves out elements by tag to make it incomplete. */
export function command(
  fields: { field: number; messageId?: number; priority?: number; sopClass?: string; sopInstance?: string; hasDataset: boolean },
  omit: number[] = [],
): Buffer {
  const elements: [number, Buffer][] = [
    [0x00000002, uidValue(fields.sopClass ?? VERIFICATION)],
    [0x00000100, usValue(fields.field)],
    [0x00000110, usValue(fields.messageId ?? 1)],
    ...(fields.priority === undefined ? [] : [[0x00000700, usValue(fields.priority)] as [number, Buffer]]),
    [0x00000800, usValue(fields.hasDataset ? 0 : 0x0101)],
  ];
  if (fields.sopInstance) elements.push([0x00001000, uidValue(fields.sopInstance)]);
  const body = Buffer.concat(elements.filter(([tag]) => !omit.includes(tag)).map(([tag, v]) => implicitLeElement(tag, v)));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length);
  return Buffer.concat([implicitLeElement(0, length), body]);
}

export const echoRq = (messageId = 1) => command({ field: 0x0030, messageId, hasDataset: false });

export interface ParsedPdu {
  type: number;
  body: Buffer;
}

export function parsePdus(bytes: Buffer): ParsedPdu[] {
  const out: ParsedPdu[] = [];
  for (let o = 0; o + 6 <= bytes.length;) {
    const length = bytes.readUInt32BE(o + 2);
    out.push({ type: bytes[o]!, body: bytes.subarray(o + 6, Math.min(bytes.length, o + 6 + length)) });
    o += 6 + length;
  }
  return out;
}

/** Status of every DIMSE response found in P-DATA PDUs (single-PDV commands). */
export function responseStatuses(pdus: ParsedPdu[]): number[] {
  const statuses: number[] = [];
  for (const p of pdus.filter((x) => x.type === 0x04)) {
    const cmd = p.body.subarray(6);
    for (let o = 0; o + 8 <= cmd.length;) {
      const tag = (cmd.readUInt16LE(o) << 16) | cmd.readUInt16LE(o + 2);
      const len = cmd.readUInt32LE(o + 4);
      if (tag === 0x0900) statuses.push(cmd.readUInt16LE(o + 8));
      o += 8 + len;
    }
  }
  return statuses;
}

export interface SessionResult {
  received: Buffer;
  pdus: ParsedPdu[];
  /** 'closed': the gateway closed; 'reset': it reset the connection; 'open': still open at the deadline (we closed). */
  ending: 'closed' | 'reset' | 'open';
  elapsedMs: number;
}

/**
 * Connects, writes each part in turn (after the gateway's answer to the previous, when
 * `awaitEach`), half-closes unless `keepOpen`, and collects what comes back until the
 * gateway closes or `deadlineMs` passes.
 */
export function session(
  port: number,
  parts: Buffer[],
  opts: { keepOpen?: boolean; deadlineMs?: number; awaitEach?: boolean } = {},
): Promise<SessionResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    const chunks: Buffer[] = [];
    let ending: SessionResult['ending'] = 'closed';
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      socket.destroy();
      const received = Buffer.concat(chunks);
      resolve({ received, pdus: parsePdus(received), ending, elapsedMs: Date.now() - started });
    };
    const deadline = setTimeout(() => {
      ending = 'open';
      finish();
    }, opts.deadlineMs ?? 10_000);
    let next = 0;
    const writeNext = () => {
      if (next >= parts.length) {
        if (!opts.keepOpen) socket.end();
        return;
      }
      socket.write(parts[next++]!);
      if (!opts.awaitEach) writeNext();
    };
    socket.on('connect', writeNext);
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      if (opts.awaitEach) writeNext();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET') ending = 'reset';
    });
    socket.on('close', finish);
  });
}

/** An A-ASSOCIATE-AC accepting every context of an A-ASSOCIATE-RQ body with its first transfer syntax. */
export function acceptAll(rqBody: Buffer): Buffer {
  const items: Buffer[] = [item(0x10, APP_CONTEXT)];
  for (let o = 68; o + 4 <= rqBody.length;) {
    const type = rqBody[o]!;
    const length = rqBody.readUInt16BE(o + 2);
    if (type === 0x20) {
      const id = rqBody[o + 4]!;
      let ts = IMPLICIT_LE;
      for (let s = o + 8; s < o + 4 + length;) {
        const subLength = rqBody.readUInt16BE(s + 2);
        if (rqBody[s] === 0x40) {
          ts = rqBody.toString('latin1', s + 4, s + 4 + subLength).replace(/\0+$/, '');
          break;
        }
        s += 4 + subLength;
      }
      items.push(item(0x21, Buffer.concat([Buffer.from([id, 0, 0, 0]), item(0x40, ts)])));
    }
    o += 4 + length;
  }
  const max = Buffer.alloc(4);
  max.writeUInt32BE(16384);
  items.push(item(0x50, Buffer.concat([item(0x51, max), item(0x52, '1.2.3.4')])));
  const fixed = Buffer.from(rqBody.subarray(0, 68));
  return pdu(0x02, Buffer.concat([fixed, ...items]));
}
