import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, type LaunchBrowserOptions, type TestBrowser } from './browser.js';
import { startStaticServer, type StaticFile } from './static-server.js';

/** What {@link startCall} needs of a server: something it can stop. `AlcoveServer` fits. */
export interface CallServer {
  close(): Promise<void>;
}

/** A website the browser pages open: its base URL and, when the fixture must stop it, `close`. */
export interface CallSite {
  /** Base URL, e.g. `http://127.0.0.1:40123`, no trailing slash. */
  readonly url: string;
  close?(): Promise<void>;
}

/** What a {@link CallFixtureOptions.server} factory is given. */
export interface CallServerContext<S extends CallServer> {
  /** The fixture's temporary folder (use it as the server's `dataDir`); removed by `close()`. */
  readonly dataDir: string;
  /** On {@link CallFixture.restartServer}: the server that was just closed (reuse its port). */
  readonly previous?: S;
}

/** Options for {@link startCall}. */
export interface CallFixtureOptions<S extends CallServer> {
  /**
   * Starts the real Alcove server on 127.0.0.1 and resolves once it listens, e.g.
   * `async ({ dataDir }) => { const s = await createAlcoveServer({ port: 0, dataDir, … }); await s.start(); return s; }`.
   * (A factory keeps `@alcove/testing` free of a dependency on `@alcove/server`; name the server
   * type, `startCall<AlcoveServer>(…)`, when the factory reads `previous`.)
   */
  readonly server: (context: CallServerContext<S>) => Promise<S>;
  /**
   * The site the pages load: in-memory files served by {@link startStaticServer}, or a function
   * that starts one once the server is up (e.g. a bundled test page, or a demo's own website).
   * Default: no site ({@link CallFixture.newPage} then needs absolute URLs).
   */
  readonly site?: Record<string, StaticFile | string> | ((server: S) => Promise<CallSite>);
  /** Passed to {@link launchBrowser}. */
  readonly browser?: LaunchBrowserOptions;
  /** Prefix of the temporary folder's name under the OS temp dir. Default `alcove-test-`. */
  readonly tmpPrefix?: string;
}

/** A running call setup; see {@link startCall}. */
export interface CallFixture<S extends CallServer> {
  /** The current server (replaced by {@link CallFixture.restartServer}). */
  readonly server: S;
  /** The site, when one was given. */
  readonly site: CallSite | undefined;
  readonly browser: TestBrowser;
  /** The temporary folder, removed by `close()`. */
  readonly dataDir: string;
  /**
   * Opens a page in a new browser context (its own storage, camera and microphone allowed) at
   * `path`, resolved against the site's URL. Close it with {@link CallFixture.closePages}, or use
   * {@link CallFixture.withPages}; `close()` closes whatever is left.
   */
  newPage(path?: string): Promise<Page>;
  /** Closes the pages' browser contexts; never throws. */
  closePages(...pages: Page[]): Promise<void>;
  /**
   * Opens one page per path, runs `fn` and closes those pages' contexts in `finally`, whatever
   * `fn` did.
   * @example
   * ```ts
   * await call.withPages(['/#role=host', '/#role=client'], async ([host, guest]) => { … });
   * ```
   */
  withPages<T>(paths: readonly string[], fn: (pages: Page[]) => Promise<T>): Promise<T>;
  /** Closes the server and starts a new one through the same factory, same `dataDir`, `previous` set. */
  restartServer(): Promise<S>;
  /** Closes pages, browser, site and server, then removes the temporary folder. Idempotent; never leaves any of them behind. */
  close(): Promise<void>;
}

/**
 * The one fixture for browser tests of a call: a temporary folder, the real server (through the
 * given factory), a site and Chromium (through {@link launchBrowser}). Close it in `afterAll`;
 * close pages in `finally` (or use `withPages`).
 *
 * If any step fails, whatever was already started is closed again before the error is rethrown.
 *
 * @example
 * ```ts
 * let call: CallFixture<AlcoveServer>;
 * beforeAll(async () => {
 *   call = await startCall<AlcoveServer>({
 *     server: async ({ dataDir }) => {
 *       const s = await createAlcoveServer({ port: 0, dataDir, tokens: { hs256Secret }, allowedOrigins: ['*'], logLevel: 'error' });
 *       await s.start();
 *       return s;
 *     },
 *     site: { '/index.html': html, '/page.js': js },
 *   });
 * });
 * afterAll(() => call?.close());
 * it('connects', () => call.withPages(['/', '/'], async ([a, b]) => { … }));
 * ```
 * @throws whatever a factory, the site or {@link launchBrowser} throws.
 */
export async function startCall<S extends CallServer>(options: CallFixtureOptions<S>): Promise<CallFixture<S>> {
  const dataDir = await mkdtemp(join(tmpdir(), options.tmpPrefix ?? 'alcove-test-'));
  let server: S | undefined;
  let site: CallSite | undefined;
  let browser: TestBrowser | undefined;
  let closed = false;
  const open = new Set<Page>();

  const closePages = async (...pages: Page[]): Promise<void> => {
    for (const page of pages) {
      open.delete(page);
      await page
        .context()
        .close()
        .catch(() => undefined);
    }
  };

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    const errors: unknown[] = [];
    const step = async (fn: () => Promise<unknown> | undefined): Promise<void> => {
      try {
        await fn();
      } catch (e) {
        errors.push(e);
      }
    };
    await closePages(...open);
    await step(() => browser?.close());
    await step(() => site?.close?.());
    await step(() => server?.close());
    await step(() => rm(dataDir, { recursive: true, force: true, maxRetries: 3 }));
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'closing the call fixture failed');
  };

  try {
    server = await options.server({ dataDir });
    const s = server;
    site = typeof options.site === 'function' ? await options.site(s) : options.site ? await startStaticServer(options.site) : undefined;
    browser = await launchBrowser(options.browser);
  } catch (e) {
    await close().catch(() => undefined);
    throw e;
  }
  const tb = browser;

  const newPage = async (path = '/'): Promise<Page> => {
    if (closed) throw new Error('the call fixture is closed');
    const page = await tb.newPage();
    open.add(page);
    try {
      await page.goto(site ? new URL(path, `${site.url}/`).href : path);
    } catch (e) {
      await closePages(page);
      throw e;
    }
    return page;
  };

  return {
    get server() {
      return server as S;
    },
    site,
    browser: tb,
    dataDir,
    newPage,
    closePages,
    async withPages(paths, fn) {
      const pages: Page[] = [];
      try {
        for (const path of paths) pages.push(await newPage(path));
        return await fn(pages);
      } finally {
        await closePages(...pages);
      }
    },
    async restartServer() {
      if (closed) throw new Error('the call fixture is closed');
      const previous = server as S;
      server = undefined;
      await previous.close();
      server = await options.server({ dataDir, previous });
      return server;
    },
    close,
  };
}
