/**
 * Before "retry all dead": the dead jobs of a destination by cause, and how many died for a reason
 * a retry cannot change (the peer refuses the SOP class or syntax, or the instance itself), so the
 * UI can say so before the user tries.
 */
import type { RetryDeadPreview } from '../api/contract.ts';
import { isPermanentFailure } from './failure-policy.ts';
import type { JobRepository } from './job-repository.ts';

export function previewRetryDead(jobs: JobRepository, destination: string): RetryDeadPreview {
  const causes = jobs.deadCauses(destination).map((c) => ({
    failureKind: c.failure_kind,
    status: c.last_status,
    count: c.n,
    permanent: isPermanentFailure(c.failure_kind, c.last_status),
    example: c.example,
  }));
  const count = (list: typeof causes) => list.reduce((n, c) => n + c.count, 0);
  return { dead: count(causes), permanent: count(causes.filter((c) => c.permanent)), causes };
}
