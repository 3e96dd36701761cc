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
 */
import { setFlagsFromString } from 'node:v8';

const FLAG = '--external-memory-accounted-in-global-limit';

/** Call once, early, in a process that receives instances (`serve`, the desktop's engine process). */
export function tuneHeapForStreaming(): void {
  setFlagsFromString(FLAG);
}
