/**
 * The destination form as the user types it (text fields, timeouts in seconds) and its
 * validation, mirroring what the engine's config schema accepts, so mistakes are shown next to
 * the field before anything is sent. The contract carries timeouts in milliseconds.
 */
import type { Destination } from '../../../../src-main/api/contract.ts';

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

/** Timeouts beyond this overflow Node's timers (the engine refuses them too). */
const MAX_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
const MAX_PDU = 0xffffffff;

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

/** PS3.5: 1-16 characters once leading and trailing spaces are dropped, no backslash or control characters. */
export function aeTitleProblem(value: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed.length === 0) return 'Enter an AE title (1-16 characters).';
  if (trimmed.length > 16) return `An AE title has at most 16 characters; this one has ${trimmed.length}.`;
  if (/[\\\p{Cc}]/u.test(trimmed)) return 'An AE title cannot contain a backslash or control characters.';
  return undefined;
}

export function wholeNumberProblem(value: string, min: number, max: number, what: string): string | undefined {
  const text = value.trim();
  if (!/^\d+$/.test(text)) return `Enter ${what} (a whole number ${min}-${max}).`;
  const number = Number(text);
  if (number < min || number > max) return `${capitalize(what)} must be between ${min} and ${max}.`;
  return undefined;
}

export function secondsProblem(value: string): string | undefined {
  const text = value.trim();
  const number = Number(text);
  if (text === '' || !Number.isFinite(number)) return 'Enter a number of seconds.';
  if (number <= 0) return 'The timeout must be more than 0 seconds.';
  if (number > MAX_SECONDS) return `The timeout can be at most ${MAX_SECONDS} seconds.`;
  return undefined;
}

/** Field → message for every problem; `existingNames` are the other destinations' names. */
export function validateDestination(draft: DestinationDraft, existingNames: string[]): DestinationErrors {
  const errors: DestinationErrors = {};
  const name = draft.name;
  if (name.trim() === '') errors.name = 'Enter a name.';
  else if (name !== name.trim()) errors.name = 'The name cannot start or end with a space.';
  else if (existingNames.includes(name)) errors.name = `There is already a destination called "${name}".`;
  const ae = aeTitleProblem(draft.aeTitle);
  if (ae) errors.aeTitle = ae;
  if (draft.host.trim() === '') errors.host = 'Enter a host name or IP address.';
  else if (/\s/.test(draft.host.trim())) errors.host = 'A host name cannot contain spaces.';
  const port = wholeNumberProblem(draft.port, 1, 65535, 'a port');
  if (port) errors.port = port;
  if (draft.callingAe.trim() !== '') {
    const calling = aeTitleProblem(draft.callingAe);
    if (calling) errors.callingAe = calling;
  }
  const pdu = wholeNumberProblem(draft.maxPduLength, 4096, MAX_PDU, 'a PDU length in bytes');
  if (pdu) errors.maxPduLength = pdu;
  const connect = secondsProblem(draft.connectTimeoutSeconds);
  if (connect) errors.connectTimeoutSeconds = connect;
  const dimse = secondsProblem(draft.dimseTimeoutSeconds);
  if (dimse) errors.dimseTimeoutSeconds = dimse;
  const associations = wholeNumberProblem(draft.maxAssociations, 1, 1000, 'a number of associations');
  if (associations) errors.maxAssociations = associations;
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

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
