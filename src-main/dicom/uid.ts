/**
 * UID syntax checks (PS3.5 §9.1). UIDs arrive from the wire and become file and folder names,
 * so nothing may use one before it passes here.
 */

const MAX_UID_LENGTH = 64;
const COMPONENT = /^(0|[1-9][0-9]*)$/;

/** Returns why `uid` is not a valid UID, or undefined when it is. */
export function uidProblem(uid: string | undefined | null): string | undefined {
  if (uid === undefined || uid === null || uid.length === 0) return 'is empty';
  if (uid.length > MAX_UID_LENGTH) return `is ${uid.length} characters long (at most ${MAX_UID_LENGTH})`;
  const components = uid.split('.');
  for (const component of components) {
    if (component.length === 0) return 'has an empty component';
    if (!COMPONENT.test(component)) {
      return /^[0-9]+$/.test(component)
        ? `has a component with a leading zero ("${component}")`
        : `has characters other than digits and dots`;
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
