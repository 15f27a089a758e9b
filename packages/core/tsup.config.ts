import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';
import { mediasoupClientForBrowser } from './build/mediasoup-client-plugin.mjs';

/**
 * The worker needs only the E2EE constants of @alcove/protocol; its main entry also carries every
 * valibot schema (about 6 KiB gzipped that esbuild cannot drop). Resolve it to the constants file:
 * an import of anything else fails the build, loudly.
 */
const protocolConstantsOnly = {
  name: 'protocol-e2ee-constants-only',
  setup(build: { onResolve(o: { filter: RegExp }, cb: () => { path: string }): void }) {
    build.onResolve({ filter: /^@alcove\/protocol$/ }, () => ({
      path: fileURLToPath(new URL('../protocol/src/e2ee.ts', import.meta.url)),
    }));
  },
};

const require = createRequire(import.meta.url);

/**
 * The worker's tweetnacl is the small build (`nacl.js`): frames are sealed by WebCrypto, so tweetnacl
 * only runs the handshake (X25519, Ed25519, SHA-512 for HKDF), where the fast build's ~4 KiB of
 * unrolled code buys little. Pages keep the package's default (fast) build.
 */
const smallTweetnacl = {
  name: 'tweetnacl-small-build',
  setup(build: { onResolve(o: { filter: RegExp }, cb: () => { path: string }): void }) {
    build.onResolve({ filter: /^tweetnacl$/ }, () => ({ path: require.resolve('tweetnacl/nacl.js') }));
  },
};

export default defineConfig(() => {
  // One clean of `dist` (tsup's outDir, relative to the package) before both builds start. With
  // `clean: true` on the first, its type pass deletes every `.d.ts` in dist when it starts, which
  // raced the worker's build and left `e2ee-worker.d.ts` (an `exports` entry) missing.
  rmSync('dist', { recursive: true, force: true });
  return [
    {
      // The checklist and sealed chat are entries of their own (plug-ins: `checklistSupport()`,
      // `chatSupport()`) so an app that only calls Session does not carry them.
      entry: { index: 'src/index.ts', checklist: 'src/checklist/index.ts', chat: 'src/chat/index.ts' },
      format: ['esm'],
      dts: true,
      sourcemap: true,
      clean: false,
      target: 'es2022',
      platform: 'browser',
      // mediasoup-client is bundled, trimmed to its browser `Device` (no test fakes, no React Native
      // handler, a small `debug`): see build/mediasoup-client-plugin.mjs. It stays in `dependencies`
      // for its types, which our `.d.ts` reference. eventemitter3, tweetnacl and @alcove/protocol
      // stay external, so an app that uses them too ships them once.
      noExternal: ['mediasoup-client'],
      esbuildPlugins: [mediasoupClientForBrowser()],
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
      esbuildPlugins: [protocolConstantsOnly, smallTweetnacl],
    },
  ];
});
