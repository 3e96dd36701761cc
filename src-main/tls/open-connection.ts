/**
 * Opens the transport of an outgoing association: plain TCP, or DICOM TLS when the destination
 * has TLS settings. Resolves once the socket is ready for the A-ASSOCIATE-RQ (for TLS: once the
 * handshake has verified the peer), so every failure before that is one clear error naming the peer.
 */
import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { describeTlsFailure } from './tls-errors.ts';
import type { DestinationTls } from '../api/types/routing.ts';

export interface TransportTarget {
  host: string;
  port: number;
  /** How the peer is named in errors ("PACS@10.0.0.5:104"). */
  label: string;
  tls: DestinationTls | undefined;
  connectTimeoutMs: number;
}

/** Why the transport could not be opened, in terms a retry policy can act on. */
export class TransportError extends Error {
  readonly kind: 'connection-refused' | 'network' | 'timeout' | 'tls';
  constructor(kind: TransportError['kind'], message: string) {
    super(message);
    this.name = 'TransportError';
    this.kind = kind;
  }
}

export async function openConnection(target: TransportTarget): Promise<Socket> {
  const socket = target.tls ? await connectTlsSocket(target, target.tls) : connectTcp({ host: target.host, port: target.port });
  return new Promise((resolve, reject) => {
    socket.setNoDelay(true);
    const timer = setTimeout(
      () => fail(new TransportError('timeout', `${target.label} did not answer within ${target.connectTimeoutMs} ms`)),
      target.connectTimeoutMs,
    );
    const fail = (err: TransportError) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const onError = (err: NodeJS.ErrnoException) => fail(transportError(err, target.label));
    socket.once('error', onError);
    socket.once(target.tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      // The caller attaches its own error handler before it next yields to the event loop.
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

/**
 * Starts the TLS handshake. node:tls and the certificate checks load only here: most destinations
 * are plain TCP, and `echo` without --tls starts faster without them.
 */
async function connectTlsSocket(target: TransportTarget, tls: DestinationTls): Promise<Socket> {
  const [{ connect }, { clientTlsOptions }] = await Promise.all([import('node:tls'), import('./tls-context.ts')]);
  try {
    return connect({
      ...clientTlsOptions(tls),
      host: target.host,
      port: target.port,
      // SNI takes host names only; an IP address is checked against the certificate's IP SANs.
      servername: isIP(target.host) ? undefined : target.host,
    });
  } catch (err) {
    throw new TransportError('tls', `cannot use TLS to ${target.label}: ${(err as Error).message}`);
  }
}

/** A socket error as a TransportError: TLS failures in plain words, refusals told from other faults. */
export function transportError(err: NodeJS.ErrnoException, label: string): TransportError {
  const tls = describeTlsFailure(err, label);
  if (tls) return new TransportError('tls', tls);
  const kind = err.code === 'ECONNREFUSED' ? 'connection-refused' : 'network';
  return new TransportError(kind, `cannot connect to ${label}: ${err.code ?? err.message}`);
}
