/**
 * DICOM TLS (PS3.15 Annex B, the BCP 195 profiles): what the gateway's TLS listener and each
 * TLS destination are configured with. Paths name PEM files; keys are read when a listener or an
 * association starts and never leave the engine (not logged, not sent to the UI).
 */

/** The TLS listener of `serve`, beside (or instead of) the plain one. */
export interface ListenerTls {
  /** 0: let the system choose (the real port is printed). */
  port: number;
  cert: string;
  key: string;
  /** CA bundle that client certificates must chain to; needed when requireClientCert is on. */
  ca: string | undefined;
  passphrase: string | undefined;
  /** Mutual TLS: a peer without a certificate from `ca` is refused during the handshake. */
  requireClientCert: boolean;
  /** OpenSSL cipher list for TLS 1.2 (TLS 1.3 suites are Node's, all AEAD). */
  ciphers: string;
}

/**
 * BCP 195 (RFC 9325) / DICOM "BCP 195 TLS Profile": TLS 1.2 with ECDHE or DHE key exchange and
 * AES-GCM only; forward secrecy, no CBC, no RSA key transport. TLS 1.3 suites are all acceptable.
 */
export const BCP195_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
].join(':');

/** PS3.15 B.9 (BCP 195 profile): TLS 1.2 at least. */
export const MIN_TLS_VERSION = 'TLSv1.2' as const;
