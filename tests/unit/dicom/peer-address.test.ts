import { describe, expect, it } from 'vitest';
import { formatPeer } from '../../../src-main/dicom/peer-address.ts';

describe('formatPeer', () => {
  it('names a node as users write it, AE@HOST:PORT', () => {
    expect(formatPeer({ aeTitle: 'PACS', host: '10.0.0.5', port: 104 })).toBe('PACS@10.0.0.5:104');
  });
});
