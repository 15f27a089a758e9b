/**
 * Core's browser tests against the *built* package (`pnpm build` first):
 *
 *   npx vitest run --config packages/core/build/vitest.dist.config.ts [file filter]
 *
 * The same test files as the `browser` project, with their test site (`src/test/browser/site.ts`)
 * swapped for `dist-site.ts`, which bundles the test pages against `dist/` instead of the sources.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { alias } from '../../../vitest.workspace.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const site = fileURLToPath(new URL('../src/test/browser/site.ts', import.meta.url));
const distSite = fileURLToPath(new URL('./dist-site.ts', import.meta.url));

export default defineConfig({
  plugins: [
    {
      name: 'alcove:test-site-from-dist',
      enforce: 'pre',
      resolveId(source, importer) {
        if (!importer || !source.startsWith('.')) return null;
        return resolve(dirname(importer), source).replace(/\.js$/, '.ts') === site ? distSite : null;
      },
    },
  ],
  resolve: { alias },
  test: {
    name: 'browser-dist',
    root,
    environment: 'node',
    include: [
      'packages/core/src/session/session.browser.test.ts',
      'packages/core/src/e2ee/session-e2ee.browser.test.ts',
      'packages/core/src/checklist/checklist.browser.test.ts',
    ],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
