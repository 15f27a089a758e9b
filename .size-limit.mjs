/**
 * Bundle-size budgets, checked by `pnpm size` (after `pnpm build`) in CI.
 *
 * Each check is what an app ships when it imports our *built* packages: bundled by esbuild for the
 * browser with every dependency (mediasoup-client, eventemitter3, valibot, tweetnacl…), minified,
 * gzipped (level 9). Limits are in KiB (1024 bytes, as in the benchmarks); size-limit prints kB (1000 bytes),
 * so '60 KiB' shows as 61.44 kB. `pnpm size:why [filter]` shows what pulls the weight.
 * Why these numbers: docs/decisions/2026-11-28-tooling.md.
 */
import { readFileSync } from 'node:fs';

const browser = (config) => ({ ...config, platform: 'browser', target: 'es2022' });
const check = (c) => ({ gzip: true, modifyEsbuildConfig: browser, ...c });
const coreExports = JSON.parse(readFileSync(new URL('./packages/core/package.json', import.meta.url), 'utf8')).exports;

export default [
  check({
    name: '@alcove/core: an app that only calls Session',
    path: 'packages/core/dist/index.js',
    import: '{ Session }',
    limit: '60 KiB',
  }),
  check({
    name: '@alcove/core: the whole entry',
    path: 'packages/core/dist/index.js',
    import: '*',
    limit: '65 KiB',
  }),
  check({
    name: '@alcove/core/e2ee-worker (one self-contained file)',
    path: 'packages/core/dist/e2ee-worker.js',
    limit: '28 KiB',
  }),
  // The pre-session checklist is its own entry so it does not weigh on apps that only call Session;
  // measured as soon as package.json exports it.
  ...(coreExports['./checklist']
    ? [check({ name: '@alcove/core/checklist', path: `packages/core/${coreExports['./checklist'].import}`, import: '*', limit: '20 KiB' })]
    : []),
  check({
    name: '@alcove/ui: every element, with @alcove/core',
    path: 'packages/ui/dist/index.js',
    limit: '72 KiB',
  }),
];
