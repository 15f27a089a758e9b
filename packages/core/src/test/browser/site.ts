import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForBrowser, startStaticServer, type StaticServer } from '@alcove/testing';

/** packages/core */
export const coreDir = fileURLToPath(new URL('../../../', import.meta.url));

/** Browser bundles import the workspace packages from source. */
export const coreBrowserAlias = {
  // Subpaths first: an alias also matches `<key>/…`.
  '@alcove/core/checklist': join(coreDir, 'src', 'checklist', 'index.ts'),
  '@alcove/core/chat': join(coreDir, 'src', 'chat', 'index.ts'),
  '@alcove/core': join(coreDir, 'src', 'index.ts'),
  '@alcove/protocol': join(coreDir, '..', 'protocol', 'src', 'index.ts'),
};

/**
 * Serves a test page on 127.0.0.1: `/index.html` loading `/page.js` (the bundled `page` script)
 * and, with `e2eeWorker`, the E2EE worker at `/e2ee-worker.js`.
 */
export async function startTestSite(page: string, options: { e2eeWorker?: boolean } = {}): Promise<StaticServer> {
  const bundle = (entry: string) => bundleForBrowser(entry, { resolveDir: coreDir, alias: coreBrowserAlias });
  const [pageJs, workerJs] = await Promise.all([
    bundle(page),
    options.e2eeWorker ? bundle(join(coreDir, 'src', 'e2ee', 'worker', 'e2ee-worker.ts')) : Promise.resolve(undefined),
  ]);
  return startStaticServer({
    '/index.html': '<!doctype html><meta charset="utf-8"><title>test</title><script type="module" src="/page.js"></script>',
    '/page.js': pageJs,
    ...(workerJs ? { '/e2ee-worker.js': workerJs } : {}),
  });
}
