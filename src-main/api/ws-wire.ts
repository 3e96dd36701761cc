/**
 * The WebSocket wire format between the browser bridge and the UI server (types only, so the renderer
 * can import it with `import type`). One JSON text frame per message.
 */
import type { CommandFailure, UiEventName } from './contract.ts';

/** Browser -> server: run one command. `id` is chosen by the browser and echoed in the answer. */
export interface WireRequest {
  id: number;
  command: string;
  args?: unknown;
}

/** Server -> browser: the answer to one request. */
export type WireResponse = { id: number; result?: unknown } | { id: number; error: CommandFailure };

/** Server -> browser: one engine event, pushed to every connected page. */
export interface WireEvent {
  event: UiEventName;
  payload: unknown;
}

export type WireServerMessage = WireResponse | WireEvent;
