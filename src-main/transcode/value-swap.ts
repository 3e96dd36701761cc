/** Byte order of values by VR, for conversions between little and big endian (PS3.5 §7.3). */

/** Bytes per swapped unit: 0 for byte strings and text, which have no byte order. AT is two 16-bit numbers. */
export function swapUnit(vr: string): 0 | 2 | 4 | 8 {
  switch (vr) {
    case 'US':
    case 'SS':
    case 'OW':
    case 'AT':
      return 2;
    case 'UL':
    case 'SL':
    case 'FL':
    case 'OF':
    case 'OL':
      return 4;
    case 'FD':
    case 'OD':
    case 'SV':
    case 'UV':
    case 'OV':
      return 8;
    default:
      return 0;
  }
}

/** Swaps `bytes` in place in units of `unit`; a trailing partial unit (a malformed value) is left as it is. */
export function swapInPlace(bytes: Buffer, unit: 0 | 2 | 4 | 8): Buffer {
  if (unit === 0) return bytes;
  const whole = bytes.length - (bytes.length % unit);
  const view = bytes.subarray(0, whole);
  if (unit === 2) view.swap16();
  else if (unit === 4) view.swap32();
  else view.swap64();
  return bytes;
}
