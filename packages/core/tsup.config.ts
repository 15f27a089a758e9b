import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The checklist is an entry of its own so an app that only calls Session does not carry it.
    entry: { index: 'src/index.ts', checklist: 'src/checklist/index.ts' },
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: 'browser',
  },
  {
    // The E2EE worker ships as one self-contained file (tweetnacl and the protocol constants
    // inlined), so it can be hosted as-is with Subresource Integrity and a `worker-src` CSP entry.
    entry: { 'e2ee-worker': 'src/e2ee/worker/e2ee-worker.ts' },
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: false,
    target: 'es2022',
    platform: 'browser',
    noExternal: [/.*/],
    minify: true,
  },
]);
