/**
 * The C-STORE SCP listener: owns the TCP server (host, port 0, TCP_NODELAY), creates one
 * StoreScpConnection per socket, enforces the association limit, and drains on close.
 */
import { createServer, type Server } from 'node:net';
import { StoreScpConnection, type ScpServices } from './scp-connection.ts';

export type { ScpConfig, ScpServices } from './scp-connection.ts';

class ConnectionRegistry {
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
  all(): StoreScpConnection[] {
    return [...this.connections];
  }
}

export class StoreScpServer {
  private readonly services: ScpServices;
  private readonly registry = new ConnectionRegistry();
  private server: Server | undefined;

  constructor(services: ScpServices) {
    this.services = services;
  }

  /** Resolves with the address actually bound (the real port for port 0). */
  listen(host: string | undefined, port: number): Promise<{ host: string; port: number }> {
    const server = createServer((socket) => {
      // Nagle delays every small PDU (C-STORE-RSP) by up to 40 ms; DICOM is request/response.
      socket.setNoDelay(true);
      this.registry.add(new StoreScpConnection(socket, this.services, this.registry));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port }, () => {
        server.off('error', reject);
        const address = server.address();
        if (!address || typeof address === 'string') return reject(new Error('listener has no TCP address'));
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  /** Stops accepting, lets each association finish the instance in flight, then closes them. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all(this.registry.all().map((c) => c.drain()));
    await closed;
    this.server = undefined;
  }
}
