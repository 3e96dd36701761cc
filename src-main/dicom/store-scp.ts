/**
 * The C-STORE SCP listener: owns the TCP server (host, port 0, TCP_NODELAY), creates one
 * StoreScpConnection per socket, bounds the connections not yet associated, and drains on close.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { TlsOptions } from 'node:tls';
import { StoreScpConnection, type ScpServices } from './scp-connection.ts';
import { socketPeer } from './peer-address.ts';

export type { AssociationObserver, InstanceReceiver, InstanceSink, ScpConfig, ScpServices, StoreAnswer } from './scp-connection.ts';

/** Default bound on connections that have not (yet) negotiated an association. */
export const DEFAULT_MAX_PENDING_CONNECTIONS = 64;

class ConnectionRegistry {
  /** In arrival order, so the oldest pending connection is the first found. */
  private readonly connections = new Set<StoreScpConnection>();
  add(c: StoreScpConnection): void {
    this.connections.add(c);
  }
  remove(c: StoreScpConnection): void {
    this.connections.delete(c);
  }
  acceptedCount(): number {
    let n = 0;
    for (const c of this.connections) if (c.isAccepted()) n++;
    return n;
  }
  pending(): StoreScpConnection[] {
    return [...this.connections].filter((c) => !c.isAccepted() && !c.ul.socket.destroyed);
  }
  all(): StoreScpConnection[] {
    return [...this.connections];
  }
}

export class StoreScpServer {
  private readonly services: ScpServices;
  private readonly registry = new ConnectionRegistry();
  /** The plain listener and, with DICOM TLS, the TLS one: both feed the same associations and limits. */
  private readonly servers = new Set<Server>();

  constructor(services: ScpServices) {
    this.services = services;
  }

  /**
   * Listens on one more address (plain TCP, or DICOM TLS with `tls`); resolves with the address
   * actually bound (the real port for port 0).
   */
  async listen(host: string | undefined, port: number, tls?: TlsOptions): Promise<{ host: string; port: number }> {
    const accept = (socket: Socket) => {
      // Nagle delays every small PDU (C-STORE-RSP) by up to 40 ms; DICOM is request/response.
      socket.setNoDelay(true);
      this.makeRoomForOneMore();
      this.registry.add(new StoreScpConnection(socket, this.services, this.registry));
    };
    const server = tls ? await this.tlsServer(tls, accept) : createServer(accept);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port }, () => {
        server.off('error', reject);
        // An accept error (e.g. EMFILE) must not end the process: report it, keep listening.
        server.on('error', (err) => this.services.listenerError?.(err));
        const address = server.address();
        if (!address || typeof address === 'string') return reject(new Error('listener has no TCP address'));
        this.servers.add(server);
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  /** A TLS listener: the association starts once the handshake (and client certificate, if required) passed. */
  private async tlsServer(tls: TlsOptions, accept: (socket: Socket) => void): Promise<Server> {
    // node:tls (OpenSSL's TLS state, about 6 MB of RSS) loads only for a TLS listener.
    const { createServer: createTlsServer } = await import('node:tls');
    const server = createTlsServer({ ...tls, handshakeTimeout: this.services.config.connectTimeoutMs }, accept);
    // A failed handshake (plain client, untrusted or missing client certificate) ends that connection only.
    server.on('tlsClientError', (err, socket) => {
      this.services.associations.tlsRefused?.(socketPeer(socket.remoteAddress, socket.remotePort), err.message);
      socket.destroy();
    });
    return server;
  }

  /**
   * Silent or trickling connections must not lock real senders out: past the limit, the oldest
   * connection still without an association (the one that has had the most time) is closed.
   */
  private makeRoomForOneMore(): void {
    const limit = this.services.config.maxPendingConnections ?? DEFAULT_MAX_PENDING_CONNECTIONS;
    const pending = this.registry.pending();
    for (let i = 0; i <= pending.length - limit; i++)
      pending[i]!.ul.destroy(`more than ${limit} connections without an association; closed the oldest`);
  }

  /** Stops accepting, lets each association finish the instance in flight, then closes them. */
  async close(): Promise<void> {
    const servers = [...this.servers];
    this.servers.clear();
    const closed = servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    await Promise.all(this.registry.all().map((c) => c.drain()));
    await Promise.all(closed);
  }
}
