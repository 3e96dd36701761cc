import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { realpathSync } from 'node:fs';

const RENDERER_TESTS = 'tests/unit/renderer/**/*.test.ts';

export default defineConfig({
  test: {
    // Integration tests start real DCMTK peers and gateway processes; two cores, so keep parallelism modest.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'engine',
          include: ['tests/**/*.test.ts'],
          exclude: ['**/node_modules/**', RENDERER_TESTS],
        },
      },
      {
        // Component tests need Svelte compiled for the browser (the `browser` resolve condition) and a DOM.
        // Kept in their own project so that condition never reaches engine tests (ws has a browser entry that throws).
        extends: true,
        plugins: [svelte({ configFile: false }), svelteTesting()],
        // In a git worktree node_modules is a link to a shared install outside the project root:
        // the testing library's setup file is found at its real path, which must be allowed.
        server: { fs: { allow: ['.', realpathSync('node_modules')] } },
        test: {
          name: 'renderer',
          include: [RENDERER_TESTS],
          environment: 'happy-dom',
          testTimeout: 15_000,
        },
      },
    ],
  },
});
