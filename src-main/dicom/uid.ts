/**
 * UID syntax checks (PS3.5 §9.1). UIDs arrive from the wire and become file and folder names,
 * so nothing may use one before it passes here.
 */

const MAX_UID_LENGTH = 64;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * Returns why `uid` is not a valid UID, or undefined when it is. One pass over the characters: it
 * runs several times for every instance received or sent.
 */
export function uidProblem(uid: string | undefined | null): string | undefined {
  if (uid === undefined || uid === null || uid.length === 0) return 'is empty';
  if (uid.length > MAX_UID_LENGTH) return `is ${uid.length} characters long (at most ${MAX_UID_LENGTH})`;
  let start = 0;
  for (let i = 0; i <= uid.length; i++) {
    const c = i < uid.length ? uid.charCodeAt(i) : DOT;
    if (c === DOT) {
      if (i === start) return 'has an empty component';
      if (uid.charCodeAt(start) === ZERO && i - start > 1) return `has a component with a leading zero ("${uid.slice(start, i)}")`;
      start = i + 1;
    } else if (c < ZERO || c > NINE) {
      return 'has characters other than digits and dots';
    }
  }
  return undefined;
}

export function isValidUid(uid: string | undefined | null): uid is string {
  return uidProblem(uid) === undefined;
}

/** UI values are padded to even length with NUL (and some writers use spaces). */
export function trimUid(value: string): string {
  return value.replace(/[\0 ]+$/, '');
}
