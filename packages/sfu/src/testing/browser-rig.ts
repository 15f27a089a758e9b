/**
 * The opening every SFU browser test shares, built on `startCall` of `@alcove/testing`: a worker
 * with one router and the test signalling (`browser-test/signalling.ts`), the bundled test page
 * (`browser-test/page.js`) on a static server, and Chromium. {@link SfuBrowserRig.openPage} opens
 * the page in a new context wired to the signalling, waits for it to load and runs `app.init()`.
 * `close()` closes everything it started, whatever fails on the way (and cleans up a start that
 * failed half-way). Internal: tests import it by path.
 *
 * @example
 * ```ts
 * let rig: SfuBrowserRig;
 * beforeAll(async () => {
 *   rig = await startSfuRig();
 * });
 * afterAll(() => rig?.close());
 * it('forwards', async () => {
 *   const a = await rig.openPage();
 *   const pub = await a.evaluate(() => (globalThis as any).app.publish());
 *   expect(rig.sig.producers.get(pub.video)?.kind).toBe('video');
 * });
 * ```
 * @packageDocumentation
 */
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import {
  bundleForBrowser,
  launchBrowser,
  startCall,
  startStaticServer,
  waitFor,
  type CallFixture,
  type LaunchBrowserOptions,
  type TestBrowser,
} from '@alcove/testing';
import { createTestSignalling, type TestSignalling } from '../browser-test/signalling.js';
import type { Router } from '../router/router.js';
import type { RtpCodecCapability } from '../types/index.js';
import { createWorker, type Worker } from '../worker/worker.js';

/** Opus, stereo at 48 kHz. */
export const OPUS: RtpCodecCapability = { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 };
/** VP8. */
export const VP8: RtpCodecCapability = { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 };
/** VP9. */
export const VP9: RtpCodecCapability = { kind: 'video', mimeType: 'video/VP9', clockRate: 90000 };

/** Lets Chromium publish three simulcast layers from 640x480 (libwebrtc would allow only two at this size by default). */
/**
 * The frames the test page's E2EE transforms handled: encrypted on `sender`, decrypted on
 * `receiver` (what shows that the transforms really ran on the media sent and decoded).
 */
export async function e2eeFramesTransformed(sender: Page, receiver: Page): Promise<{ sent: number; received: number }> {
  const sent = await sender.evaluate(() => (globalThis as any).e2eeFrames.send as number);
  const received = await receiver.evaluate(() => (globalThis as any).e2eeFrames.recv as number);
  return { sent, received };
}

export const THREE_SIMULCAST_LAYERS = '--force-fieldtrials=WebRTC-LegacySimulcastLayerLimit/Disabled/';

const HTML = `<!doctype html><meta charset="utf-8"><title>sfu</title>
<video id="remote" autoplay playsinline muted></video>
<script type="module" src="/page.js"></script>`;

let pageJs: Promise<string> | undefined;
/** The test page's script, bundled once per test file. */
function bundlePage(): Promise<string> {
  pageJs ??= bundleForBrowser(fileURLToPath(new URL('../browser-test/page.js', import.meta.url)), {
    resolveDir: fileURLToPath(new URL('../..', import.meta.url)),
  }).catch((e: unknown) => {
    pageJs = undefined;
    throw e;
  });
  return pageJs;
}

/** Options for {@link startSfuRig}. */
export interface SfuRigOptions {
  /** The router's codecs. Default `[OPUS, VP8]`. */
  readonly mediaCodecs?: RtpCodecCapability[];
  /**
   * The address the worker, the transports and the page server listen on. Default `127.0.0.1`.
   * Another one (a client link's `hostIp`, for pages in a network namespace) is passed to every
   * Chromium as `--unsafely-treat-insecure-origin-as-secure`.
   */
  readonly host?: string;
  /** ICE protocols the transports offer. Default UDP only. */
  readonly protocols?: ('udp' | 'tcp')[];
  /** Extra flags for every Chromium the rig launches (e.g. {@link THREE_SIMULCAST_LAYERS}). */
  readonly browserArgs?: readonly string[];
  /** The first Chromium's executable (e.g. a namespace wrapper). Default Debian's Chromium. */
  readonly executablePath?: string;
}

/** One worker with one router and the test signalling on it. */
export interface SfuNode {
  readonly worker: Worker;
  readonly router: Router;
  readonly sig: TestSignalling;
}

/** Options for {@link SfuBrowserRig.openPage}. */
export interface OpenPageOptions {
  /** The Chromium to open it in. Default the rig's {@link SfuBrowserRig.browser}. */
  readonly browser?: TestBrowser;
  /** The worker and router its signalling goes to. Default the rig's first. */
  readonly node?: SfuNode;
  /** Runs once the page has loaded, before `app.init()`. */
  readonly beforeInit?: (page: Page) => Promise<unknown>;
}

