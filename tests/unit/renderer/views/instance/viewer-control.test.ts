import { describe, expect, it } from 'vitest';
import { dragWindow, formatWindow, keyAction, windowStep } from '../../../../../src-renderer/src/views/instance/viewer-control.ts';

const state = { frame: 2, frames: 5, window: { center: 40, width: 400 } };

describe('viewer control', () => {
  it('steps the window by the frame’s value range', () => {
    expect(windowStep({ min: -1024, max: 3072 })).toBe(16);
    expect(windowStep({ min: 0, max: 0 })).toBeGreaterThan(0);
  });

  it('drags right to widen, down to raise the level, never below one step wide', () => {
    expect(dragWindow({ center: 40, width: 400 }, 10, -5, 2)).toEqual({ center: 30, width: 420 });
    expect(dragWindow({ center: 40, width: 400 }, -1000, 0, 2)).toEqual({ center: 40, width: 2 });
  });

  it('maps keys to level, width, frame and reset; Shift is faster', () => {
    expect(keyAction('ArrowUp', false, state, 1)).toEqual({ kind: 'window', window: { center: 50, width: 400 } });
    expect(keyAction('ArrowUp', true, state, 1)).toEqual({ kind: 'window', window: { center: 80, width: 400 } });
    expect(keyAction('ArrowLeft', false, state, 1)).toEqual({ kind: 'window', window: { center: 40, width: 390 } });
    expect(keyAction('PageDown', false, state, 1)).toEqual({ kind: 'frame', frame: 3 });
    expect(keyAction(',', false, state, 1)).toEqual({ kind: 'frame', frame: 1 });
    expect(keyAction('End', false, state, 1)).toEqual({ kind: 'frame', frame: 4 });
    expect(keyAction('Home', false, state, 1)).toEqual({ kind: 'frame', frame: 0 });
    expect(keyAction('r', false, state, 1)).toEqual({ kind: 'reset' });
    expect(keyAction('x', false, state, 1)).toBeUndefined();
  });

  it('stops at the first and last frame, and leaves colour images’ window alone', () => {
    expect(keyAction('PageDown', false, { ...state, frame: 4 }, 1)).toBeUndefined();
    expect(keyAction('PageUp', false, { ...state, frame: 0 }, 1)).toBeUndefined();
    expect(keyAction('ArrowUp', false, { ...state, window: null }, 1)).toBeUndefined();
    expect(formatWindow(null)).toBe('colour, as stored');
    expect(formatWindow({ center: 135.5, width: 2063 })).toBe('W 2063 · L 136');
  });
});
