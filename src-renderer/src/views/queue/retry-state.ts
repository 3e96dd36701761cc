/** What the counts table shows for a destination's retry: in progress, done, failed, or waiting for "retry anyway". */
import type { CommandFailure, PermanentFailure } from '../../../../src-main/api/contract.ts';

export interface RetryState {
  running: boolean;
  message?: string;
  failure?: CommandFailure;
  /** Dead jobs a retry cannot bring through: shown, and retried only on "Retry anyway". */
  permanent?: PermanentFailure[];
}
