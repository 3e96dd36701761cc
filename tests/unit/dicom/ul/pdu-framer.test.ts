import { describe, expect, it } from 'vitest';
import { PduFramer, type FramerEvents } from '../../../../src-main/dicom/ul/pdu-framer.ts';

function pdata(pdvs: { id: number; control: number; value: Buffer }[]): Buffer {
  const items = pdvs.map((p) => {
    const h = Buffer.alloc(6);
    h.writeUInt32BE(p.value.length + 2, 0);
    h[4] = p.id;
    h[5] = p.control;
    return Buffer.concat([h, p.value]);
  });
  const body = Buffer.concat(items);
  const header = Buffer.alloc(6);
  header[0] = 0x04;
  header.writeUInt32BE(body.length, 2);
  return Buffer.concat([header, body]);
}

function recorder(accept = (_t: number, _l: number) => true) {
  const log: string[] = [];
  const slices: Buffer[] = [];
  const events: FramerEvents = {
    pduStarted: () => log.push('start'),
    pduHeader: (t, l) => {
      log.push(`header ${t} ${l}`);
      return accept(t, l);
    },
    pdu: (t, b) => log.push(`pdu ${t} ${b.toString('hex')}`),
    pdvStarted: (id, c, l) => log.push(`pdv ${id} ${c} ${l}`),
    pdvData: (s) => {
      slices.push(s);
      log.push(`data ${s.length}`);
    },
    pdvEnded: () => log.push('pdv-end'),
    pdataEnded: () => log.push('pdata-end'),
    malformed: (m) => log.push(`malformed ${m}`),
  };
  return { log, slices, framer: new PduFramer(events) };
}

describe('PduFramer', () => {
  it('hands PDV values on as views of the chunk it was given, without copying', () => {
    const { slices, framer } = recorder();
    const value = Buffer.from('abcdefgh');
    const chunk = pdata([{ id: 1, control: 0, value }]);
    framer.push(chunk);
    expect(slices).toHaveLength(1);
    expect(slices[0]!.buffer).toBe(chunk.buffer);
    expect(slices[0]!.byteOffset).toBe(chunk.byteOffset + 12);
    expect(slices[0]!.toString()).toBe('abcdefgh');
  });

  it('reads PDU and PDV headers split across chunks one byte at a time', () => {
    const { log, slices, framer } = recorder();
    const bytes = pdata([
      { id: 3, control: 2, value: Buffer.from('xyzw') },
      { id: 3, control: 3, value: Buffer.from('12') },
    ]);
    for (let i = 0; i < bytes.length; i++) framer.push(bytes.subarray(i, i + 1));
    expect(Buffer.concat(slices).toString()).toBe('xyzw12');
    expect(log.filter((l) => !l.startsWith('data'))).toEqual([
      'start',
      'header 4 18',
      'pdv 3 2 4',
      'pdv-end',
      'pdv 3 3 2',
      'pdv-end',
      'pdata-end',
    ]);
  });

  it('delivers several PDUs in one chunk and other PDUs whole', () => {
    const { log, framer } = recorder();
    const release = Buffer.from([0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0]);
    framer.push(Buffer.concat([pdata([{ id: 1, control: 3, value: Buffer.alloc(0) }]), release.subarray(0, 7)]));
    framer.push(release.subarray(7));
    expect(log).toEqual(['start', 'header 4 6', 'pdv 1 3 0', 'pdv-end', 'pdata-end', 'start', 'header 5 4', 'pdu 5 00000000']);
  });

  it('stops at a header its owner refuses, before reading any of the body', () => {
    const { log, framer } = recorder(() => false);
    const header = Buffer.from([0x04, 0, 0xff, 0xff, 0xff, 0xff, 1, 2, 3]);
    framer.push(header);
    framer.push(Buffer.alloc(100));
    expect(log).toEqual(['start', `header 4 ${0xffffffff}`]);
  });

  it('reports a PDV longer than what is left of its PDU as malformed', () => {
    const { log, framer } = recorder();
    const bytes = pdata([{ id: 1, control: 0, value: Buffer.alloc(4) }]);
    bytes.writeUInt32BE(100, 6);
    framer.push(bytes);
    expect(log.at(-1)).toMatch(/^malformed PDV claims 98 bytes/);
  });

  it('reports a PDV item length below 2 and an empty P-DATA-TF as malformed', () => {
    const a = recorder();
    const bytes = pdata([{ id: 1, control: 0, value: Buffer.alloc(4) }]);
    bytes.writeUInt32BE(1, 6);
    a.framer.push(bytes);
    expect(a.log.at(-1)).toMatch(/^malformed PDV item length 1/);
    const b = recorder();
    b.framer.push(Buffer.from([0x04, 0, 0, 0, 0, 0]));
    expect(b.log.at(-1)).toBe('malformed P-DATA-TF without a PDV');
  });
});
