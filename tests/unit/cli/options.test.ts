import { describe, expect, it } from 'vitest';
import { parsePeerAddress } from '../../../src-main/cli/options.ts';
import { formatPeer } from '../../../src-main/dicom/peer-address.ts';
import { UsageError } from '../../../src-main/cli/usage-error.ts';

describe('parsePeerAddress', () => {
  it('reads AE@HOST:PORT, IPv6 in brackets included', () => {
    expect(parsePeerAddress('PACS@10.0.0.5:104')).toEqual({ aeTitle: 'PACS', host: '10.0.0.5', port: 104 });
    expect(parsePeerAddress('ARCH@[::1]:11112')).toEqual({ aeTitle: 'ARCH', host: '::1', port: 11112 });
    expect(formatPeer(parsePeerAddress('A@h:1'))).toBe('A@h:1');
    expect(formatPeer(parsePeerAddress('ARCH@[::1]:11112'))).toBe('ARCH@[::1]:11112');
  });

  it.each(['PACS@10.0.0.5', '10.0.0.5:104', 'P@h:port'])('refuses "%s" as a usage error that shows the expected form', (text) => {
    expect(() => parsePeerAddress(text)).toThrow(UsageError);
    expect(() => parsePeerAddress(text)).toThrow(/AE@HOST:PORT/);
  });

  it.each([
    ['PACS@host:0', '"PACS@host:0": must be a port number 1-65535, got 0'],
    ['PACS@host:70000', '"PACS@host:70000": must be a port number 1-65535, got 70000'],
    [
      'WAY_TOO_LONG_AE_TITLE@h:104',
      '"WAY_TOO_LONG_AE_TITLE@h:104": must be an AE title of 1-16 characters, got "WAY_TOO_LONG_AE_TITLE" (21 characters)',
    ],
    ['CT\\1@h:104', '"CT\\1@h:104": must be an AE title without backslash or control characters, got "CT\\\\1"'],
  ])('refuses "%s" with the words the config file uses for that value', (text, message) =>
    expect(() => parsePeerAddress(text)).toThrow(message),
  );
});
