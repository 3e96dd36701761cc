/**
 * A TLS setting that cannot work; the message names the file and the reason. Its own module, so
 * that code which only recognises the error does not load node:tls with tls-context.ts.
 */
export class TlsConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlsConfigError';
  }
}
