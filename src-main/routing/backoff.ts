/** When to try a failed job again: exponential backoff with jitter, capped. */
import type { QueueSettings } from './routing-types.ts';

/**
 * The wait before attempt `attempts + 1`, after `attempts` failures: base·2^(attempts-1), at most
 * the cap, then scaled by a random factor in [0.5, 1] so that many jobs failing together (a
 * destination going down) do not all retry in the same instant.
 */
export function backoffMs(attempts: number, settings: QueueSettings, random: () => number = Math.random): number {
  const exponential = settings.backoffBaseSeconds * 1000 * 2 ** Math.max(0, attempts - 1);
  const capped = Math.min(exponential, settings.backoffMaxSeconds * 1000);
  return Math.round(capped * (0.5 + 0.5 * random()));
}
