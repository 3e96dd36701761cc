import { describe, expect, it } from 'vitest';
import { displayedSocketPeer, formatHostPort, formatPeer, socketPeer } from '../../../src-main/dicom/peer-address.ts';

describe('formatPeer', () => {
  it('names a node as users write it, AE@HOST:PORT', () => {
    expect(formatPeer({ aeTitle: 'PACS', host: '10.0.0.5', port: 104 })).toBe('PACS@10.0.0.5:104');
  });

  it('writes an IPv6 host in brackets, as the CLI reads AE@[HOST]:PORT', () => {
    expect(formatPeer({ aeTitle: 'PACS', host: 'fe80::1', port: 104 })).toBe('PACS@[fe80::1]:104');
  });
});

describe('formatHostPort', () => {
  it('keeps a name or an IPv4 address as it is, and brackets an IPv6 address so its colons are not the port', () => {
    expect(formatHostPort('pacs.example.org', 11112)).toBe('pacs.example.org:11112');
    expect(formatHostPort('127.0.0.1', 11112)).toBe('127.0.0.1:11112');
    expect(formatHostPort('::', 11112)).toBe('[::]:11112');
    expect(formatHostPort('::ffff:10.0.0.7', 104)).toBe('[::ffff:10.0.0.7]:104');
  });
});

describe('socketPeer', () => {
  it('records an IPv4 sender by its IPv4 address, also where a listener on "::" sees it IPv4-mapped', () => {
    expect(socketPeer('::ffff:10.0.0.7', 5000)).toBe('10.0.0.7:5000');
    expect(socketPeer('10.0.0.7', 5000)).toBe('10.0.0.7:5000');
  });

  it('keeps an IPv6 sender unbracketed, as rules match it', () => {
    expect(socketPeer('::1', 5000)).toBe('::1:5000');
    expect(socketPeer('fe80::ffff:1', 5000)).toBe('fe80::ffff:1:5000');
  });
});

describe('displayedSocketPeer', () => {
  it('brackets an IPv6 peer so that its port stands apart, and leaves the rest as recorded', () => {
    expect(displayedSocketPeer('::1:5000')).toBe('[::1]:5000');
    expect(displayedSocketPeer('fe80::1234:5678:11112')).toBe('[fe80::1234:5678]:11112');
    expect(displayedSocketPeer('10.0.0.7:5000')).toBe('10.0.0.7:5000');
    expect(displayedSocketPeer('modality.hospital.org:104')).toBe('modality.hospital.org:104');
  });
});
