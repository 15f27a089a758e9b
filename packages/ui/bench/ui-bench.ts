/**
 * UI benchmark (`pnpm --filter @alcove/ui bench`, also run by the root `pnpm bench` after core's):
 *
 * - `uiBundleGzKB`: `@alcove/ui` bundled by esbuild for the browser, minified, gzip -9, with
 *   `@alcove/core` and `@alcove/protocol` left out (external): what the kit itself adds. Floor ≤ 40 KB.
 * - `quickExitMsP50/Max`: Chromium with fake devices against the real server; the guest is in a call
 *   and presses Shift+Escape; time in the page from the key press until every captured camera and
 *   microphone track is `ended` (requirement: within 500 ms), 5 runs.
 *
 * Merges into `bench/results/session.json` at the repository root and prints the numbers.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { createAlcoveServer, mintJoinToken } from '@alcove/server';
import { bundleForBrowser, launchBrowser, startStaticServer, waitFor } from '@alcove/testing';

const here = dirname(fileURLToPath(import.meta.url));
const ui = join(here, '..');
const packages = join(ui, '..');
const root = join(packages, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const alias = {
  '@alcove/ui': join(ui, 'src', 'index.ts'),
  // Subpaths first: an alias also matches `<key>/…`.
  '@alcove/core/checklist': join(packages, 'core', 'src', 'checklist', 'index.ts'),
  '@alcove/core/chat': join(packages, 'core', 'src', 'chat', 'index.ts'),
  '@alcove/core': join(packages, 'core', 'src', 'index.ts'),
  '@alcove/protocol': join(packages, 'protocol', 'src', 'index.ts'),
};

async function bundleSize(): Promise<{ minKB: number; gzKB: number }> {
  const r = await build({
    entryPoints: [join(ui, 'src', 'index.ts')],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    absWorkingDir: ui,
    external: ['@alcove/core', '@alcove/protocol'],
    logLevel: 'silent',
    treeShaking: true,
  });
  const bytes = r.outputFiles[0]?.contents ?? new Uint8Array();
  return { minKB: Math.round(bytes.byteLength / 102.4) / 10, gzKB: Math.round(gzipSync(bytes, { level: 9 }).byteLength / 102.4) / 10 };
}

async function quickExit(): Promise<number[]> {
  const secret = 'ui-bench-secret-0123456789abcdef012345';
  const server = await createAlcoveServer({
    port: 0,
    tokens: { hs256Secret: secret },
    allowedOrigins: ['*'],
    dataDir: mkdtempSync(join(tmpdir(), 'alcove-ui-bench-')),
    logLevel: 'error',
  });
  await server.start();
  const js = await bundleForBrowser(join(ui, 'src', 'test', 'browser', 'session-page.ts'), {
    resolveDir: join(packages, 'core'),
    alias,
    minify: true,
  });
  const web = await startStaticServer({
    '/index.html':
      '<!doctype html><html lang="en"><meta charset="utf-8"><title>b</title><alcove-session></alcove-session><script type="module" src="/p.js"></script></html>',
    '/p.js': js,
  });
  const tb = await launchBrowser();
  const out: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const sid = server.registry.create({ waitingRoom: false, e2eeRequired: false }).id;
      const page = await tb.newPage();
      try {
        await page.goto(`${web.url}/index.html#stay`);
        await waitFor('the page', () => page.evaluate(() => (window as unknown as { __ready?: boolean }).__ready === true));
        const tok = await mintJoinToken({ sid, pid: `g${i}`, role: 'client', name: 'G' }, { hs256Secret: secret, ttlS: 600 });
        await page.evaluate(
          ([u, t]) => {
            const el = document.querySelector('alcove-session')!;
            el.serverUrl = u!;
            void el.join(t);
          },
          [server.wsUrl as string, tok],
        );
        await waitFor(
          'two live tracks',
          () =>
            page.evaluate(
              () => (window as unknown as { __tracks: MediaStreamTrack[] }).__tracks.filter((t) => t.readyState === 'live').length,
            ),
          (n) => n >= 2,
        );
        // A string, not a function: tsx's transform would add helpers the page does not have.
        const ms = (await page.evaluate(`new Promise((resolve) => {
          const tracks = window.__tracks;
          const t0 = performance.now();
          document.body.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', shiftKey: true, bubbles: true }));
          const poll = () => (tracks.every((t) => t.readyState === 'ended') ? resolve(performance.now() - t0) : setTimeout(poll, 1));
          poll();
        })`)) as number;
        out.push(Math.round(ms * 10) / 10);
      } finally {
        await page.context().close();
      }
    }
  } finally {
    await tb.close();
    await web.close();
    await server.close();
  }
  return out;
}

const size = await bundleSize();
const exits = process.env.BENCH_SKIP_BROWSER ? [] : await quickExit();
const sorted = [...exits].sort((a, b) => a - b);
const results = {
  uiBundleMinKB: size.minKB,
  uiBundleGzKB: size.gzKB,
  ...(exits.length ? { quickExitMsP50: sorted[Math.floor(sorted.length / 2)], quickExitMsMax: sorted[sorted.length - 1] } : {}),
};
const file = join(root, 'bench', 'results', 'session.json');
mkdirSync(dirname(file), { recursive: true });
const before = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
writeFileSync(file, `${JSON.stringify({ ...before, ...results }, null, 2)}\n`);
console.table(results);
if (size.gzKB > 40) {
  console.error(`uiBundleGzKB ${size.gzKB} is over the 40 KB floor`);
  process.exitCode = 1;
}
