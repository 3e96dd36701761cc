/**
 * The routing vocabulary that crosses to the renderer: destinations, rules and job states. Each
 * type is what its schema (api/schemas/) lets through, so a field added to a schema is a field of
 * the type, and the two cannot disagree. Field names here are also the contract of the config file
 * (README "Configuration"); the fields are documented on the schemas.
 */
import type { z } from 'zod';
import type { savedDestinationSchema } from '../schemas/destination-schema.ts';
import type { jobState } from '../schemas/job-state-schema.ts';
import type { savedRuleSchema, valueMatcher } from '../schemas/rule-schema.ts';

/** A DICOM node the gateway forwards to. */
export type Destination = z.output<typeof savedDestinationSchema>;

/** TLS towards one destination; a destination without it is reached over plain TCP. */
export type DestinationTls = NonNullable<Destination['tls']>;

/**
 * How one rule field matches a value: a string is an exact match (case-sensitive, trailing
 * spaces ignored), a list matches any of its entries, { glob } uses * and ?, { regex } a
 * JavaScript regular expression.
 */
export type ValueMatcher = z.output<typeof valueMatcher>;

/** A routing rule, every field spelled out (as the API takes it and the renderer holds it). */
export type Rule = z.output<ReturnType<typeof savedRuleSchema>>;

/** What an instance must match for a rule to forward it; an empty match matches every instance. */
export type RuleMatch = Rule['match'];

/** Where a forward job is in its life (routing/job-state-machine.ts says which moves are allowed). */
export type JobState = z.output<typeof jobState>;
