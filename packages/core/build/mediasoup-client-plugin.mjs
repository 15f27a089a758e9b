/**
 * esbuild plugin (used by tsup.config.ts) that bundles mediasoup-client into @alcove/core's `dist`,
 * trimmed to what a browser SDK runs. Why: mediasoup-client is CommonJS and its entry re-exports
 * its test fakes, so an app's bundler keeps them, plus the React Native handler and the `debug`
 * logger (≈ 40 KiB minified, 6 KiB gzipped of the Session-only bundle; docs/decisions/2026-11-28-tooling.md).
 *
 * - `mediasoup-client` (from core's sources) → `mediasoup-client-browser.js`: `Device` from
 *   `lib/Device.js`, the only run-time import core makes (its other imports are types).
 * - `mediasoup-client/lib/…` → that file of the installed package (its `exports` map hides `lib/`).
 * - `./handlers/ReactNative106` from `lib/Device.js` → a stub that throws mediasoup-client's
 *   `UnsupportedError` if it is ever selected (only under React Native).
 * - `./handlers/Chrome74` from `lib/Device.js` → the same kind of stub: mediasoup-client selects it
 *   for Chromium 74–110 only, older than what @alcove/core supports (Chromium 111+, Firefox 120+,
 *   Safari/iOS WebKit 605+; `src/platform/browser-support.ts`), ≈ 18 KiB minified, 4 KiB gzipped.
 * - `require("../../")` (mediasoup-client's own entry, from `lib/handlers/sdp/RemoteSdp.js`) → a
 *   module with its `version` only; the build fails if that file starts reading anything else.
 * - `debug` (mediasoup-client, awaitqueue, h264-profile-level-id) → a small logger with the same
 *   `localStorage.debug` opt-in.
 * - `./DataProducer`, `./DataConsumer` (from `lib/Transport.js`) → a stub that throws
 *   `UnsupportedError`: only `produceData`/`consumeData` create them, and core uses no data channel.
 * - `events-alias` (the `events` package, Node's EventEmitter for browsers, ≈ 6 KiB minified, from
 *   `lib/enhancedEvents.js`) → `stubs/events.js`, the part of that API mediasoup-client calls, with
 *   Node's semantics (checked against `node:events` in `src/platform/events-stub.test.ts`).
 *
 * Every other file comes from the installed packages, unchanged. At the end of the build it writes
 * `THIRD-PARTY-LICENSES.md` next to the output with the licence text of each package bundled, and
 * fails if one is not under a licence in `ALLOWED_LICENSES` (a new dependency of mediasoup-client
 * must be looked at before it ships inside our files).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '..', 'package.json'));
/** The installed mediasoup-client (its `main` is `lib/index.js`). */
const mediasoupDir = dirname(dirname(require.resolve('mediasoup-client')));
const inMediasoup = (file) => file.startsWith(mediasoupDir + sep);
const mediasoupVersion = JSON.parse(readFileSync(join(mediasoupDir, 'package.json'), 'utf8')).version;

const ALLOWED_LICENSES = new Set(['ISC', 'MIT']);

