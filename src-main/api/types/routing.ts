/**
 * The routing vocabulary that crosses to the renderer: destinations, rules and job states. Field
 * names here are also the contract of the config file (README "Configuration").
 */

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

/** TLS towards one destination. */
export interface DestinationTls {
  /** CA bundle the destination's certificate must chain to; the system's CAs when absent. */
  ca: string | undefined;
  /** Our client certificate and key, for destinations that require one (DCMTK's default). */
  cert: string | undefined;
  key: string | undefined;
  passphrase: string | undefined;
  /** Verify the destination's certificate and host name (off only for testing). */
  verifyServer: boolean;
}

/** Where a forward job is in its life (routing/job-state-machine.ts says which moves are allowed). */
export type JobState = 'queued' | 'sending' | 'sent' | 'retry-wait' | 'dead' | 'cancelled';
