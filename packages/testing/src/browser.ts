import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { findExecutable } from './executable.js';

/** The flags every Alcove browser test starts Chromium with (see DEVELOPERS.md). */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  // Let fake media play in background tabs and without a user gesture.
  '--autoplay-policy=no-user-gesture-required',
  '--disable-renderer-backgrounding',
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
];

/** Raised when no Chromium executable can be found. Its message says how to install one. */
export class ChromiumNotFoundError extends Error {
  override readonly name = 'ChromiumNotFoundError';
  constructor(tried: readonly string[]) {
    super(
      `Chromium was not found (tried: ${tried.join(', ') || 'nothing'}). ` +
        "Install Debian's Chromium with `apt-get update && apt-get install -y chromium`, " +
        'or point CHROMIUM_PATH at a Chromium executable.',
    );
  }
}

/**
 * Finds the Chromium executable: `CHROMIUM_PATH` when set, else `chromium` / `chromium-browser` on PATH.
 * @throws {ChromiumNotFoundError} when none exists.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const found = findExecutable(
    { envVar: 'CHROMIUM_PATH', names: ['chromium', 'chromium-browser'], paths: ['/usr/bin/chromium', '/usr/bin/chromium-browser'] },
    env,
  );
  if ('path' in found) return found.path;
  throw new ChromiumNotFoundError(found.tried);
}

/** Options for {@link launchBrowser}. */
export interface LaunchBrowserOptions {
  /** Extra Chromium flags, appended to {@link CHROMIUM_FLAGS}. */
  readonly args?: readonly string[];
  /** Executable; default {@link findChromium}. */
  readonly executablePath?: string;
  /** Show the window (debugging only). Default false. */
  readonly headed?: boolean;
}

/** A running Chromium and the contexts opened from it; `close()` ends all of them. */
export interface TestBrowser {
  readonly browser: Browser;
  /** A new isolated context (its own storage and permissions) with one page. */
  newPage(): Promise<Page>;
  /** Every context opened through {@link TestBrowser.newPage}. */
  readonly contexts: readonly BrowserContext[];
  /** Closes every page, context and the browser (playwright removes its temporary profile). Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts Debian's Chromium headless with fake camera and microphone.
 * @example
 * const tb = await launchBrowser();
 * try { const page = await tb.newPage(); await page.goto(url); } finally { await tb.close(); }
 */
export async function launchBrowser(options: LaunchBrowserOptions = {}): Promise<TestBrowser> {
  const executablePath = options.executablePath ?? findChromium();
  const browser = await chromium.launch({
    executablePath,
    headless: !options.headed,
    args: [...CHROMIUM_FLAGS, ...(options.args ?? [])],
  });
  const contexts: BrowserContext[] = [];
  let closed = false;
  return {
    browser,
    contexts,
    async newPage() {
      const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
      contexts.push(context);
      return context.newPage();
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
    },
  };
}
