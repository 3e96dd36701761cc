/**
 * Turns TLS settings into Node's TLS options, reading the PEM files once and checking them before
 * anything listens or connects, so that a wrong path, a wrong passphrase, a key that does not fit
 * its certificate or an expired certificate is a clear error naming the file, not a handshake
 * failure at the first association.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext, type ConnectionOptions, type TlsOptions } from 'node:tls';
import { MIN_TLS_VERSION, BCP195_CIPHERS, type ListenerTls } from './tls-settings.ts';
import { TlsConfigError } from './tls-config-error.ts';
import type { DestinationTls } from '../api/types/routing.ts';

/** Options for `tls.createServer`: our certificate, and client certificates required or requested. */
export function serverTlsOptions(settings: ListenerTls, now = new Date()): TlsOptions {
  if (settings.requireClientCert && !settings.ca) {
    throw new TlsConfigError('tls.requireClientCert needs tls.ca: the CA bundle that client certificates must chain to');
  }
  const identity = readIdentity(settings.cert, settings.key, settings.passphrase, now);
  return {
    ...identity,
    ca: settings.ca ? readPem(settings.ca, 'CA bundle') : undefined,
    requestCert: settings.requireClientCert,
    rejectUnauthorized: settings.requireClientCert,
    minVersion: MIN_TLS_VERSION,
    ciphers: checkedCiphers(settings.ciphers),
    honorCipherOrder: true,
  };
}

/** Options for `tls.connect` to a destination (host and port are added by the caller). */
export function clientTlsOptions(settings: DestinationTls, now = new Date()): ConnectionOptions {
  if ((settings.cert === undefined) !== (settings.key === undefined)) {
    throw new TlsConfigError("a destination's tls.cert and tls.key go together: give both or neither");
  }
  const identity = settings.cert && settings.key ? readIdentity(settings.cert, settings.key, settings.passphrase, now) : {};
  return {
    ...identity,
    ca: settings.ca ? readPem(settings.ca, 'CA bundle') : undefined,
    rejectUnauthorized: settings.verifyServer,
    minVersion: MIN_TLS_VERSION,
    ciphers: BCP195_CIPHERS,
  };
}

function readIdentity(certPath: string, keyPath: string, passphrase: string | undefined, now: Date) {
  const cert = readPem(certPath, 'certificate');
  const key = readPem(keyPath, 'private key');
  checkValidity(certPath, cert, now);
  let privateKey;
  try {
    privateKey = createPrivateKey({ key, passphrase });
  } catch (err) {
    throw new TlsConfigError(`cannot read the private key ${keyPath}: ${keyProblem(err as NodeJS.ErrnoException, passphrase)}`);
  }
  if (!new X509Certificate(cert).checkPrivateKey(privateKey)) {
    throw new TlsConfigError(`the private key ${keyPath} does not belong to the certificate ${certPath}`);
  }
  return { cert, key, passphrase };
}

function keyProblem(err: NodeJS.ErrnoException, passphrase: string | undefined): string {
  const text = `${err.code ?? ''} ${err.message}`;
  if (/bad decrypt|BAD_DECRYPT|interrupted or cancelled|passphrase/i.test(text)) {
    return passphrase === undefined ? 'it is encrypted and no passphrase was given' : 'wrong passphrase';
  }
  return 'not a PEM private key';
}

function checkValidity(path: string, pem: Buffer, now: Date): void {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    throw new TlsConfigError(`${path} is not a PEM certificate`);
  }
  if (now.getTime() > Date.parse(certificate.validTo)) {
    throw new TlsConfigError(`the certificate ${path} (${certificate.subject.replace(/\n/g, ', ')}) expired on ${certificate.validTo}`);
  }
  if (now.getTime() < Date.parse(certificate.validFrom)) {
    throw new TlsConfigError(`the certificate ${path} is not valid before ${certificate.validFrom}`);
  }
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TlsConfigError(
      `cannot read the ${what} ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code}`,
    );
  }
}

function checkedCiphers(ciphers: string): string {
  try {
    createSecureContext({ ciphers, minVersion: MIN_TLS_VERSION });
  } catch {
    throw new TlsConfigError(`tls.ciphers ${JSON.stringify(ciphers)} names no cipher suite this build of OpenSSL knows`);
  }
  return ciphers;
}
