/**
 * The single list of Alcove's test projects. `vitest.config.ts` passes it to Vitest as
 * `test.projects` (current Vitest no longer reads a workspace file on its own).
 *
 * - `<package>` projects: colocated unit tests (`*.test.ts`), in Node or happy-dom.
 * - `examples`: the examples' Node tests against the real server.
 * - `packaging`: `scripts/*.test.ts`, the packed tarballs installed with npm into an app outside
 *   the workspace (after `pnpm build`, as `pnpm test` does).
 * - `browser`: `*.browser.test.ts`, real Chromium through playwright-core against real servers on
 *   127.0.0.1. They run one file at a time: the machine has two cores and Chromium needs them.
 */
import { fileURLToPath } from 'node:url';
import type { TestProjectConfiguration } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const src = (name: string): string => `${root}packages/${name}/src/index.ts`;

/** Tests import workspace packages from source, so `vitest` needs no prior build. */
export const alias = {
  // Subpaths first: an alias also matches `<key>/…`, and the first match wins.
  '@alcove/server/client': `${root}packages/server/src/client/index.ts`,
  '@alcove/server/testing': `${root}packages/server/src/testing/index.ts`,
  '@alcove/core/checklist': `${root}packages/core/src/checklist/index.ts`,
  '@alcove/core/chat': `${root}packages/core/src/chat/index.ts`,
  '@alcove/protocol/fixtures': `${root}packages/protocol/src/fixtures.ts`,
  '@alcove/protocol': src('protocol'),
  '@alcove/core': src('core'),
  '@alcove/ui': src('ui'),
  '@alcove/sfu': src('sfu'),
  '@alcove/server': src('server'),
  '@alcove/testing': src('testing'),
};

/**
 * Safety nets, not performance limits: Vitest's defaults (5 s per test, 10 s per hook) fail tests
 * that start a real server on a loaded two-core CI machine. How long things take is `pnpm bench`'s.
 */
const patience = { testTimeout: 60_000, hookTimeout: 60_000 } as const;

const unit = (name: string, environment: 'node' | 'happy-dom'): TestProjectConfiguration => ({
  resolve: { alias },
  test: {
    ...patience,
    name,
    root,
    environment,
    include: [`packages/${name}/src/**/*.test.ts`],
    exclude: ['**/*.browser.test.ts', '**/node_modules/**', '**/dist/**'],
  },
});

export default [
  unit('protocol', 'node'),
  unit('core', 'happy-dom'),
  unit('ui', 'happy-dom'),
  unit('sfu', 'node'),
  unit('server', 'node'),
  unit('testing', 'node'),
  {
    resolve: { alias },
    test: {
      ...patience,
      name: 'examples',
      root,
      environment: 'node',
      include: ['examples/*/**/*.test.ts'],
      exclude: ['**/*.browser.test.ts', '**/node_modules/**', '**/dist/**'],
    },
  },
  {
    // Packs the public packages and installs them with npm outside the workspace (needs `pnpm build`).
    test: {
      name: 'packaging',
      root,
      environment: 'node',
      include: ['scripts/**/*.test.ts'],
      testTimeout: 300_000,
    },
  },
  {
    resolve: { alias },
    test: {
      name: 'browser',
      root,
      environment: 'node',
      include: ['packages/*/src/**/*.browser.test.ts', 'examples/*/**/*.browser.test.ts'],
      exclude: ['**/node_modules/**', '**/dist/**'],
      fileParallelism: false,
      testTimeout: 60_000,
      hookTimeout: 60_000,
    },
  },
] satisfies TestProjectConfiguration[];
