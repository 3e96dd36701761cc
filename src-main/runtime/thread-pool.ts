/**
 * libuv's thread pool for a process that receives instances (`serve`, the desktop's engine).
 *
 * The pool (4 threads unless UV_THREADPOOL_SIZE says otherwise) carries the acknowledgements'
 * journal writes that do not run inline, reads of files a UI send streams, and the filing
 * thread's fsyncs, which it keeps several in flight (store/durable-file-write.ts, SYNCS_IN_FLIGHT).
 * With four, a batch's fsyncs could hold every thread while an acknowledgement's write waits
 * behind them: eight leave as many free as the filing takes. The size is read once, when the
 * pool starts, so it is set in the process's environment at its start: bin/dicom-gateway.js for
 * `serve` (it holds the same number), electron/main.ts for the engine's process.
 */
export const THREAD_POOL_SIZE = 8;

/** `env` with the pool's size, unless it names one already (a user's own choice stands). */
export function withThreadPoolSize(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, UV_THREADPOOL_SIZE: env.UV_THREADPOOL_SIZE ?? String(THREAD_POOL_SIZE) };
}
