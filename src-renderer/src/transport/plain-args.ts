/**
 * The one place where the renderer's arguments become plain data before a transport sees them.
 *
 * Views hold their state in Svelte 5 `$state`, which is a Proxy. Electron's contextBridge copies
 * arguments with the structured clone algorithm, which refuses a Proxy ("An object could not be
 * cloned"), while the WebSocket transport JSON-encodes and never notices. The fix cannot live in
 * the preload (the clone happens before the preload's code runs) nor at each call site (one
 * forgotten call breaks the desktop app only), so every bridge the views can reach is wrapped here.
 * A JSON round trip is the copy because the contract is plain JSON by definition: what survives it
 * is exactly what the WebSocket carries, so both transports receive the same arguments.
 */
import type { GatewayBridge } from '../../../src-main/api/contract.ts';

/** A deep, proxy-free copy of `value` as JSON would carry it (undefined stays undefined). */
export function plainArgs<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

const WRAPPED = Symbol('plain-args-bridge');

/**
 * `bridge` with every command argument copied to plain data first. Everything else (events,
 * dropped files, a browser transport's connection state) is inherited from the bridge itself.
 * Built with Object.create and defineProperty, not a Proxy: contextBridge's object is frozen, and
 * a Proxy may not answer a frozen property with another function.
 */
export function withPlainArgs<B extends GatewayBridge>(bridge: B): B {
  if (WRAPPED in bridge) return bridge;
  const invoke = bridge.invoke as (command: string, ...args: unknown[]) => Promise<unknown>;
  return Object.create(bridge, {
    [WRAPPED]: { value: true },
    invoke: { value: (command: string, ...args: unknown[]) => invoke.call(bridge, command, ...args.map(plainArgs)), enumerable: true },
  }) as B;
}
