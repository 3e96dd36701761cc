/** Byte order of values by VR, for conversions between little and big endian (PS3.5 §7.3). */

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
