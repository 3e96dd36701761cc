/**
 * The raw bytes of the last DIMSE command a network parsed, and UIDs read from them as sent.
 * dcmjs "cleans" UI values as it parses (it drops every character that is not a digit or a dot),
 * so the Affected SOP Instance UID it reports for "/1.2" is "1.2": valid, and not what the peer
 * sent. The gateway validates what arrived, so it reads the command set itself; the command set is
 * always implicit VR little endian (PS3.7 §6.3.1), a flat list of short elements.
 */
import type { NetworkInternals } from './dimse-library.ts';
import { IMPLICIT_LITTLE_ENDIAN, readElementHeader, UNDEFINED_LENGTH } from './element-reader.ts';
import { trimUid } from './uid.ts';

export const CommandTag = {
  AffectedSopClassUid: 0x00000002,
  AffectedSopInstanceUid: 0x00001000,
} as const;

interface Accumulator {
  toBuffer(): Buffer;
}

/**
 * Keeps the bytes of each command the library finishes with. The library drops its command
 * accumulator (sets `dimseStream` to undefined) right after parsing a command that has a dataset;
 * the accessor keeps what was in it.
 */
export function recordCommandBytes(network: NetworkInternals): () => Buffer | undefined {
  let current: Accumulator | undefined;
  let last: Buffer | undefined;
  Object.defineProperty(network, 'dimseStream', {
    configurable: true,
    get: () => current,
    set: (value: Accumulator | undefined) => {
      if (value === undefined && current) last = current.toBuffer();
      current = value;
    },
  });
  return () => last;
}

/** Only lengths matter here: no dictionary look-up on the path of every command. */
const commandVr = (): string => 'UN';

/** The UID value of one command element as sent (trailing NUL/space padding removed), or undefined. */
export function readCommandText(command: Buffer, tag: number): string | undefined {
  for (let offset = 0; ; ) {
    const header = readElementHeader(command, offset, IMPLICIT_LITTLE_ENDIAN, commandVr);
    if (!header || header.length === UNDEFINED_LENGTH) return undefined;
    const start = offset + header.headerLength;
    if (start + header.length > command.length) return undefined;
    if (header.tag === tag) return trimUid(command.toString('latin1', start, start + header.length));
    offset = start + header.length;
  }
}
