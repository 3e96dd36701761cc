#!/usr/bin/env node
// The published CLI runs the compiled engine (npm run build); tests run src-main directly on Node 24.
import { main } from '../dist/main/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err) => {
    process.stderr.write(`dicom-gateway: ${err?.stack ?? err}\n`);
    process.exitCode = 1;
  },
);
