/**
 * V8 tuning for a process that streams DICOM data.
 *
 * Every socket read and file chunk is an ArrayBuffer outside the JS heap. By default V8 starts a
 * full mark-compact each time that outside ("external") memory has grown by a fixed step since
 * the last one, however small the heap: receiving 1000 x 512 KiB instances ran 45-49
 * mark-compacts on a 20 MB heap (about 1 s of main-thread time, on the path of every
 * acknowledgement). Counting external memory in V8's global limit instead lets the buffers be
 * collected with the heap's own rhythm: 10-11 mark-compacts for the same receive, for about
 * 35 MB more peak RSS. (`node --trace-gc`, measured on the bench's large corpus.)
 *
 * That limit needs a floor. Left to itself V8 sets the old generation's first limit from how
 * little survives young collections, and with the CLI's 1 MB young generation a large receive's
 * buffers in flight crossed it every 100 ms again (22-30 mark-compacts per 1000 x 512 KiB, 36-40
 * with four senders). bin/dicom-gateway.js starts `serve` with an initial old space of 32 MB, which
 * must be set before the heap exists (0 and 4-5 mark-compacts). The desktop's utility process
 * cannot be given heap sizes at start (docs/desktop.md); with V8's default young generation this
 * tuning alone still took a large receive from 52 mark-compacts to 14 (one run each).
 */
import { setFlagsFromString } from 'node:v8';

const FLAG = '--external-memory-accounted-in-global-limit';

/** Call once, early, in a process that receives instances (`serve`, the desktop's engine process). */
export function tuneHeapForStreaming(): void {
  setFlagsFromString(FLAG);
}
