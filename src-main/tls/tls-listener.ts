/**
 * The gateway's DICOM TLS listener, beside the plain one, and how its settings change while it
 * runs. The certificate and key are checked before anything moves (a TlsConfigError names the
 * file and the reason). A new port is listened on beside the old one, which is drained and closed
 * only once the new one listens, so a busy port never leaves TLS senders without a listener. On
 * the same port (a renewed certificate) the old listener must let go of the port first.
 */
import type { StoreScpServer } from '../dicom/store-scp.ts';
import { ListenError, listenFailureReason } from '../dicom/listen-failure.ts';
import type { Logger } from '../log/logger.ts';
import type { ListenerTls } from './tls-settings.ts';

/** Off (none configured), listening, or configured but stopped with the reason why. */
export type TlsListenerState =
  { state: 'off' } | { state: 'listening'; host: string; port: number } | { state: 'stopped'; port: number; reason: string };

export interface TlsListenerDeps {
  /** A listener feeding the gateway's one receive path. */
  newServer: () => StoreScpServer;
  host: string | undefined;
  aeTitle: () => string;
  logger: Logger;
}

export class TlsListener {
  private server: StoreScpServer | undefined;
  private current: TlsListenerState = { state: 'off' };
  private readonly deps: TlsListenerDeps;

  constructor(deps: TlsListenerDeps) {
    this.deps = deps;
  }

  get state(): TlsListenerState {
    return this.current;
  }

  /** Where it listens; undefined while off or stopped. */
  get address(): { host: string; port: number } | undefined {
    const s = this.current;
    return s.state === 'listening' ? { host: s.host, port: s.port } : undefined;
  }

  /**
   * Listens with `settings` (undefined: turns TLS off). Throws TlsConfigError when the files
   * cannot be used and ListenError when the port cannot be listened on; in both cases a listener
   * on another port keeps running as it was. Resolves with the address bound (the real port for 0).
   */
  async apply(settings: ListenerTls | undefined): Promise<TlsListenerState> {
    if (!settings) {
      await this.closeServer();
      this.current = { state: 'off' };
      return this.current;
    }
    // node:tls and the certificate checks load with the first TLS listener: most gateways have none.
    const { serverTlsOptions } = await import('./tls-context.ts');
    const options = serverTlsOptions(settings);
    const samePort = this.current.state === 'listening' && settings.port !== 0 && settings.port === this.current.port;
    if (samePort) await this.closeServer();
    const next = this.deps.newServer();
    let bound: { host: string; port: number };
    try {
      bound = await next.listen(this.deps.host, settings.port, options);
    } catch (err) {
      const reason = listenFailureReason(this.deps.host, settings.port, err);
      this.deps.logger.warn('gateway.listen-tls-failed', { reason });
      // The old listener let go of this port for the new one: without it, TLS is now stopped.
      if (samePort) this.current = { state: 'stopped', port: settings.port, reason };
      throw new ListenError(reason, err);
    }
    await this.closeServer();
    this.server = next;
    this.current = { state: 'listening', ...bound };
    this.deps.logger.info('gateway.listening-tls', { ae: this.deps.aeTitle(), host: bound.host, port: bound.port });
    return this.current;
  }

  /** A listener that could not start (desktop start-up): kept stopped, with the reason shown in Settings. */
  markStopped(port: number, reason: string): void {
    this.current = { state: 'stopped', port, reason };
  }

  /** Drains and closes (the gateway's stop). */
  async close(): Promise<void> {
    await this.closeServer();
  }

  private async closeServer(): Promise<void> {
    const old = this.server;
    this.server = undefined;
    await old?.close();
  }
}
