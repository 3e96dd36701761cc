#!/usr/bin/env node
// The published CLI runs the bundled engine (npm run build: scripts/build-cli.ts); tests run src-main directly on Node 24.
// Checked before the engine is loaded: on an older Node it would fail on node:sqlite with a stack trace.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `dicom-gateway: needs Node.js 24 or later (for node:sqlite); this is Node ${process.versions.node}.\n` +
      'Run it with the Node 24 that `npm ci` installs: `npx dicom-gateway …` or `npm run serve -- …` from the project folder.\n',
  );
  process.exit(2);
}
// V8 keeps the bundle's compiled code in the system's temp folder (node-compile-cache, checked
// against the source and the Node version): about 20 ms off every start after the first. Where
// that folder is not writable, Node goes on without the cache.
(await import('node:module')).enableCompileCache();
const { main } = await import('../dist/cli/main.js');

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err) => {
    process.stderr.write(`dicom-gateway: ${err?.stack ?? err}\n`);
    process.exitCode = 1;
  },
);
