/**
 * Which send failures are worth retrying. Network trouble, rejections and out-of-resources or
 * "cannot understand" statuses can pass; a peer that does not take the SOP class or the syntax,
 * or a status that says the instance itself is unacceptable, will answer the same way forever.
 */
import type { SendResult } from '../dicom/store-scu.ts';

export type FailureVerdict = 'retry' | 'dead';

const PERMANENT_STATUSES = new Set([
  0x0122, // SOP class not supported
  0x0124, // not authorized
  0x0117, // invalid object instance
  0x0111, // duplicate SOP instance (the peer already has it under other rules)
]);

export function classifyFailure(result: Pick<SendResult, 'failureKind' | 'status'>): FailureVerdict {
  return isPermanentFailure(result.failureKind ?? null, result.status) ? 'dead' : 'retry';
}

/** Whether a failure recorded as (kind, status) will come back the same on every retry. */
export function isPermanentFailure(failureKind: string | null, status: number | null): boolean {
  switch (failureKind) {
    case 'sop-class-refused':
    case 'syntax-refused':
    case 'malformed':
    case 'transcode-failed': // the same dataset fails to convert the same way every time
      return true;
    case 'status': {
      const s = status ?? 0;
      if (PERMANENT_STATUSES.has(s)) return true;
      // 0xA9xx: data set does not match SOP class. 0xA7xx out of resources, 0xC0xx cannot
      // understand, 0x0110 processing failure, ... can pass another time.
      return (s & 0xff00) === 0xa900;
    }
    default:
      // connection-refused, timeout, rejected, aborted, network, cancelled
      return false;
  }
}
