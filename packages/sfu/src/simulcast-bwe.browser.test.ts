import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForBrowser, launchBrowser, waitFor, type TestBrowser } from '@alcove/testing';
import { createWorker, type Worker } from './index.js';
import type { Consumer } from './consumer/consumer.js';
import { createTestSignalling, type TestSignalling } from './browser-test/signalling.js';
import { canShapeLinks, createLimitedLink, type LimitedLink } from './testing/netns.js';

// Layer selection from the engine's send-side estimate: Chromium publishes three-layer simulcast;
// two viewers prefer the high layer; one of them sits behind a link we limit to 300 kbit/s (tbf,
// in a network namespace). It drops to a lower layer and comes back when the limit is lifted; the
// other keeps the high layer throughout.
const HTML = `<!doctype html><meta charset="utf-8"><title>sfu</title>
<video id="remote" autoplay playsinline muted></video>
<script type="module" src="/page.js"></script>`;
const LIMIT_KBPS = 300;

describe.skipIf(!canShapeLinks())('simulcast layers follow the bandwidth to each viewer', () => {
  let link: LimitedLink;
  let worker: Worker;
  let sig: TestSignalling;
  let server: Server;
  let hostBrowser: TestBrowser;
  let nsBrowser: TestBrowser;
  let publisher: Page;
  let freeViewer: Page;
  let limitedViewer: Page;

  beforeAll(async () => {
    link = createLimitedLink('alcove-sfu-bwe', 'vsbw', '77.10');
    worker = await createWorker({ rtcListenIp: link.hostIp });
    const router = await worker.createRouter({
      mediaCodecs: [
        { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
        { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
      ],
    });
    sig = createTestSignalling(router, { listenIp: link.hostIp });
    const js = await bundleForBrowser(fileURLToPath(new URL('./browser-test/page.js', import.meta.url)), {
      resolveDir: fileURLToPath(new URL('..', import.meta.url)),
    });
    server = createServer((req, res) => {
      if (req.url === '/page.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
      else res.writeHead(200, { 'content-type': 'text/html' }).end(HTML);
    });
    await new Promise<void>((r) => server.listen(0, link.hostIp, r));
    const url = `http://${link.hostIp}:${(server.address() as { port: number }).port}`;
    const args = ['--force-fieldtrials=WebRTC-LegacySimulcastLayerLimit/Disabled/', `--unsafely-treat-insecure-origin-as-secure=${url}`];
    hostBrowser = await launchBrowser({ args });
    nsBrowser = await launchBrowser({ executablePath: link.executablePath, args });
    publisher = await hostBrowser.newPage();
    freeViewer = await hostBrowser.newPage();
    limitedViewer = await nsBrowser.newPage();
    for (const p of [publisher, freeViewer, limitedViewer]) {
      await sig.attach(p);
      await p.goto(`${url}/index.html`);
      await p.waitForFunction(() => (globalThis as any).appReady);
      await p.evaluate(() => (globalThis as any).app.init());
    }
  }, 120_000);

  afterAll(async () => {
    for (const close of [
      () => nsBrowser?.close(),
      () => hostBrowser?.close(),
      () => new Promise((r) => server?.close(r)),
      () => worker?.close(),
      () => link?.close(),
    ]) {
      try {
        await close();
      } catch {
        // keep closing the rest
      }
    }
  });

  it('the limited viewer drops below the high layer and recovers when the limit is lifted; the other keeps it', async () => {
    const pub = await publisher.evaluate(() => (globalThis as any).app.publish({ width: 640, height: 480, simulcast: true }));
    const subscribe = async (page: Page): Promise<Consumer> => {
      const sub = await page.evaluate(
        (ids) => (globalThis as any).app.subscribe(ids, { preferredLayers: { spatialLayer: 2 } }),
        [pub.video],
      );
      return sig.consumers.get(sub.consumerIds.video)!;
    };
    const free = await subscribe(freeViewer);
    const limited = await subscribe(limitedViewer);
    const layer = async (c: Consumer): Promise<number> => c.currentLayers?.spatialLayer ?? -1;
    await waitFor(
      'both viewers on the high layer',
      async () => Math.min(await layer(free), await layer(limited)),
      (l) => l === 2,
      {
        intervalMs: 100,
        timeoutMs: 30_000,
      },
    );

    link.setDownRate(LIMIT_KBPS);
    const t0 = performance.now();
    try {
      await waitFor(
        'the limited viewer to drop below the high layer',
        () => layer(limited),
        (l) => l >= 0 && l < 2,
        { intervalMs: 100, timeoutMs: 30_000 },
      );
    } finally {
      console.info(`[sfu bwe] limited viewer down after ${Math.round(performance.now() - t0)} ms`);
    }
    expect(await layer(free)).toBe(2);
    // It stays down while the limit holds (a probe up may come and go, but it settles low).
    const [limitedTransport] = await sig.transports.get([...sig.transports.keys()].at(-1)!)!.getStats();
    console.info(`[sfu bwe] limited transport estimate ${String(limitedTransport!.availableOutgoingBitrate)} bit/s`);

    link.setDownRate(0);
    const t1 = performance.now();
    try {
      await waitFor(
        'the limited viewer back on the high layer',
        () => layer(limited),
        (l) => l === 2,
        { intervalMs: 100, timeoutMs: 90_000 },
      );
    } finally {
      console.info(`[sfu bwe] limited viewer back up after ${Math.round(performance.now() - t1)} ms`);
    }
    expect(await layer(free)).toBe(2);
  }, 180_000);
});
