/**
 * The browser tests' test site (`src/test/browser/site.ts`), but serving the *built* package: the
 * test pages import `@alcove/core` and `@alcove/core/checklist` from `dist/` (with mediasoup-client
 * bundled and trimmed by build/mediasoup-client-plugin.mjs), `@alcove/protocol` from its `dist/`
 * through node_modules, and the page loads `dist/e2ee-worker.js` as shipped. The bundle must not
 * contain core's sources (other than the test page and its helpers), so a test run that passes here
 * ran the files we publish. `vitest.dist.config.ts` swaps it in; run after `pnpm build`:
 *
 *   npx vitest run --config packages/core/build/vitest.dist.config.ts
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { startStaticServer, type StaticServer } from '@alcove/testing';

/** packages/core */
export const coreDir = fileURLToPath(new URL('../', import.meta.url));
const dist = join(coreDir, 'dist');
const src = join(coreDir, 'src');

/** Kept for parity with site.ts: what the page's `@alcove/*` imports become. */
export const coreBrowserAlias = {
  '@alcove/core/checklist': join(dist, 'checklist.js'),
  '@alcove/core/chat': join(dist, 'chat.js'),
  '@alcove/core': join(dist, 'index.js'),
};

/** `@alcove/core[/checklist]`, and relative imports of core's entries from the test pages, go to `dist/`. */
const toDist: Plugin = {
  name: 'alcove:core-from-dist',
  setup(b) {
    b.onResolve({ filter: /^@alcove\/core(\/checklist)?$/ }, (args) => ({
      path: coreBrowserAlias[args.path as keyof typeof coreBrowserAlias],
    }));
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = resolve(args.resolveDir, args.path).replace(/\.(js|ts)$/, '');
      if (target === join(src, 'index')) return { path: join(dist, 'index.js') };
      if (target === join(src, 'checklist', 'index')) return { path: join(dist, 'checklist.js') };
      return undefined;
    });
  },
};

async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    absWorkingDir: coreDir,
    plugins: [toDist],
    metafile: true,
    logLevel: 'silent',
  });
  const leaked = Object.keys(result.metafile.inputs).filter((p) => {
    const abs = resolve(coreDir, p);
    return abs.startsWith(src) && !abs.startsWith(join(src, 'test'));
  });
  if (leaked.length > 0)
    throw new Error(`the dist test page bundled core's sources: ${leaked.map((p) => relative(coreDir, resolve(coreDir, p))).join(', ')}`);
  if (!Object.keys(result.metafile.inputs).some((p) => resolve(coreDir, p).startsWith(dist)))
    throw new Error(`${entry} does not use core's dist`);
  const out = result.outputFiles[0];
  if (!out) throw new Error(`esbuild produced no output for ${entry}`);
  console.info(
    `dist-site: ${relative(coreDir, entry)} bundled against packages/core/dist (${(out.contents.length / 1024).toFixed(0)} KiB)`,
  );
  return out.text;
}

/** Same contract as `startTestSite` of `src/test/browser/site.ts`, from the built package. */
export async function startTestSite(page: string, options: { e2eeWorker?: boolean } = {}): Promise<StaticServer> {
  for (const f of ['index.js', 'checklist.js', 'e2ee-worker.js']) {
    if (!existsSync(join(dist, f))) throw new Error(`packages/core/dist/${f} is missing: run \`pnpm build\` first`);
  }
  const pageJs = await bundle(page);
  return startStaticServer({
    '/index.html': '<!doctype html><meta charset="utf-8"><title>test</title><script type="module" src="/page.js"></script>',
    '/page.js': pageJs,
    ...(options.e2eeWorker ? { '/e2ee-worker.js': readFileSync(join(dist, 'e2ee-worker.js'), 'utf8') } : {}),
  });
}
