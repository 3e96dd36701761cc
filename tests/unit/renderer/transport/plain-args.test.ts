import { describe, expect, it } from 'vitest';
import { plainArgs, withPlainArgs } from '../../../../src-renderer/src/transport/plain-args.ts';
import { createTestBridge, type TestBridge } from '../test-bridge.ts';

/** Svelte's $state is a Proxy; any Proxy is refused by structured clone in the same way. */
function proxied<T extends object>(value: T): T {
  return new Proxy(value, {});
}

describe('plainArgs', () => {
  it('turns nested proxies into plain objects that structured clone accepts', () => {
    const rules = proxied([proxied({ name: 'ct', match: proxied({ modality: 'CT' }), forward: proxied(['pacs']) })]);
    expect(() => structuredClone({ rules })).toThrow(/could not be cloned/);
    const copy = plainArgs({ rules });
    expect(structuredClone(copy)).toEqual({ rules: [{ name: 'ct', match: { modality: 'CT' }, forward: ['pacs'] }] });
  });

  it('keeps a missing argument missing', () => {
    expect(plainArgs(undefined)).toBeUndefined();
  });
});

describe('withPlainArgs', () => {
  it('hands a structured-cloning bridge (as contextBridge) plain arguments, even from proxies', async () => {
    const bridge: TestBridge = createTestBridge({ saveRules: ({ rules }) => rules });
    await expect(bridge.invoke('saveRules', { rules: proxied([]) })).rejects.toThrow(/could not be cloned/);
    const wrapped = withPlainArgs(bridge);
    const file = proxied({ instanceId: 7 });
    await expect(wrapped.invoke('saveRules', { rules: proxied([]) })).resolves.toEqual([]);
    expect(bridge.handlers.readByteRange).toBeUndefined();
    bridge.handlers.readByteRange = (args) => ({ offset: args.offset, hex: '', fileSize: 0, spans: [] });
    await wrapped.invoke('readByteRange', { file, offset: 4, length: 16 });
    expect(bridge.callsOf('readByteRange')).toEqual([{ file: { instanceId: 7 }, offset: 4, length: 16 }]);
  });

  it('works on a frozen bridge, as contextBridge exposes it, and keeps its other members', async () => {
    let state = 'open';
    const frozen = Object.freeze({
      invoke: async (_command: string, args?: unknown) => structuredClone(args),
      on: () => () => {},
      pathsForDroppedFiles: async () => ['/a'],
      get state() {
        return state;
      },
    });
    const wrapped = withPlainArgs(frozen as never) as unknown as typeof frozen;
    expect(await wrapped.invoke('listStudies', proxied({ limit: 5 }))).toEqual({ limit: 5 });
    expect(await wrapped.pathsForDroppedFiles()).toEqual(['/a']);
    state = 'reconnecting';
    expect(wrapped.state).toBe('reconnecting');
    expect(withPlainArgs(wrapped as never)).toBe(wrapped);
  });
});
