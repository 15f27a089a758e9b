/**
 * The Node side of the `<alcove-session>` browser tests: the real server and SFU on 127.0.0.1, the
 * test page (`session-page.ts`, bundled from source) served with a strict CSP, and helpers to open
 * pages, hand the element its token, and audit what a page shows.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AlcoveServer, createAlcoveServer, mintJoinToken } from '@alcove/server';
import { bundleForBrowser, type CallFixture, startCall, startStaticServer, waitFor } from '@alcove/testing';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

export const uiDir = fileURLToPath(new URL('../../..', import.meta.url));
const shots = join(uiDir, 'src', 'test', 'browser', 'screenshots');
const artefacts = join(uiDir, '.tmp', 'screenshots');
const packages = join(uiDir, '..');
/** Workspace packages from source. Subpaths first: an alias also matches `<key>/…`. */
export const alias = {
  '@alcove/ui': join(packages, 'ui', 'src', 'index.ts'),
  '@alcove/core/checklist': join(packages, 'core', 'src', 'checklist', 'index.ts'),
  '@alcove/core/chat': join(packages, 'core', 'src', 'chat', 'index.ts'),
  '@alcove/core': join(packages, 'core', 'src', 'index.ts'),
  '@alcove/protocol': join(packages, 'protocol', 'src', 'index.ts'),
};
const secret = 'ui-browser-test-secret-0123456789abcdef';
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' ws://127.0.0.1:*; worker-src 'self'; media-src 'self' blob: mediastream:; img-src 'self' data: blob:; base-uri 'none'; form-action 'none'";
const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}"><title>Video call</title><link rel="stylesheet" href="/page.css"></head>
<body><alcove-session e2ee-worker-url="/e2ee-worker.js" quick-exit-url="/exit.html"></alcove-session><script type="module" src="/page.js"></script></body></html>`;

/** Starts the server (a 3 s grace window for dropped participants) and the strict-CSP site; `browserArgs` go to Chromium. */
export function startUiCall(opts: { browserArgs?: string[] } = {}): Promise<CallFixture<AlcoveServer>> {
  return startCall<AlcoveServer>({
    tmpPrefix: 'alcove-ui-browser-',
    ...(opts.browserArgs ? { browser: { args: opts.browserArgs } } : {}),
    server: async ({ dataDir }) => {
      const s = await createAlcoveServer({
        port: 0,
        dataDir,
        tokens: { hs256Secret: secret },
        allowedOrigins: ['*'],
        logLevel: 'error',
        live: { graceMs: 3000 },
        // server.faults.dropConnection: a participant's connection cut by the server, as a network drop would.
        enableFaultHooks: true,
      });
      await s.start();
      return s;
    },
    site: async () => {
      const [pageJs, workerJs] = await Promise.all([
        bundleForBrowser(join(uiDir, 'src', 'test', 'browser', 'session-page.ts'), { resolveDir: join(packages, 'core'), alias }),
        bundleForBrowser(join(packages, 'core', 'src', 'e2ee', 'worker', 'e2ee-worker.ts'), { resolveDir: join(packages, 'core'), alias }),
      ]);
      return startStaticServer({
        '/index.html': html,
        '/page.js': pageJs,
        '/page.css': 'body{margin:0;padding:8px;font:15px system-ui}',
        '/e2ee-worker.js': workerJs,
        '/axe.js': readFileSync(join(uiDir, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8'),
        '/exit.html': '<!doctype html><title>Weather</title><p>Sunny.</p>',
      });
    },
  });
}

/** A join token for session `sid`. */
export const token = (sid: string, pid: string, role: 'host' | 'client', name: string, cred?: string): Promise<string> =>
  mintJoinToken({ sid, pid, role, name, ...(cred !== undefined ? { cred } : {}) }, { hs256Secret: secret, ttlS: 600 });

/** Requests and WebSockets a page opened to any host but 127.0.0.1 (the test's server and site), by page. */
const elsewhere = new WeakMap<Page, string[]>();
/** What a page asked of any other host (should stay empty: nothing is loaded from a third party). */
export const thirdPartyRequests = (page: Page): string[] => elsewhere.get(page) ?? [];

/** Opens the test page (CSP violations and requests to other hosts recorded from the first script on). */
export async function open(call: CallFixture<AlcoveServer>, path: string, opts: { width?: number; dark?: boolean } = {}): Promise<Page> {
  const page = await call.newPage('/exit.html');
  const seen: string[] = [];
  elsewhere.set(page, seen);
  const note = (url: string): void => {
    const u = new URL(url);
    if (u.hostname !== '127.0.0.1' && u.protocol !== 'data:' && u.protocol !== 'blob:') seen.push(url);
  };
  page.on('request', (r) => note(r.url()));
  page.on('websocket', (ws) => note(ws.url()));
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  if (opts.width) await page.setViewportSize({ width: opts.width, height: 800 });
  await page.emulateMedia({ colorScheme: opts.dark ? 'dark' : 'light', reducedMotion: 'reduce' });
  await page.goto(`${call.site!.url}${path}`);
  await waitFor('the page script', () => page.evaluate(() => (window as unknown as { __ready?: boolean }).__ready === true));
  return page;
}

/** Hands the element its server URL and token (as a property, the way a practice page does). */
export async function give(call: CallFixture<AlcoveServer>, page: Page, tok: string): Promise<void> {
  await page.evaluate(
    ([url, t]) => {
      const el = document.querySelector('alcove-session')!;
      el.serverUrl = url!;
      el.token = t;
    },
    [call.server.wsUrl as string, tok],
  );
}

export const screen = (page: Page): Promise<string | null> =>
  page.evaluate(() => document.querySelector('alcove-session')!.getAttribute('screen'));
export const cspViolations = (page: Page): Promise<string[]> => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);

/** Visible and focusable elements anywhere in the element's shadow trees that sit inside a hidden container. */
export async function hiddenButShown(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const walk = (root: ParentNode, hiddenAncestor: boolean): void => {
      for (const el of Array.from(root.children) as HTMLElement[]) {
        const hidden = hiddenAncestor || !!el.hidden;
        if (hidden) {
          const cs = getComputedStyle(el);
          const rect = el.getBoundingClientRect();
          const tabbable = el.matches('button,a[href],input,select,textarea,[tabindex]:not([tabindex="-1"])') && el.tabIndex >= 0;
          if (cs.display !== 'none' && cs.visibility !== 'hidden' && rect.width > 0 && rect.height > 0 && el.checkVisibility?.())
            out.push(`${el.tagName} ${el.getAttribute('part') ?? el.className}`);
          else if (tabbable && el.checkVisibility?.()) out.push(`focusable ${el.tagName}`);
        }
        if (el.shadowRoot) walk(el.shadowRoot, hidden);
        walk(el, hidden);
      }
    };
    walk(document.querySelector('alcove-session')!.shadowRoot!, false);
    return out;
  });
}

/**
 * axe-core over the whole page (shadow DOM included), in the light and in the dark colour scheme
 * (the page's own scheme is put back afterwards): the serious and critical findings, each prefixed
 * with the scheme.
 */
export async function audit(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ url: '/axe.js' });
  const dark = await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches);
  const out: string[] = [];
  try {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const found = await page.evaluate(async () => {
        const axe = (
          window as unknown as {
            axe: { run(ctx: unknown, o: unknown): Promise<{ violations: { id: string; impact: string; nodes: { target: unknown }[] }[] }> };
          }
        ).axe;
        const r = await axe.run(document, { resultTypes: ['violations'] });
        return r.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target)).slice(0, 300)}`);
      });
      out.push(...found.map((f) => `${scheme} ${f}`));
    }
  } finally {
    await page.emulateMedia({ colorScheme: dark ? 'dark' : 'light' });
  }
  return out;
}

