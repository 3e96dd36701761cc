/** Why a DICOM listener (plain or TLS) could not listen, in words that say what to do. */
import { formatHostPort } from './peer-address.ts';

/** Words for a listen failure that say what to do, with the system's own code kept. */
export function listenFailureReason(host: string | undefined, port: number, err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  const where = formatHostPort(host ?? '0.0.0.0', port);
  if (code === 'EADDRINUSE')
    return `Cannot listen on ${where}: the port is already in use by another program (is another DICOM program running?). Choose another port. (${code})`;
  if (code === 'EACCES' || code === 'EPERM') {
    return `Cannot listen on ${where}: this user may not use port ${port}${port < 1024 ? ' (ports below 1024 need administrator rights)' : ''}. Choose a port from 1024 up. (${code})`;
  }
  if (code === 'EADDRNOTAVAIL') return `Cannot listen on ${where}: this computer has no address ${host ?? ''}. (${code})`;
  return `Cannot listen on ${where}: ${(err as Error)?.message ?? String(err)}`;
}

/** A failed listen with its reason in words (the original error as the cause). */
export class ListenError extends Error {
  readonly code: string | undefined;
  constructor(reason: string, cause: unknown) {
    super(reason, { cause });
    this.name = 'ListenError';
    this.code = (cause as NodeJS.ErrnoException)?.code;
  }
}
