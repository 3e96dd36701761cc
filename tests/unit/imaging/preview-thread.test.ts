/**
 * The preview thread renders what renderFrame renders, off the calling thread: a decode that takes
 * the engine's thread for tens of milliseconds per frame takes it for none.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PreviewThread } from '../../../src-main/imaging/preview-thread.ts';
import { renderFrame } from '../../../src-main/imaging/render-frame.ts';
import { watchEventLoopBlocks } from '../../helpers/event-loop-blocks.ts';
import { waitFor } from '../../helpers/wait.ts';

const CORPUS = '/usr/lib/python3/dist-packages/pydicom/data/test_files';
// 256x1024, JPEG 2000: decoding it takes the thread that does it for tens of milliseconds.
const J2K = join(CORPUS, 'JPEG2000.dcm');

describe('PreviewThread', () => {
  let thread: PreviewThread;
  afterEach(async () => thread?.stop());

  it('renders on its thread exactly what renderFrame renders, and says why it cannot as renderFrame does', async () => {
    thread = new PreviewThread();
    for (const [file, request] of [
      [J2K, {}],
      [join(CORPUS, 'rtdose.dcm'), { frame: 3, window: { center: 1_000_000, width: 500_000 } }],
      [join(CORPUS, 'waveform_ecg.dcm'), {}],
    ] as const) {
      expect(await thread.render(file, request), file).toEqual(await renderFrame(file, request));
    }
    await expect(thread.render(join(CORPUS, 'no-such-file.dcm'), {})).rejects.toThrow(/no-such-file\.dcm: no such file/);
  });

  it('keeps the calling thread free while it decodes, where rendering in place holds it', async () => {
    thread = new PreviewThread();
    await thread.render(J2K, {}); // the thread up and its codecs loaded
    await renderFrame(J2K, {}); // the same here
    const blocksOf = async (render: () => Promise<unknown>) => {
      const watch = watchEventLoopBlocks();
      for (let i = 0; i < 8; i++) await render();
      return watch.stop().maxBlockMs;
    };
    const inPlace = await blocksOf(() => renderFrame(J2K, {}));
    const onThread = await blocksOf(() => thread.render(J2K, {}));
    console.info(
      `8 JPEG 2000 renders: longest block of the calling thread ${inPlace.toFixed(1)} ms in place, ${onThread.toFixed(1)} ms on the preview thread`,
    );
    // Decoding is CPU work of whichever thread does it: here, of the preview thread's alone.
    expect(onThread).toBeLessThan(inPlace / 3);
    expect(onThread).toBeLessThan(15);
  });

  it('fails a render the thread held when it ended, and starts another for the next', async () => {
    thread = new PreviewThread();
    const held = thread.render(J2K, {});
    await thread.stop();
    await expect(held).rejects.toThrow(/the preview thread exited/);
    expect(thread.running).toBe(false);
    expect(await thread.render(J2K, {})).toMatchObject({ ok: true, columns: 256, rows: 1024 });
  });

  it('ends after its idle time without a render', async () => {
    thread = new PreviewThread(50);
    await thread.render(J2K, { maxSize: 96 });
    expect(thread.running).toBe(true);
    await waitFor('the idle thread ended', () => !thread.running, 5_000);
  });
});