/** A running rig; see {@link startSfuRig}. */
export interface SfuBrowserRig extends SfuNode {
  /** The page server's base URL. */
  readonly url: string;
  /** The first Chromium. */
  readonly browser: TestBrowser;
  /** Starts another worker (same address) with a router and signalling of its own; closed with the rig. */
  addNode(): Promise<SfuNode>;
  /** Launches another Chromium with the rig's flags (and `options.args`); closed with the rig. */
  launchBrowser(options?: LaunchBrowserOptions): Promise<TestBrowser>;
  /**
   * Opens the test page in a new browser context, wired to the signalling, waits until it has
   * loaded and runs its `app.init()` (the router's capabilities loaded into mediasoup-client).
   */
  openPage(options?: OpenPageOptions): Promise<Page>;
  /** Closes the pages' browser contexts; never throws. */
  closePages(...pages: Page[]): Promise<void>;
  /** Closes every Chromium, the page server and every worker. Idempotent. */
  close(): Promise<void>;
}

/** What the call fixture sees as its server: the rig's workers. */
interface SfuNodes {
  readonly nodes: SfuNode[];
  close(): Promise<void>;
}

/**
 * Starts a worker, a router with `options.mediaCodecs` and the test signalling, serves the test
 * page and launches Chromium.
 * @throws whatever `createWorker`, the bundler, the page server or Chromium throws; what had
 * started by then is closed first.
 */
export async function startSfuRig(options: SfuRigOptions = {}): Promise<SfuBrowserRig> {
  const host = options.host ?? '127.0.0.1';
  const mediaCodecs = options.mediaCodecs ?? [OPUS, VP8];
  const startNode = async (): Promise<SfuNode> => {
    const worker = await createWorker({ rtcListenIp: host });
    try {
      const router = await worker.createRouter({ mediaCodecs });
      return {
        worker,
        router,
        sig: createTestSignalling(router, { listenIp: host, ...(options.protocols ? { protocols: options.protocols } : {}) }),
      };
    } catch (e) {
      worker.close();
      throw e;
    }
  };

  const site = await startStaticServer({ '/index.html': HTML, '/page.js': await bundlePage() }, { host });
  // Loopback is a secure context; any other address has to be declared one for getUserMedia and WebRTC.
  const args = [
    ...(options.browserArgs ?? []),
    ...(host === '127.0.0.1' ? [] : [`--unsafely-treat-insecure-origin-as-secure=${site.url}`]),
  ];
  const call: CallFixture<SfuNodes> = await startCall<SfuNodes>({
    tmpPrefix: 'alcove-sfu-rig-',
    server: async () => {
      const nodes = [await startNode()];
      return {
        nodes,
        close: async () => {
          for (const n of nodes) n.worker.close();
        },
      };
    },
    site: async () => site, // closed by the fixture from here on
    browser: { args, ...(options.executablePath ? { executablePath: options.executablePath } : {}) },
  }).catch(async (e: unknown) => {
    await site.close();
    throw e;
  });

  const nodes = call.server.nodes;
  const extraBrowsers: TestBrowser[] = [];
  let closed = false;
  const first = nodes[0]!;

  return {
    worker: first.worker,
    router: first.router,
    sig: first.sig,
    url: site.url,
    browser: call.browser,
    async addNode() {
      if (closed) throw new Error('the SFU rig is closed');
      const node = await startNode();
      nodes.push(node);
      return node;
    },
    async launchBrowser(extra = {}) {
      if (closed) throw new Error('the SFU rig is closed');
      const tb = await launchBrowser({ ...extra, args: [...args, ...(extra.args ?? [])] });
      extraBrowsers.push(tb);
      return tb;
    },
    async openPage({ browser = call.browser, node = first, beforeInit } = {}) {
      if (closed) throw new Error('the SFU rig is closed');
      const page = await browser.newPage();
      try {
        await node.sig.attach(page);
        await page.goto(`${site.url}/index.html`);
        await waitFor('the test page to load', () => page.evaluate(() => Boolean((globalThis as any).appReady)));
        await beforeInit?.(page);
        await page.evaluate(() => (globalThis as any).app.init());
      } catch (e) {
        await call.closePages(page);
        throw e;
      }
      return page;
    },
    closePages: (...pages) => call.closePages(...pages),
    async close() {
      if (closed) return;
      closed = true;
      try {
        for (const tb of extraBrowsers) await tb.close();
      } finally {
        await call.close(); // pages, the first Chromium, the page server, the workers, the temporary folder
      }
    },
  };
}
