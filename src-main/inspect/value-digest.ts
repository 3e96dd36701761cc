/**
 * A value's fingerprint, so elements of any size are compared without keeping their bytes.
 * Two hashes: of the bytes as encoded, and of the value decoded to little endian, which is what
 * makes a Big Endian file comparable with a Little Endian one when the transfer syntax changed.
 */
import { createHash, type Hash } from 'node:crypto';

export interface ValueHashes {
  /** SHA-256 of the value bytes as they are in the file. */
  valueHash: string;
  /** SHA-256 of the value in little endian; equals valueHash unless bytes had to be swapped. */
  decodedHash: string;
}

export class ValueDigest {
  private readonly raw: Hash = createHash('sha256');
  private readonly decoded: Hash | undefined;
  private readonly unit: number;
  private carry: Buffer = Buffer.alloc(0);

  /** `swapUnit` > 0 only for big endian data of a byte-order-sensitive VR. */
  constructor(swapUnit: 0 | 2 | 4 | 8 = 0) {
    this.unit = swapUnit;
    this.decoded = swapUnit > 0 ? createHash('sha256') : undefined;
  }

  update(chunk: Buffer): void {
    this.raw.update(chunk);
    if (this.decoded) this.updateSwapped(chunk);
  }

  digest(): ValueHashes {
    const valueHash = this.raw.digest('hex');
    if (!this.decoded) return { valueHash, decodedHash: valueHash };
    // A value whose length is not a whole number of units keeps its last bytes as they are.
    if (this.carry.length > 0) this.decoded.update(this.carry);
    return { valueHash, decodedHash: this.decoded.digest('hex') };
  }

  private updateSwapped(chunk: Buffer): void {
    const joined = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : Buffer.from(chunk);
    const whole = joined.length - (joined.length % this.unit);
    const swapped = joined.subarray(0, whole);
    if (this.unit === 2) swapped.swap16();
    else if (this.unit === 4) swapped.swap32();
    else swapped.swap64();
    this.decoded!.update(swapped);
    this.carry = Buffer.from(joined.subarray(whole));
  }
}

/** Fingerprint of a value already in memory. */
export function hashValue(value: Buffer, swapUnit: 0 | 2 | 4 | 8 = 0): ValueHashes {
  const digest = new ValueDigest(swapUnit);
  digest.update(value);
  return digest.digest();
}

/** Fingerprint of a list of fingerprints (a pixel data value from its frames), so no byte is hashed twice. */
export function combineHashes(parts: ValueHashes[]): ValueHashes {
  const raw = createHash('sha256');
  const decoded = createHash('sha256');
  for (const part of parts) {
    raw.update(part.valueHash);
    decoded.update(part.decodedHash);
  }
  return { valueHash: raw.digest('hex'), decodedHash: decoded.digest('hex') };
}
