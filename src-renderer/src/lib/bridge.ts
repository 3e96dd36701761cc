/**
 * The renderer's one way to reach the engine. main.ts picks the transport (Electron's preload or the
 * browser WebSocket) and hands it to setBridge before mounting; components ask useBridge(), which
 * prefers a bridge given through Svelte context. Nothing here imports a transport, so component tests
 * inject a test bridge and never open a socket.
 */
import { getContext, setContext } from 'svelte';
import type { GatewayBridge } from '../../../src-main/api/contract.ts';
import { withPlainArgs } from '../transport/plain-args.ts';

declare global {
  interface Window {
    /** Set by the Electron preload through contextBridge; undefined in a plain browser. */
    gateway?: GatewayBridge;
  }
}

const BRIDGE_KEY = Symbol('gateway-bridge');
let current: GatewayBridge | undefined;

/**
 * Installs the bridge every component will use (main.ts at start-up; tests with a test bridge).
 * Every bridge is wrapped so command arguments reach it as plain data, never as `$state` proxies
 * (see transport/plain-args.ts): the one boundary between views and transports.
 */
export function setBridge(bridge: GatewayBridge | undefined): void {
  current = bridge === undefined ? undefined : withPlainArgs(bridge);
}

export function getBridge(): GatewayBridge {
  if (!current) throw new Error('No gateway bridge: main.ts must call setBridge() before mounting the app');
  return current;
}

/** Makes `bridge` the one this component's children see (call during component initialisation). */
export function provideBridge(bridge: GatewayBridge): void {
  setContext(BRIDGE_KEY, withPlainArgs(bridge));
}

/** The bridge for the calling component: from context if a parent provided one, else the installed one. */
export function useBridge(): GatewayBridge {
  return getContext<GatewayBridge | undefined>(BRIDGE_KEY) ?? getBridge();
}

/**
 * True when dropped File objects carry real file-system paths (Electron's preload resolves them,
 * folders included). In a browser a dropped folder has no readable bytes, so its files must be
 * collected one by one before upload.
 */
export function droppedFilesHavePaths(): boolean {
  return typeof window !== 'undefined' && window.gateway !== undefined;
}
