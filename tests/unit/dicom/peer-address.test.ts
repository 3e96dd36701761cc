import { describe, expect, it } from 'vitest';
import { formatPeer, parsePeerAddress } from '../../../src-main/dicom/peer-address.ts';

describe('parsePeerAddress', () => {
  it('reads AE@HOST:PORT, IPv6 in brackets included', () => {
    expect(parsePeerAddress('PACS@10.0.0.5:104')).toEqual({ aeTitle: 'PACS', host: '10.0.0.5', port: 104 });
    expect(parsePeerAddress('ARCH@[::1]:11112')).toEqual({ aeTitle: 'ARCH', host: '::1', port: 11112 });
    expect(formatPeer(parsePeerAddress('A@h:1'))).toBe('A@h:1');
  });

  it.each(['PACS@10.0.0.5', '10.0.0.5:104', 'PACS@host:0', 'PACS@host:70000', 'WAY_TOO_LONG_AE_TITLE@h:104', 'P@h:port'])(
    'refuses "%s" and shows the expected form',
    (text) => expect(() => parsePeerAddress(text)).toThrow(/AE@HOST:PORT|out of range/),
  );
});
