/**
 * Dead jobs that a retry cannot bring through: the destination refused them for what they are
 * (SOP class, transfer syntax, the instance itself), not for a passing condition. Grouped by the
 * reason a person reads, so "Retry all dead" can say it would fail again before doing it.
 */
import type { PermanentFailure } from '../api/contract.ts';
import type { SendResult } from '../dicom/store-scu.ts';
import { classifyFailure } from './failure-policy.ts';

export function permanentFailures(dead: readonly { failure_kind: string | null; last_status: number | null; last_error: string | null }[]): PermanentFailure[] {
  const byReason = new Map<string, number>();
  for (const job of dead) {
    if (job.failure_kind === null) continue;
    const verdict = classifyFailure({ failureKind: job.failure_kind, status: job.last_status } as SendResult);
    if (verdict !== 'dead') continue;
    const reason = job.last_error ?? 'refused by the destination';
    byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
  }
  return [...byReason].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count);
}