/** @returns {import('esbuild').Plugin} */
export function mediasoupClientForBrowser() {
  return {
    name: 'alcove:mediasoup-client-browser',
    setup(build) {
      build.onResolve({ filter: /^mediasoup-client$/ }, () => ({ path: join(here, 'mediasoup-client-browser.js') }));
      build.onResolve({ filter: /^mediasoup-client\/lib\// }, (args) => ({
        path: join(mediasoupDir, `${args.path.slice('mediasoup-client/'.length).replace(/\.js$/, '')}.js`),
      }));
      build.onResolve({ filter: /^\.\/handlers\/ReactNative106(\.js)?$/ }, (args) =>
        inMediasoup(args.importer) ? { path: join(here, 'stubs', 'react-native-handler.js') } : undefined,
      );
      build.onResolve({ filter: /^\.\/Data(Producer|Consumer)(\.js)?$/ }, (args) =>
        inMediasoup(args.importer) ? { path: join(here, 'stubs', 'data-channels.js') } : undefined,
      );
      build.onResolve({ filter: /^\.\/handlers\/Chrome74(\.js)?$/ }, (args) =>
        inMediasoup(args.importer) ? { path: join(here, 'stubs', 'chrome74-handler.js') } : undefined,
      );
      // `lib/handlers/sdp/RemoteSdp.js` requires the package entry (`require("../../")`) for its
      // `version` alone; the entry would bring the test fakes back, so it gets just that.
      build.onResolve({ filter: /^\.\.?(\/\.\.)*\/?$/ }, (args) =>
        inMediasoup(args.importer) && resolve(args.resolveDir, args.path) === join(mediasoupDir, 'lib')
          ? { path: join(mediasoupDir, 'lib', 'index.js'), namespace: 'alcove-mediasoup-entry', pluginData: args.importer }
          : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: 'alcove-mediasoup-entry' }, (args) => {
        const uses = entryUses(args.pluginData);
        if (uses.some((name) => name !== 'version')) {
          return {
            errors: [
              {
                text: `${args.pluginData} uses ${uses.join(', ')} of mediasoup-client's entry; build/mediasoup-client-plugin.mjs only provides \`version\``,
              },
            ],
          };
        }
        return { contents: `export const version = ${JSON.stringify(mediasoupVersion)};`, loader: 'js' };
      });
      build.onResolve({ filter: /^debug$/ }, () => ({ path: join(here, 'stubs', 'debug.js') }));
      build.onResolve({ filter: /^events-alias$/ }, (args) =>
        inMediasoup(args.importer) ? { path: join(here, 'stubs', 'events.js') } : undefined,
      );

      build.onEnd((result) => {
        if (result.errors.length > 0 || !result.metafile) return;
        const packages = bundledPackages(Object.keys(result.metafile.inputs));
        const refused = packages.filter((p) => !ALLOWED_LICENSES.has(p.license));
        if (refused.length > 0) {
          return {
            errors: refused.map((p) => ({ text: `${p.name}@${p.version} is bundled into @alcove/core but its licence is ${p.license}` })),
          };
        }
        const outdir = build.initialOptions.outdir ?? 'dist';
        mkdirSync(outdir, { recursive: true });
        writeFileSync(join(outdir, 'THIRD-PARTY-LICENSES.md'), notice(packages));
        return undefined;
      });
    },
  };
}

/**
 * The members of mediasoup-client's entry that `file` reads, from `const x = require("../../")` and
 * `x.member`; `*` when `x` is used otherwise (passed along, spread).
 */
function entryUses(file) {
  const source = readFileSync(file, 'utf8');
  const names = [...source.matchAll(/\b(?:const|var|let)\s+(\w+)\s*=\s*require\("(?:\.\.\/)+"\)/g)].map((m) => m[1]);
  if (names.length !== 1) return ['*'];
  const members = [...source.matchAll(new RegExp(`\\b${names[0]}\\b(\\.\\w+)?`, 'g'))].map((m) => m[1]?.slice(1) ?? '*');
  // The declaration itself is the one bare use allowed.
  return [...new Set(members.toSpliced(members.indexOf('*'), 1))];
}

/** The packages under node_modules whose files are in the bundle, with their licence texts. */
function bundledPackages(inputs) {
  const dirs = new Set();
  for (const input of inputs) {
    if (/^[\w-]{2,}:/.test(input)) continue; // a plugin's virtual module (`namespace:path`)
    const m = input.replaceAll('\\', '/').match(/^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//);
    if (m) dirs.add(m[1]);
  }
  return [...dirs]
    .map((dir) => {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.md|\.txt)?$/i.test(f));
      return {
        name: pkg.name,
        version: pkg.version,
        license: pkg.license,
        text: file ? readFileSync(join(dir, file), 'utf8').trim() : undefined,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function notice(packages) {
  const parts = [
    '# Third-party software in @alcove/core',
    '',
    "`dist/` bundles the browser part of mediasoup-client and its dependencies (generated by `build/mediasoup-client-plugin.mjs` from what the build actually included). @alcove/core's own licence is Apache-2.0.",
  ];
  for (const p of packages) {
    parts.push(
      '',
      `## ${p.name} ${p.version} (${p.license})`,
      '',
      p.text ? ['```text', p.text, '```'].join('\n') : `Licence: ${p.license}.`,
    );
  }
  return `${parts.join('\n')}\n`;
}
