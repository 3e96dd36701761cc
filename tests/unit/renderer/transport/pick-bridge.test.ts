import { describe, expect, it } from 'vitest';
import { pickBridge, PRELOAD_MISSING } from '../../../../src-renderer/src/transport/pick-bridge.ts';
import { createTestBridge } from '../test-bridge.ts';

describe('pickBridge', () => {
  it('uses the preload bridge when the desktop app exposed one', () => {
    const gateway = createTestBridge();
    expect(
      pickBridge({ gateway, location: { protocol: 'app:' } }, () => {
        throw new Error('no socket on the desktop');
      }),
    ).toEqual({ bridge: gateway });
  });

  it('says the preload did not load, instead of a blank window, on the app origin without a bridge', () => {
    expect(
      pickBridge({ location: { protocol: 'app:' } }, () => {
        throw new Error('must not connect');
      }),
    ).toEqual({ failure: PRELOAD_MISSING });
  });

  it('connects the WebSocket bridge in a browser', () => {
    const browser = createTestBridge();
    expect(pickBridge({ location: { protocol: 'http:' } }, () => browser)).toEqual({ bridge: browser });
  });
});
