/**
 * The DICOM TLS listener as Settings edits it: the draft, its checks, what is saved, and the
 * listener's state in words. The key's passphrase is write-only: the form starts it empty and
 * sends it only when typed, so the gateway keeps the one it has.
 */
import type { TlsListenerChange, TlsListenerStatus } from '../../../../src-main/api/contract.ts';
import { listenPort } from '../../../../src-main/api/contract.ts';
import { formatListenAddress } from '../../lib/format.ts';
import { numberProblem } from '../destinations/destination-form.ts';

export interface TlsListenerDraft {
  port: string;
  cert: string;
  key: string;
  /** Empty: no CA bundle. */
  ca: string;
  requireClientCert: boolean;
  passphrase: string;
}

export type TlsListenerField = keyof TlsListenerDraft;
export type TlsListenerErrors = Partial<Record<TlsListenerField, string>>;

/** PS3.15 B.1 registers port 2762 for DICOM over TLS. */
export const DICOM_TLS_PORT = 2762;

export function tlsDraftOf(status: TlsListenerStatus): TlsListenerDraft {
  const s = status.settings;
  return {
    port: String(s?.port ?? DICOM_TLS_PORT),
    cert: s?.cert ?? '',
    key: s?.key ?? '',
    ca: s?.ca ?? '',
    requireClientCert: s?.requireClientCert ?? false,
    passphrase: '',
  };
}

export function validateTlsDraft(draft: TlsListenerDraft): TlsListenerErrors {
  const errors: TlsListenerErrors = {};
  const port = numberProblem(listenPort, draft.port);
  if (port) errors.port = port;
  if (draft.cert === '') errors.cert = 'Choose the certificate (a PEM file) the gateway shows to senders.';
  if (draft.key === '') errors.key = 'Choose the private key (a PEM file) of that certificate.';
  if (draft.requireClientCert && draft.ca === '') {
    errors.ca = 'Requiring client certificates needs the CA bundle they must be signed by.';
  }
  return errors;
}

/** What saveTlsListener gets; call only once validateTlsDraft found nothing. */
export function tlsChangeOf(draft: TlsListenerDraft): TlsListenerChange {
  return {
    port: Number(draft.port.trim()),
    cert: draft.cert,
    key: draft.key,
    ca: draft.ca === '' ? null : draft.ca,
    requireClientCert: draft.requireClientCert,
    ...(draft.passphrase !== '' ? { passphrase: draft.passphrase } : {}),
  };
}

export function tlsDraftChanged(status: TlsListenerStatus, draft: TlsListenerDraft): boolean {
  return JSON.stringify(tlsDraftOf(status)) !== JSON.stringify(draft);
}

/** One line on what the TLS listener is doing now. */
export function tlsStateWords(status: TlsListenerStatus): string {
  switch (status.state) {
    case 'listening':
      return `Listening for DICOM TLS on ${formatListenAddress(status.host, status.port!)}${status.settings?.requireClientCert ? ', senders must show a client certificate' : ''}.`;
    case 'stopped':
      return `Not listening for DICOM TLS on port ${status.port}: ${status.reason}`;
    default:
      return 'Off: the gateway receives over plain DICOM only.';
  }
}
