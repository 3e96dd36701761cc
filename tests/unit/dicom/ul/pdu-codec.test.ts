import { describe, expect, it } from 'vitest';
import { checkAssociateRq } from '../../../../src-main/dicom/ul/association-request-check.ts';
import {
  PduError,
  decodeAssociateAc,
  decodeAssociateRq,
  encodeAssociateAc,
  encodeAssociateRq,
  type AssociateRq,
} from '../../../../src-main/dicom/ul/pdu-codec.ts';

const rq = (over: Partial<AssociateRq> = {}): AssociateRq => ({
  protocolVersion: 1,
  calledAe: 'GATEWAY',
  callingAe: 'MODALITY',
  applicationContext: '1.2.840.10008.3.1.1.1',
  maxPduLength: 16384,
  implementationClassUid: '1.2.3',
  implementationVersionName: 'TEST',
  hasUserInformation: true,
  contexts: [{ id: 1, abstractSyntaxUid: '1.2.840.10008.1.1', transferSyntaxUids: ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1'] }],
  ...over,
});

const body = (pdu: Buffer) => pdu.subarray(6);

describe('A-ASSOCIATE codec', () => {
  it('decodes what it encodes (RQ and AC)', () => {
    expect(decodeAssociateRq(body(encodeAssociateRq(rq())))).toEqual(rq());
    const ac = { ...rq(), contexts: [{ id: 1, result: 0, transferSyntaxUid: '1.2.840.10008.1.2' }] };
    expect(decodeAssociateAc(body(encodeAssociateAc(ac)))).toEqual(ac);
  });

  it('refuses an item whose length runs past the PDU, at every truncation inside an item', () => {
    const full = body(encodeAssociateRq(rq()));
    const boundaries = new Set<number>();
    for (let offset = 68; offset < full.length; offset += 4 + full.readUInt16BE(offset + 2)) boundaries.add(offset);
    let cuts = 0;
    for (let cut = 0; cut < full.length; cut++) {
      if (boundaries.has(cut)) continue;
      cuts++;
      expect(() => decodeAssociateRq(full.subarray(0, cut)), `cut at ${cut}`).toThrow(PduError);
    }
    expect(cuts).toBeGreaterThan(100);
  });

  it('refuses an unknown item type with reason unrecognized PDU parameter', () => {
    const pdu = body(encodeAssociateRq(rq()));
    const bad = Buffer.concat([pdu, Buffer.from([0x99, 0, 0, 0])]);
    try {
      decodeAssociateRq(bad);
      expect.unreachable();
    } catch (err) {
      expect((err as PduError).abortReason).toBe(4);
    }
  });

  it('reads the fixed part AE titles without their padding', () => {
    const decoded = decodeAssociateRq(body(encodeAssociateRq(rq({ calledAe: 'A', callingAe: 'B C' }))));
    expect([decoded.calledAe, decoded.callingAe]).toEqual(['A', 'B C']);
  });
});

describe('checkAssociateRq', () => {
  it('accepts a well-formed request', () => {
    expect(checkAssociateRq(rq()).kind).toBe('valid');
  });

  it.each([0, 2, 0xfffe])('rejects protocol version 0x%s (permanent, service provider ACSE, protocol version)', (version) => {
    expect(checkAssociateRq(rq({ protocolVersion: version }))).toMatchObject({ kind: 'reject', rj: { result: 1, source: 2, reason: 2 } });
  });

  it.each(['', '1.2.3'])('rejects application context %j (permanent, service user, application context)', (name) => {
    expect(checkAssociateRq(rq({ applicationContext: name }))).toMatchObject({ kind: 'reject', rj: { result: 1, source: 1, reason: 2 } });
  });

  const ctx = (id: number) => ({ id, abstractSyntaxUid: '1.2.840.10008.1.1', transferSyntaxUids: ['1.2.840.10008.1.2'] });
  it.each([
    ['no context', []],
    ['two contexts with ID 255', [ctx(255), ctx(255)]],
    ['an even ID', [ctx(2)]],
    ['129 contexts', Array.from({ length: 129 }, (_, i) => ctx((2 * i + 1) & 0xff))],
  ])('aborts a request with %s (service provider, invalid PDU parameter value)', (_name, contexts) => {
    expect(checkAssociateRq(rq({ contexts }))).toMatchObject({ kind: 'abort', abort: { source: 2, reason: 6 } });
  });
});
