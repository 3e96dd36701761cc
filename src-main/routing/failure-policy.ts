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

export function classifyFailure(result: SendResult): FailureVerdict {
  switch (result.failureKind) {
    case 'sop-class-refused':
    case 'syntax-refused':
      return 'dead';
    case 'status': {
      const status = result.status ?? 0;
      if (PERMANENT_STATUSES.has(status)) return 'dead';
      if ((status & 0xff00) === 0xa900) return 'dead'; // data set does not match SOP class
      return 'retry'; // 0xA7xx out of resources, 0xC0xx cannot understand, 0x0110 processing failure, ...
    }
    default:
      // connection-refused, timeout, rejected, aborted, network, cancelled; and unreadable: a stored
      // file missing or short now is a fault of ours that a restart's recovery may repair.
      return 'retry';
  }
}
