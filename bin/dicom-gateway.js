#!/usr/bin/env -S node --max-semi-space-size=4
// --max-semi-space-size=4 (MB; Node's default grows to 16): V8 collects its young generation by the
// JS objects made, not by the bytes of the buffers they hold, so with the default a receive of small
// instances lets up to 16 MB of objects pile up between collections, each holding socket buffers:
// serve's peak RSS receiving 5000 x 10 KiB fell from 145-157 MB to 103-105 MB with it, at the same
// speed; on 512 KiB instances it made no clear difference (docs/benchmarks.md, "Start-up and
// footprint"). A heap size must be given at start: V8 sizes the heap once, setFlagsFromString is too late.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `dicom-gateway: needs Node.js 24 or later (for node:sqlite); this is Node ${process.versions.node}.\n` +
      'Run it with the Node 24 that `npm ci` installs: `npx dicom-gateway …` or `npm run serve -- …` from the project folder.\n',
  );
  process.exit(2);
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
