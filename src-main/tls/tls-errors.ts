/**
 * Plain words for what goes wrong in a TLS handshake, from OpenSSL's codes as Node reports them.
 * Each names the peer; the code stays in the message for the technical reader.
 */
const REASONS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'its certificate has expired',
  CERT_NOT_YET_VALID: 'its certificate is not valid yet',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'its certificate is self-signed and not trusted (add it, or its CA, as tls.ca)',
  SELF_SIGNED_CERT_IN_CHAIN: 'its certificate chains to a CA that is not trusted (set tls.ca to that CA)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its certificate is signed by a CA that is not trusted (set tls.ca to that CA)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its certificate is signed by a CA that is not trusted (set tls.ca to that CA)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'its certificate is for another host name',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'it does not trust our certificate (unknown CA)',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'it refused our certificate',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'it requires a client certificate and we sent none (set tls.cert and tls.key)',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'it found no TLS version or cipher suite in common with us (or wants a client certificate)',
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'it does not speak TLS 1.2 or later',
  ERR_SSL_UNSUPPORTED_PROTOCOL: 'it does not speak TLS 1.2 or later',
  ERR_SSL_WRONG_VERSION_NUMBER: 'it did not answer in TLS (is this a plain, non-TLS port?)',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'it did not answer in TLS (is this a plain, non-TLS port?)',
};

/** "TLS handshake with PACS@host:port failed: <reason> [CODE]", or undefined when `err` is not a TLS failure. */
export function describeTlsFailure(err: NodeJS.ErrnoException, peer: string): string | undefined {
  const code = err.code ?? '';
  const reason = REASONS[code] ?? (code.startsWith('ERR_SSL_') || /SSL routines|alert/i.test(err.message) ? err.message : undefined);
  return reason === undefined ? undefined : `TLS handshake with ${peer} failed: ${reason} [${code || 'TLS'}]`;
}