/**
 * Compares a screenshot of the element with the committed baseline in `screenshots/` (tolerance: 3 %
 * of pixels; videos masked), writing the actual one to `packages/ui/.tmp/screenshots/`; writes the
 * baseline when missing. `dark`: taken in the dark colour scheme (the page's own is put back).
 */
export async function compareShot(call: CallFixture<AlcoveServer>, page: Page, name: string, opts: { dark?: boolean } = {}): Promise<void> {
  mkdirSync(artefacts, { recursive: true });
  mkdirSync(shots, { recursive: true });
  const el = page.locator('alcove-session');
  // A steady screen: no passing notice (on a loaded machine a brief reconnect shows "Connected again" for a few seconds).
  await waitFor(
    'the connection banner to be quiet',
    () => page.evaluate(() => !!document.querySelector('alcove-session')!.shadowRoot!.querySelector('alcove-connection-banner[active]')),
    (active) => !active,
  );
  const wasDark = await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches);
  if (opts.dark !== undefined) await page.emulateMedia({ colorScheme: opts.dark ? 'dark' : 'light' });
  const png = await el.screenshot({ animations: 'disabled', mask: [page.locator('alcove-session video')], maskColor: '#777777' });
  if (opts.dark !== undefined) await page.emulateMedia({ colorScheme: wasDark ? 'dark' : 'light' });
  writeFileSync(join(artefacts, `${name}.png`), png);
  const baseline = join(shots, `${name}.png`);
  if (!existsSync(baseline)) {
    writeFileSync(baseline, png);
    return;
  }
  const diff = await call.browser.newPage();
  try {
    const ratio = await diff.evaluate(
      async ([a, b]) => {
        const load = async (b64: string) => createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
        const [x, y] = [await load(a!), await load(b!)];
        if (Math.abs(x.width - y.width) > 2 || Math.abs(x.height - y.height) > 40) return 1;
        const w = Math.min(x.width, y.width);
        const h = Math.min(x.height, y.height);
        const px = (img: ImageBitmap) => {
          const c = new OffscreenCanvas(w, h);
          const g = c.getContext('2d')!;
          g.drawImage(img, 0, 0);
          return g.getImageData(0, 0, w, h).data;
        };
        const [p, q] = [px(x), px(y)];
        let bad = 0;
        for (let i = 0; i < p.length; i += 4)
          if (Math.abs(p[i]! - q[i]!) + Math.abs(p[i + 1]! - q[i + 1]!) + Math.abs(p[i + 2]! - q[i + 2]!) > 48) bad++;
        return bad / (w * h);
      },
      [png.toString('base64'), readFileSync(baseline).toString('base64')],
    );
    expect(ratio, `${name} differs from its baseline in ${(ratio * 100).toFixed(1)} % of pixels (actual in .tmp/screenshots)`).toBeLessThan(
      0.03,
    );
  } finally {
    await diff.context().close();
  }
}
