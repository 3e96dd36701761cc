/**
 * What the viewer's keys and mouse do to the window and the frame, kept apart from the component so
 * it is plain to test: a drag right widens the window, a drag down raises the level (as in most
 * viewers); steps scale with the frame's value range, so CT (thousands of HU) and an 8-bit image
 * move alike.
 */
import type { WindowLevel } from '../../../../src-main/api/contract.ts';

export interface ViewerState {
  frame: number;
  frames: number;
  window: WindowLevel | null;
}

/** Window units per pixel dragged, or per key press divided by 10. */
export function windowStep(range: { min: number; max: number }): number {
  return Math.max((range.max - range.min) / 256, 1e-6);
}

export function dragWindow(start: WindowLevel, dx: number, dy: number, step: number): WindowLevel {
  return { center: start.center + dy * step, width: Math.max(start.width + dx * step, step) };
}

export type KeyAction = { kind: 'frame'; frame: number } | { kind: 'window'; window: WindowLevel } | { kind: 'reset' } | undefined;

/** ↑/↓ level, ←/→ width, PageUp/PageDown (or , and .) frame, Home/End first/last frame, R reset. */
export function keyAction(key: string, shift: boolean, state: ViewerState, step: number): KeyAction {
  const move = (delta: number): KeyAction => {
    const frame = Math.min(state.frames - 1, Math.max(0, state.frame + delta));
    return frame === state.frame ? undefined : { kind: 'frame', frame };
  };
  const w = state.window;
  const by = step * (shift ? 40 : 10);
  switch (key) {
    case 'PageDown':
    case '.':
      return move(1);
    case 'PageUp':
    case ',':
      return move(-1);
    case 'Home':
      return move(-state.frame);
    case 'End':
      return move(state.frames - 1 - state.frame);
    case 'ArrowUp':
      return w ? { kind: 'window', window: { center: w.center + by, width: w.width } } : undefined;
    case 'ArrowDown':
      return w ? { kind: 'window', window: { center: w.center - by, width: w.width } } : undefined;
    case 'ArrowRight':
      return w ? { kind: 'window', window: { center: w.center, width: w.width + by } } : undefined;
    case 'ArrowLeft':
      return w ? { kind: 'window', window: { center: w.center, width: Math.max(w.width - by, step) } } : undefined;
    case 'r':
    case 'R':
      return { kind: 'reset' };
    default:
      return undefined;
  }
}

export function formatWindow(w: WindowLevel | null): string {
  if (!w) return 'colour, as stored';
  const round = (n: number) => (Math.abs(n) >= 100 ? Math.round(n).toString() : n.toPrecision(3));
  return `W ${round(w.width)} · L ${round(w.center)}`;
}
