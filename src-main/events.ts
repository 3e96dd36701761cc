/**
 * The engine's one typed event stream. The UI, the logs and the receive log all read these, so an
 * event carries everything a person would want to see about the thing that happened.
 */
import { EventEmitter } from 'node:events';
import type { GatewayEvents } from './api/types/events.ts';

export type GatewayEventName = keyof GatewayEvents;

/** EventEmitter with the event names and payloads fixed by GatewayEvents. */
export class GatewayEventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Many UI subscribers (windows, WebSocket clients) may listen at once.
    this.emitter.setMaxListeners(0);
  }

  emit<K extends GatewayEventName>(name: K, payload: GatewayEvents[K]): void {
    this.emitter.emit(name, payload);
  }

  on<K extends GatewayEventName>(name: K, listener: (payload: GatewayEvents[K]) => void): () => void {
    this.emitter.on(name, listener);
    return () => this.emitter.off(name, listener);
  }
}
