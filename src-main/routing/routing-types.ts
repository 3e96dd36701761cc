/**
 * The routing engine's own vocabulary: queue settings and what a rule sees of an instance. What
 * crosses to the renderer (Destination, Rule, JobState) is the contract's, in api/types/routing.ts.
 */

export interface QueueSettings {
  maxAttempts: number;
  backoffBaseSeconds: number;
  backoffMaxSeconds: number;
  /** At most this many jobs of one destination with its associations at once (marked sending). */
  batchSize: number;
  /** How long an association with nothing more to send stays open for the next job. */
  lingerSeconds: number;
}

export const DEFAULT_QUEUE_SETTINGS: QueueSettings = {
  maxAttempts: 10,
  backoffBaseSeconds: 5,
  backoffMaxSeconds: 600,
  batchSize: 100,
  lingerSeconds: 2,
};

/** What a rule sees about a stored instance: its index fields, the association, and extra tags. */
export interface RoutingFacts {
  callingAe: string;
  calledAe: string;
  peerAddress: string;
  sopClassUid: string;
  modality: string | undefined;
  /** Values of the elements rules name (keyword or tag → text value), read at store time. */
  tags: Record<string, string | undefined>;
}
