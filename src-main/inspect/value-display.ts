/** Short, readable renderings of element values for reports (the report never carries whole values). */

const TEXT_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT']);
const MAX_SHOWN_BYTES = 16;
const MAX_SHOWN_CHARS = 64;

export function isTextVr(vr: string): boolean {
  return TEXT_VRS.has(vr);
}

/** Text as a quoted string, numbers as numbers, bytes as hex (the first 16). */
export function displayValue(vr: string, value: Buffer, littleEndian: boolean): string {
  if (isTextVr(vr)) {
    const text = value.toString('latin1');
    return quoteText(text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}…` : text);
  }
  const numbers = numericValues(vr, value, littleEndian);
  if (numbers !== undefined) return numbers;
  return hexPreview(value);
}

/** Quoted, with NUL shown as \0 (UI padding) and other control bytes as \xNN, so padding stays visible. */
export function quoteText(text: string): string {
  const escaped = text.replace(/[\\"\p{Cc}]/gu, (c) => {
    if (c === '\\' || c === '"') return `\\${c}`;
    if (c === '\0') return '\\0';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
  return `"${escaped}"`;
}

function numericValues(vr: string, value: Buffer, le: boolean): string | undefined {
  const reader: Record<string, [number, (at: number) => number | bigint]> = {
    US: [2, (at) => (le ? value.readUInt16LE(at) : value.readUInt16BE(at))],
    SS: [2, (at) => (le ? value.readInt16LE(at) : value.readInt16BE(at))],
    UL: [4, (at) => (le ? value.readUInt32LE(at) : value.readUInt32BE(at))],
    SL: [4, (at) => (le ? value.readInt32LE(at) : value.readInt32BE(at))],
    FL: [4, (at) => (le ? value.readFloatLE(at) : value.readFloatBE(at))],
    FD: [8, (at) => (le ? value.readDoubleLE(at) : value.readDoubleBE(at))],
    SV: [8, (at) => (le ? value.readBigInt64LE(at) : value.readBigInt64BE(at))],
    UV: [8, (at) => (le ? value.readBigUInt64LE(at) : value.readBigUInt64BE(at))],
  };
  if (vr === 'AT' && value.length % 4 === 0) {
    const tags: string[] = [];
    for (let at = 0; at < value.length && tags.length < 8; at += 4) {
      const group = le ? value.readUInt16LE(at) : value.readUInt16BE(at);
      const element = le ? value.readUInt16LE(at + 2) : value.readUInt16BE(at + 2);
      tags.push(`(${hex4(group)},${hex4(element)})`);
    }
    return tags.join('\\');
  }
  const entry = reader[vr];
  if (!entry || value.length % entry[0] !== 0) return undefined;
  const [size, read] = entry;
  const shown: string[] = [];
  for (let at = 0; at < value.length && shown.length < 8; at += size) shown.push(String(read(at)));
  return shown.join('\\') + (value.length / size > 8 ? '\\…' : '');
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

export function hexPreview(value: Buffer): string {
  const shown = value
    .subarray(0, MAX_SHOWN_BYTES)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');
  return value.length > MAX_SHOWN_BYTES ? `${shown} …` : shown || '(empty)';
}

/** The value without its trailing padding (space or NUL): what remains when only padding changed. */
export function withoutPadding(value: Buffer): Buffer {
  let end = value.length;
  while (end > 0 && (value[end - 1] === 0x20 || value[end - 1] === 0x00)) end--;
  return value.subarray(0, end);
}

/** VRs whose values may be padded to even length (text with space or NUL, bytes with NUL). */
export function isPaddableVr(vr: string): boolean {
  return isTextVr(vr) || vr === 'OB' || vr === 'UN';
}
