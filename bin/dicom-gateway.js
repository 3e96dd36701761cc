#!/usr/bin/env -S node --max-semi-space-size=1
// --max-semi-space-size=1 (MB; Node's default grows to 16): every socket read is a buffer of its
// own, freed only when a young collection finds its object dead, and V8 starts one after so many
// bytes of JS objects, however many buffer bytes they hold. With 1 MB spent reads do not pile up:
// serve's peak RSS receiving 1000 x 512 KiB 108-112 MB against 144-148 MB with 4 MB, as fast for
// one sender, 7-10 % slower for four at once (docs/benchmarks.md, "A young generation of 1 MB").
// A heap size must be given at start: V8 sizes the heap once, setFlagsFromString is too late.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `dicom-gateway: needs Node.js 24 or later (for node:sqlite); this is Node ${process.versions.node}.\n` +
      'Run it with the Node 24 that `npm ci` installs: `npx dicom-gateway …` or `npm run serve -- …` from the project folder.\n',
  );
  process.exit(2);
}
// `serve` also needs an initial old space of 32 MB. Left to itself, V8 sets the old generation's
// first limit from how little survives young collections (about 20 MB here, socket buffers counted:
// src-main/runtime/heap-tuning.ts), and the buffers a large instance keeps in flight crossed it
// every 100 ms: 22-30 full collections in a receive of 1000 x 512 KiB, none with this; that receive
// 7 % faster, peaks 2-9 MB higher (docs/benchmarks.md, "A full collection every 100 ms"). Not on the
// #! line: under this flag Node's own built-in code cache is refused, about 15 ms more for every
// command, and --help and echo must start within 150 ms. So serve starts itself again with it:
// execve keeps the process id, the standard streams and the environment, and costs one more start
// (Windows has no execve: serve runs there without it). The new start also gets libuv's pool
// sized for the filing's fsyncs beside the journal's writes (src-main/runtime/thread-pool.ts, the
// same 8), unless the environment sizes it already: the pool reads it once, as it starts.
const SERVE_HEAP = '--initial-old-space-size=32';
if (process.argv[2] === 'serve' && !process.execArgv.includes(SERVE_HEAP) && process.platform !== 'win32') {
  const env = { ...process.env, UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '8' };
  process.execve(process.execPath, [process.execPath, ...process.execArgv, SERVE_HEAP, ...process.argv.slice(1)], env);
}
// V8 keeps the bundle's compiled code in the system's temp folder (checked against the source and
// the Node version): about 20 ms off every start after the first. One folder per user, as a
// workstation has several and the first would own a shared one; where it cannot be written, Node
// goes on without the cache.
const { tmpdir, userInfo } = await import('node:os');
(await import('node:module')).enableCompileCache(`${tmpdir()}/dicom-gateway-compile-cache-${process.getuid?.() ?? userInfo().username}`);
const { main } = await import('../dist/cli/main.js');

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err) => {
    process.stderr.write(`dicom-gateway: ${err?.stack ?? err}\n`);
    process.exitCode = 1;
  },
);
