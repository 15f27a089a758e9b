/**
 * Debian's Firefox ESR for browser tests, driven over WebDriver BiDi with puppeteer-core (no
 * browser download: the system's `firefox-esr` is used). Fake camera and microphone come from
 * Firefox's own preferences; getUserMedia asks nobody; media plays without a gesture.
 * @packageDocumentation
 */
import type { Browser, BrowserContext, Page } from 'puppeteer-core';
import { findExecutable } from './executable.js';

/** A Firefox page (puppeteer-core's `Page`): probe it with `page.evaluate`. */
export type FirefoxPage = Page;

/** The Firefox preferences every Alcove Firefox test starts with. */
export const FIREFOX_PREFS: Readonly<Record<string, unknown>> = {
  // Fake camera (a moving test pattern) and microphone (a tone), no permission prompt.
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'permissions.default.camera': 1,
  'permissions.default.microphone': 1,
  // Autoplay of remote media without a user gesture.
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
  // Test servers listen on 127.0.0.1: gather and pair loopback candidates, plain host addresses.
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  // Keep timers and media running in background pages of a headless browser.
  'dom.min_background_timeout_value': 4,
  'dom.timeout.enable_budget_timer_throttling': false,
  // No network chatter of its own.
  'app.update.enabled': false,
  'browser.shell.checkDefaultBrowser': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.reportingpolicy.firstRun': false,
};

/** Raised when no Firefox executable can be found. Its message says how to install one. */
export class FirefoxNotFoundError extends Error {
  override readonly name = 'FirefoxNotFoundError';
  constructor(tried: readonly string[]) {
    super(
      `Firefox was not found (tried: ${tried.join(', ') || 'nothing'}). ` +
        "Install Debian's Firefox ESR with `apt-get update && apt-get install -y firefox-esr`, " +
        'or point FIREFOX_PATH at a Firefox executable.',
    );
  }
}

/**
 * Finds the Firefox executable: `FIREFOX_PATH` when set, else `firefox-esr` / `firefox` on PATH.
 * @throws {FirefoxNotFoundError} when none exists.
 */
export function findFirefox(env: NodeJS.ProcessEnv = process.env): string {
  const found = findExecutable(
    { envVar: 'FIREFOX_PATH', names: ['firefox-esr', 'firefox'], paths: ['/usr/bin/firefox-esr', '/usr/bin/firefox'] },
    env,
  );
  if ('path' in found) return found.path;
  throw new FirefoxNotFoundError(found.tried);
}

/** Options for {@link launchFirefox}. */
export interface LaunchFirefoxOptions {
  /** Executable; default {@link findFirefox}. */
  readonly executablePath?: string;
  /** Extra preferences, over {@link FIREFOX_PREFS}. */
  readonly prefs?: Readonly<Record<string, unknown>>;
  /** Extra command-line arguments. */
  readonly args?: readonly string[];
  /** Show the window (debugging only). Default false. */
  readonly headed?: boolean;
}

/** A running Firefox and the contexts opened from it; `close()` ends all of them. */
export interface TestFirefox {
  readonly browser: Browser;
  /** A new isolated context (its own storage) with one page. */
  newPage(): Promise<Page>;
  /** Every context opened through {@link TestFirefox.newPage}. */
  readonly contexts: readonly BrowserContext[];
  /** The browser's version string, e.g. `firefox/153.8.0`. */
  version(): Promise<string>;
  /** Closes every context and the browser (puppeteer removes its temporary profile). Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts Firefox ESR headless over WebDriver BiDi with fake camera and microphone.
 * @example
 * const ff = await launchFirefox();
 * try { const page = await ff.newPage(); await page.goto(url); } finally { await ff.close(); }
 */
export async function launchFirefox(options: LaunchFirefoxOptions = {}): Promise<TestFirefox> {
  const executablePath = options.executablePath ?? findFirefox();
  // Loaded on demand: only Firefox tests pay for puppeteer-core.
  const { default: puppeteer } = await import('puppeteer-core');
  const browser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath,
    headless: !options.headed,
    args: [...(options.args ?? [])],
    extraPrefsFirefox: { ...FIREFOX_PREFS, ...options.prefs },
    // The test decides how long to wait (waitFor); never puppeteer's own 30 s defaults.
    protocolTimeout: 120_000,
    timeout: 60_000,
  });
  const contexts: BrowserContext[] = [];
  let closed = false;
  return {
    browser,
    contexts,
    async newPage() {
      const context = await browser.createBrowserContext();
      contexts.push(context);
      return context.newPage();
    },
    version: () => browser.version(),
    async close() {
      if (closed) return;
      closed = true;
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
    },
  };
}
