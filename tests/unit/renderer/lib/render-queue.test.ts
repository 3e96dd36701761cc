import { describe, expect, it, vi } from 'vitest';
import type { RenderedFrame } from '../../../../src-main/api/contract.ts';
import { IN_FLIGHT, RenderCancelled, RenderQueue } from '../../../../src-renderer/src/lib/render-queue.ts';

/** A bridge whose renders answer only when the test says, each with its instance id as the reason. */
function heldRenders() {
  const held = new Map<number, { answer: () => void; fail: () => void }>();
  const bridge = {
    invoke: (_command: string, args: { instanceId: number }) =>
      new Promise<RenderedFrame>((resolve, reject) =>
        held.set(args.instanceId, {
          answer: () => resolve({ ok: false, reason: String(args.instanceId) }),
          fail: () => reject(new Error(`failed ${args.instanceId}`)),
        }),
      ),
  } as unknown as ConstructorParameters<typeof RenderQueue>[0];
  return { bridge, held };
}

describe('RenderQueue', () => {
  it('asks the engine for two renders at a time, the rest in the order they were asked for', async () => {
    const { bridge, held } = heldRenders();
    const queue = new RenderQueue(bridge);
    const renders = [1, 2, 3, 4].map((instanceId) => queue.render({ instanceId, maxSize: 96 }));
    expect(IN_FLIGHT).toBe(2);
    expect([...held.keys()]).toEqual([1, 2]);
    held.get(2)!.answer();
    expect(await renders[1]!.result).toEqual({ ok: false, reason: '2' });
    await vi.waitFor(() => expect([...held.keys()]).toEqual([1, 2, 3]));
    held.get(1)!.fail();
    await expect(renders[0]!.result).rejects.toThrow('failed 1');
    await vi.waitFor(() => expect([...held.keys()]).toEqual([1, 2, 3, 4]));
  });

  it('never asks for a render cancelled while it waited, and says so to whoever still holds it', async () => {
    const { bridge, held } = heldRenders();
    const queue = new RenderQueue(bridge);
    const renders = [1, 2, 3, 4].map((instanceId) => queue.render({ instanceId }));
    renders[2]!.cancel();
    await expect(renders[2]!.result).rejects.toBeInstanceOf(RenderCancelled);
    renders[0]!.cancel(); // already asked: it finishes, unseen
    held.get(1)!.answer();
    await vi.waitFor(() => expect([...held.keys()]).toEqual([1, 2, 4]));
  });
});
