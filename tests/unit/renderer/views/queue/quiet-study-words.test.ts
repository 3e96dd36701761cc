import { describe, expect, it } from 'vitest';
import type { StudyAwaitingQuiet } from '../../../../../src-main/api/contract.ts';
import { nextQuietChangeIn } from '../../../../../src-renderer/src/views/queue/quiet-study-words.ts';

const NOW = Date.parse('2026-12-02T10:00:00Z');

function waiting(forwardsAt: number): StudyAwaitingQuiet {
  const at = new Date(forwardsAt).toISOString();
  return { studyInstanceUid: '1.2', rule: 'r', destination: 'd', quietSeconds: 1, lastReceivedAt: at, forwardsAt: at, study: null };
}

describe('nextQuietChangeIn', () => {
  it('reads the list again a second after the first study is due, and not at all when none waits', () => {
    expect(nextQuietChangeIn([waiting(NOW + 90_000), waiting(NOW + 30_000)], NOW)).toBe(31_000);
    expect(nextQuietChangeIn([waiting(NOW - 5_000)], NOW)).toBe(1_000);
    expect(nextQuietChangeIn([], NOW)).toBeUndefined();
  });

  it('waits at most an hour, so a rule of weeks does not overflow the timer into a loop', () => {
    expect(nextQuietChangeIn([waiting(NOW + 24 * 86_400_000)], NOW)).toBe(3_600_000);
  });
});
