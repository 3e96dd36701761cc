/**
 * Which transport this page uses: the desktop app's preload bridge (window.gateway), or the
 * browser WebSocket of `serve --ui-port`. A page on the desktop app's own app:// origin without the
 * preload bridge (the preload failed to load) must say so, not try a WebSocket that cannot exist.
 */
import type { GatewayBridge } from '../../../src-main/api/contract.ts';
import { connectBrowserBridge } from './ws-bridge.ts';

export const PRELOAD_MISSING =
  'DICOM Gateway could not connect this window to the gateway: a part of the app (its preload) did not load. ' +
  'Reinstall DICOM Gateway. Images keep arriving meanwhile.';

export type PickedBridge = { bridge: GatewayBridge } | { failure: string };

export function pickBridge(
  page: { gateway?: GatewayBridge; location: { protocol: string } },
  connect: () => GatewayBridge = connectBrowserBridge,
): PickedBridge {
  if (page.gateway) return { bridge: page.gateway };
  if (page.location.protocol === 'app:') return { failure: PRELOAD_MISSING };
  return { bridge: connect() };
}
