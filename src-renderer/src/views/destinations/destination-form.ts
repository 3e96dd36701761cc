/**
 * The destination form as the user types it (text fields, timeouts in seconds) and its
 * validation with the engine's own value schemas (from the contract), so a mistake is shown next
 * to the field before anything is sent, in the words the config file and the CLI use for it. The
 * contract carries timeouts in milliseconds.
 */
import {
  aeTitle,
  host,
  maxAssociations,
  maxPdu,
  port,
  seconds,
  typedValue,
  valueProblem,
  type Destination,
} from '../../../../src-main/api/contract.ts';

export interface DestinationDraft {
  name: string;
  aeTitle: string;
  host: string;
  port: string;
  callingAe: string;
  maxPduLength: string;
  connectTimeoutSeconds: string;
  dimseTimeoutSeconds: string;
  maxAssociations: string;
  enabled: boolean;
  allowTranscoding: boolean;
  /** DICOM TLS settings come from the config file; the form keeps them as they are. */
  tls: Destination['tls'];
}

export type DestinationField = keyof DestinationDraft;
export type DestinationErrors = Partial<Record<DestinationField, string>>;

/** What a new destination starts with: the engine's defaults. */
export const NEW_DESTINATION: DestinationDraft = {
  name: '',
  aeTitle: '',
  host: '',
  port: '104',
  callingAe: '',
  maxPduLength: '65536',
  connectTimeoutSeconds: '30',
  dimseTimeoutSeconds: '60',
  maxAssociations: '1',
  enabled: true,
  allowTranscoding: false,
  tls: undefined,
};

export function draftOf(destination: Destination): DestinationDraft {
  return {
    name: destination.name,
    aeTitle: destination.aeTitle,
    host: destination.host,
    port: String(destination.port),
    callingAe: destination.callingAe ?? '',
    maxPduLength: String(destination.maxPduLength),
    connectTimeoutSeconds: String(destination.connectTimeoutMs / 1000),
    dimseTimeoutSeconds: String(destination.dimseTimeoutMs / 1000),
    maxAssociations: String(destination.maxAssociations),
    enabled: destination.enabled,
    allowTranscoding: destination.allowTranscoding,
    tls: destination.tls,
  };
}

/** Why the typed AE title is refused, or undefined. */
export function aeTitleProblem(value: string): string | undefined {
  return valueProblem(aeTitle, value);
}

/** Why the typed number is refused by `schema`, or undefined: "70000" is judged as 70000. */
export function numberProblem(schema: Parameters<typeof valueProblem>[0], value: string): string | undefined {
  return valueProblem(schema, typedValue(value));
}

/** Field → message for every problem; `existingNames` are the other destinations' names. */
export function validateDestination(draft: DestinationDraft, existingNames: string[]): DestinationErrors {
  const errors: DestinationErrors = {};
  const name = draft.name;
  if (name.trim() === '') errors.name = 'Enter a name.';
  else if (name !== name.trim()) errors.name = 'The name cannot start or end with a space.';
  else if (existingNames.includes(name)) errors.name = `There is already a destination called "${name}".`;
  const problems: DestinationErrors = {
    aeTitle: aeTitleProblem(draft.aeTitle),
    host: valueProblem(host, draft.host.trim()),
    port: numberProblem(port, draft.port),
    callingAe: draft.callingAe.trim() === '' ? undefined : aeTitleProblem(draft.callingAe),
    maxPduLength: numberProblem(maxPdu, draft.maxPduLength),
    connectTimeoutSeconds: numberProblem(seconds, draft.connectTimeoutSeconds),
    dimseTimeoutSeconds: numberProblem(seconds, draft.dimseTimeoutSeconds),
    maxAssociations: numberProblem(maxAssociations, draft.maxAssociations),
  };
  for (const [field, problem] of Object.entries(problems) as [DestinationField, string | undefined][]) if (problem) errors[field] = problem;
  return errors;
}

/** The destination to save; call only once validateDestination found nothing. */
export function destinationOf(draft: DestinationDraft): Destination {
  return {
    name: draft.name,
    aeTitle: draft.aeTitle.trim(),
    host: draft.host.trim(),
    port: Number(draft.port.trim()),
    callingAe: draft.callingAe.trim() === '' ? undefined : draft.callingAe.trim(),
    maxPduLength: Number(draft.maxPduLength.trim()),
    connectTimeoutMs: Math.round(Number(draft.connectTimeoutSeconds.trim()) * 1000),
    dimseTimeoutMs: Math.round(Number(draft.dimseTimeoutSeconds.trim()) * 1000),
    maxAssociations: Number(draft.maxAssociations.trim()),
    enabled: draft.enabled,
    allowTranscoding: draft.allowTranscoding,
    ...(draft.tls ? { tls: draft.tls } : {}),
  };
}
