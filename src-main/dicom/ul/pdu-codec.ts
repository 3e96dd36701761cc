/**
 * Encoding and decoding of the Upper Layer PDUs other than P-DATA (PS3.8 §9.3.2-9.3.8). Decoding
 * checks every length against its parent, so a truncated or over-long item is a PduError naming
 * what is wrong, never an exception from a Buffer read or a value read past the PDU.
 */
import { AbortReason, ItemType, PduType } from './pdu-constants.ts';

/** A PDU that cannot be decoded; answered with A-ABORT (service provider) and this reason. */
export class PduError extends Error {
  readonly abortReason: number;
  constructor(message: string, abortReason: number = AbortReason.InvalidPduParameterValue) {
    super(message);
    this.name = 'PduError';
    this.abortReason = abortReason;
  }
}

export interface ProposedPresentationContext {
  id: number;
  abstractSyntaxUid: string;
  transferSyntaxUids: string[];
}

export interface NegotiatedPresentationContext {
  id: number;
  /** ContextResult: 0 acceptance, 3 abstract syntax not supported, 4 transfer syntaxes not supported, ... */
  result: number;
  /** The accepted syntax; meaningless unless result is acceptance. */
  transferSyntaxUid: string;
}

interface AssociateCommon {
  protocolVersion: number;
  calledAe: string;
  callingAe: string;
  applicationContext: string;
  /** The largest P-DATA PDU (its length field) the sender of this PDU receives; 0: no limit. */
  maxPduLength: number;
  implementationClassUid: string;
  implementationVersionName: string;
  /** Sub-items of the user information item we do not interpret (role selection, user identity, ...). */
  hasUserInformation: boolean;
}

export interface AssociateRq extends AssociateCommon {
  contexts: ProposedPresentationContext[];
}

export interface AssociateAc extends AssociateCommon {
  contexts: NegotiatedPresentationContext[];
}

export interface AssociateRj {
  result: number;
  source: number;
  reason: number;
}

export interface AbortInfo {
  source: number;
  reason: number;
}

// --- encoding ------------------------------------------------------------------------------------

function pdu(type: number, body: Buffer): Buffer {
  const header = Buffer.alloc(6);
  header[0] = type;
  header.writeUInt32BE(body.length, 2);
  return Buffer.concat([header, body]);
}

function item(type: number, value: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header[0] = type;
  header.writeUInt16BE(value.length, 2);
  return Buffer.concat([header, value]);
}

const ascii = (text: string) => Buffer.from(text, 'latin1');

function aeField(ae: string): Buffer {
  return Buffer.from(ae.padEnd(16, ' ').slice(0, 16), 'latin1');
}

function userInformation(a: Pick<AssociateCommon, 'maxPduLength' | 'implementationClassUid' | 'implementationVersionName'>): Buffer {
  const max = Buffer.alloc(4);
  max.writeUInt32BE(a.maxPduLength >>> 0);
  const items = [item(ItemType.MaxLength, max), item(ItemType.ImplementationClassUid, ascii(a.implementationClassUid))];
  if (a.implementationVersionName) items.push(item(ItemType.ImplementationVersionName, ascii(a.implementationVersionName)));
  return item(ItemType.UserInformation, Buffer.concat(items));
}

function associateHeader(a: AssociateCommon): Buffer {
  const fixed = Buffer.alloc(68);
  fixed.writeUInt16BE(a.protocolVersion, 0);
  aeField(a.calledAe).copy(fixed, 4);
  aeField(a.callingAe).copy(fixed, 20);
  return Buffer.concat([fixed, item(ItemType.ApplicationContext, ascii(a.applicationContext))]);
}

export function encodeAssociateRq(rq: AssociateRq): Buffer {
  const contexts = rq.contexts.map((c) =>
    item(
      ItemType.PresentationContextRq,
      Buffer.concat([
        Buffer.from([c.id, 0, 0, 0]),
        item(ItemType.AbstractSyntax, ascii(c.abstractSyntaxUid)),
        ...c.transferSyntaxUids.map((ts) => item(ItemType.TransferSyntax, ascii(ts))),
      ]),
    ),
  );
  return pdu(PduType.AssociateRq, Buffer.concat([associateHeader(rq), ...contexts, userInformation(rq)]));
}

export function encodeAssociateAc(ac: AssociateAc): Buffer {
  const contexts = ac.contexts.map((c) =>
    item(
      ItemType.PresentationContextAc,
      Buffer.concat([Buffer.from([c.id, 0, c.result, 0]), item(ItemType.TransferSyntax, ascii(c.transferSyntaxUid))]),
    ),
  );
  return pdu(PduType.AssociateAc, Buffer.concat([associateHeader(ac), ...contexts, userInformation(ac)]));
}

export function encodeAssociateRj(rj: AssociateRj): Buffer {
  return pdu(PduType.AssociateRj, Buffer.from([0, rj.result, rj.source, rj.reason]));
}

export function encodeReleaseRq(): Buffer {
  return pdu(PduType.ReleaseRq, Buffer.alloc(4));
}

export function encodeReleaseRp(): Buffer {
  return pdu(PduType.ReleaseRp, Buffer.alloc(4));
}

export function encodeAbort(abort: AbortInfo): Buffer {
  return pdu(PduType.Abort, Buffer.from([0, 0, abort.source, abort.reason]));
}

// --- decoding ------------------------------------------------------------------------------------

interface Item {
  type: number;
  start: number;
  end: number;
}

