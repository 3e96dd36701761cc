/**
 * The routing vocabulary shared by the config file, the rule engine, the queue and the API.
 * Field names here are the contract of the config file (docs: README "Configuration").
 */

import type { DestinationTls } from '../tls/tls-settings.ts';

/** A DICOM node the gateway forwards to. */
export interface Destination {
  name: string;
  aeTitle: string;
  host: string;
  port: number;
  /** Our AE title on associations to this node; defaults to the gateway's own. */
  callingAe: string | undefined;
  maxPduLength: number;
  connectTimeoutMs: number;
  /** How long the peer may stay silent during an association (association and DIMSE). */
  dimseTimeoutMs: number;
  maxAssociations: number;
  enabled: boolean;
  /** Off by default: without it, a syntax the peer refuses is a permanent failure for that instance. */
  allowTranscoding: boolean;
  /** DICOM TLS to this node; undefined: plain TCP. */
  tls?: DestinationTls | undefined;
}

/**
 * How one rule field matches a value: a string is an exact match (case-sensitive, trailing
 * spaces ignored), a list matches any of its entries, { glob } uses * and ?, { regex } a
 * JavaScript regular expression.
 */
export type ValueMatcher = string | string[] | { glob: string } | { regex: string };

export interface RuleMatch {
  callingAe?: ValueMatcher;
  calledAe?: ValueMatcher;
  peerAddress?: ValueMatcher;
  /** 'any', 'images' (image storage SOP classes), or a list of SOP class UIDs. */
  sopClass?: 'any' | 'images' | string[];
  modality?: ValueMatcher;
  /** Any other element by keyword ("PatientID") or tag ("(0010,0020)"), read at store time. */
  tags?: Record<string, ValueMatcher>;
}

export interface Rule {
  name: string;
  enabled: boolean;
  match: RuleMatch;
  /** Destination names. */
  forward: string[];
  /** When set, the whole study is forwarded once it has been quiet for this many seconds. */
  studyQuietSeconds: number | undefined;
}

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
