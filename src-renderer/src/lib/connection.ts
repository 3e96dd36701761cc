/**
 * A network transport (the browser WebSocket bridge) can lose its connection and come back; the
 * Electron bridge cannot. Views ask here rather than knowing the transport: with a bridge that has
 * no connection to lose, nothing is ever reported.
 */
import type { GatewayBridge } from '../../../src-main/api/contract.ts';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

interface ConnectionAware {
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
}

export function watchConnection(bridge: GatewayBridge, listener: (state: ConnectionState) => void): () => void {
  const candidate = bridge as GatewayBridge & Partial<ConnectionAware>;
  return typeof candidate.onConnectionChange === 'function' ? candidate.onConnectionChange(listener) : () => {};
}

/** Calls `reload` when the connection comes back after a loss: events sent meanwhile were missed. */
export function onReconnect(bridge: GatewayBridge, reload: () => void): () => void {
  let lost = false;
  return watchConnection(bridge, (state) => {
    if (state === 'reconnecting' || state === 'closed') lost = true;
    else if (state === 'open' && lost) {
      lost = false;
      reload();
    }
  });
}