/** The items between start and end of `body`; every length must end inside its parent. */
function items(body: Buffer, start: number, end: number, where: string): Item[] {
  const found: Item[] = [];
  for (let offset = start; offset < end;) {
    if (offset + 4 > end) throw new PduError(`${where}: truncated item header at byte ${offset}`);
    const length = body.readUInt16BE(offset + 2);
    const valueStart = offset + 4;
    if (valueStart + length > end) {
      throw new PduError(
        `${where}: item 0x${body[offset]!.toString(16)} at byte ${offset} claims ${length} bytes, only ${end - valueStart} left`,
      );
    }
    found.push({ type: body[offset]!, start: valueStart, end: valueStart + length });
    offset = valueStart + length;
  }
  return found;
}

function text(body: Buffer, it: Item): string {
  return body
    .toString('latin1', it.start, it.end)
    .replace(/[\0 ]+$/, '')
    .replace(/^ +/, '');
}

function decodeUserInformation(body: Buffer, it: Item) {
  let maxPduLength = 0;
  let implementationClassUid = '';
  let implementationVersionName = '';
  for (const sub of items(body, it.start, it.end, 'user information item')) {
    if (sub.type === ItemType.MaxLength) {
      if (sub.end - sub.start !== 4) throw new PduError(`maximum length sub-item has length ${sub.end - sub.start}, not 4`);
      maxPduLength = body.readUInt32BE(sub.start);
    } else if (sub.type === ItemType.ImplementationClassUid) implementationClassUid = text(body, sub);
    else if (sub.type === ItemType.ImplementationVersionName) implementationVersionName = text(body, sub);
    // Other sub-items (asynchronous operations, role selection, extended negotiation, user identity)
    // are optional extensions; not answering them declines them (PS3.7 D.3.3).
  }
  return { maxPduLength, implementationClassUid, implementationVersionName };
}

function decodeProposedContext(body: Buffer, it: Item): ProposedPresentationContext {
  if (it.end - it.start < 4) throw new PduError(`presentation context item of ${it.end - it.start} bytes`);
  const id = body[it.start]!;
  let abstractSyntaxUid: string | undefined;
  const transferSyntaxUids: string[] = [];
  for (const sub of items(body, it.start + 4, it.end, `presentation context ${id}`)) {
    if (sub.type === ItemType.AbstractSyntax) {
      if (abstractSyntaxUid !== undefined) throw new PduError(`presentation context ${id} has two abstract syntaxes`);
      abstractSyntaxUid = text(body, sub);
    } else if (sub.type === ItemType.TransferSyntax) transferSyntaxUids.push(text(body, sub));
    else
      throw new PduError(
        `presentation context ${id} has an unknown sub-item 0x${sub.type.toString(16)}`,
        AbortReason.UnrecognizedPduParameter,
      );
  }
  if (!abstractSyntaxUid) throw new PduError(`presentation context ${id} has no abstract syntax`);
  if (transferSyntaxUids.length === 0) throw new PduError(`presentation context ${id} proposes no transfer syntax`);
  return { id, abstractSyntaxUid, transferSyntaxUids };
}

function decodeAcceptedContext(body: Buffer, it: Item): NegotiatedPresentationContext {
  if (it.end - it.start < 4) throw new PduError(`presentation context item of ${it.end - it.start} bytes`);
  const id = body[it.start]!;
  const result = body[it.start + 2]!;
  const subs = items(body, it.start + 4, it.end, `presentation context ${id}`).filter((s) => s.type === ItemType.TransferSyntax);
  return { id, result, transferSyntaxUid: subs[0] ? text(body, subs[0]) : '' };
}

/** Decodes the body (after the 6-byte PDU header) of an A-ASSOCIATE-RQ or -AC. */
function decodeAssociate<C>(body: Buffer, contextType: number, decodeContext: (b: Buffer, it: Item) => C) {
  if (body.length < 68) throw new PduError(`A-ASSOCIATE PDU of ${body.length} bytes is shorter than its fixed fields (68)`);
  let applicationContext: string | undefined;
  let user: ReturnType<typeof decodeUserInformation> | undefined;
  const contexts: C[] = [];
  for (const it of items(body, 68, body.length, 'A-ASSOCIATE')) {
    if (it.type === ItemType.ApplicationContext) applicationContext = text(body, it);
    else if (it.type === contextType) contexts.push(decodeContext(body, it));
    else if (it.type === ItemType.UserInformation) user = decodeUserInformation(body, it);
    else throw new PduError(`unknown item type 0x${it.type.toString(16)} in A-ASSOCIATE`, AbortReason.UnrecognizedPduParameter);
  }
  return {
    protocolVersion: body.readUInt16BE(0),
    calledAe: body.toString('latin1', 4, 20).trim(),
    callingAe: body.toString('latin1', 20, 36).trim(),
    applicationContext: applicationContext ?? '',
    maxPduLength: user?.maxPduLength ?? 0,
    implementationClassUid: user?.implementationClassUid ?? '',
    implementationVersionName: user?.implementationVersionName ?? '',
    hasUserInformation: user !== undefined,
    contexts,
  };
}

export function decodeAssociateRq(body: Buffer): AssociateRq {
  return decodeAssociate(body, ItemType.PresentationContextRq, decodeProposedContext);
}

export function decodeAssociateAc(body: Buffer): AssociateAc {
  return decodeAssociate(body, ItemType.PresentationContextAc, decodeAcceptedContext);
}

export function decodeAssociateRj(body: Buffer): AssociateRj {
  if (body.length < 4) throw new PduError(`A-ASSOCIATE-RJ of ${body.length} bytes (4 expected)`);
  return { result: body[1]!, source: body[2]!, reason: body[3]! };
}

export function decodeAbort(body: Buffer): AbortInfo {
  if (body.length < 4) throw new PduError(`A-ABORT of ${body.length} bytes (4 expected)`);
  return { source: body[2]!, reason: body[3]! };
}
