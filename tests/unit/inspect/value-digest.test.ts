import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { swapUnit } from '../../../src-main/dicom/element-reader.ts';
import { combineHashes, hashValue, ValueDigest } from '../../../src-main/inspect/value-digest.ts';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function swapped(value: Buffer, unit: 2 | 4 | 8): Buffer {
  const copy = Buffer.from(value.subarray(0, value.length - (value.length % unit)));
  if (unit === 2) copy.swap16();
  else if (unit === 4) copy.swap32();
  else copy.swap64();
  return Buffer.concat([copy, value.subarray(copy.length)]);
}

describe('value digest', () => {
  it('hashes the bytes as they are, and leaves the decoded hash equal when nothing needs swapping', () => {
    const value = Buffer.from('DOE^JOHN');
    expect(hashValue(value)).toEqual({ valueHash: sha256(value), decodedHash: sha256(value) });
  });

  it.each([2, 4, 8] as const)('decodes %i-byte big endian numbers to little endian across any chunking', (unit) => {
    const value = randomBytes(1001);
    const expected = sha256(swapped(value, unit));
    for (const chunkSize of [1, 3, 7, 64, 1001]) {
      const digest = new ValueDigest(unit);
      for (let at = 0; at < value.length; at += chunkSize) digest.update(value.subarray(at, at + chunkSize));
      expect(digest.digest()).toEqual({ valueHash: sha256(value), decodedHash: expected });
    }
  });

  it("swaps by the size of the VR's numbers and not for text or bytes", () => {
    expect(['US', 'OW', 'AT', 'UL', 'FL', 'OF', 'FD', 'OD', 'SV', 'UV', 'OB', 'LO', 'UN'].map(swapUnit)).toEqual([
      2, 2, 2, 4, 4, 4, 8, 8, 8, 8, 0, 0, 0,
    ]);
  });

  it('combines frame fingerprints so that equal frames give equal pixel data and any changed frame changes it', () => {
    const frames = [hashValue(Buffer.from('frame 0')), hashValue(Buffer.from('frame 1'))];
    expect(combineHashes(frames)).toEqual(combineHashes([...frames]));
    expect(combineHashes(frames)).not.toEqual(combineHashes([frames[0]!, hashValue(Buffer.from('frame 2'))]));
  });
});
