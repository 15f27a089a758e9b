import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForBrowser, launchBrowser, startStaticServer, waitFor, type StaticServer, type TestBrowser } from '@alcove/testing';
import { createWorker, type Worker } from './index.js';
import type { Router } from './router/router.js';
import { createTestSignalling, type TestSignalling } from './browser-test/signalling.js';

// Unmodified mediasoup-client in Chromium publishes three-layer VP8 simulcast (RID encodings at
// 1/4, 1/2 and full size of 640x480); a viewer asks for the low, then the high, then the low layer
// and its decoded resolution follows.
const HTML = `<!doctype html><meta charset="utf-8"><title>sfu</title>
<video id="remote" autoplay playsinline muted></video>
<script type="module" src="/page.js"></script>`;

const mediaCodecs = [
  { kind: 'audio' as const, mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video' as const, mimeType: 'video/VP8', clockRate: 90000 },
];

async function decodedWidth(page: Page): Promise<number> {
  const s = await page.evaluate(() => (globalThis as any).app.inboundVideoStats());
  return (s?.frameWidth as number | undefined) ?? 0;
}

describe('simulcast with mediasoup-client in Chromium', () => {
  let worker: Worker;
  let router: Router;
  let sig: TestSignalling;
  let server: StaticServer;
  let tb: TestBrowser;
  let a: Page;
  let b: Page;

  beforeAll(async () => {
    worker = await createWorker();
    router = await worker.createRouter({ mediaCodecs });
    sig = createTestSignalling(router);
    const js = await bundleForBrowser(fileURLToPath(new URL('./browser-test/page.js', import.meta.url)), {
      resolveDir: fileURLToPath(new URL('..', import.meta.url)),
    });
    server = await startStaticServer({ '/index.html': HTML, '/page.js': js });
    // Three layers from 640x480 (libwebrtc would allow only two at this size by default).
    tb = await launchBrowser({ args: ['--force-fieldtrials=WebRTC-LegacySimulcastLayerLimit/Disabled/'] });
    a = await tb.newPage();
    b = await tb.newPage();
    await sig.attach(a);
    await sig.attach(b);
    await Promise.all([a.goto(`${server.url}/index.html`), b.goto(`${server.url}/index.html`)]);
    await Promise.all([a.waitForFunction(() => (globalThis as any).appReady), b.waitForFunction(() => (globalThis as any).appReady)]);
    await a.evaluate(() => (globalThis as any).app.init());
    await b.evaluate(() => (globalThis as any).app.init());
  });

  afterAll(async () => {
    try {
      await tb?.close();
    } finally {
      try {
        await server?.close();
      } finally {
        worker?.close();
      }
    }
  });

  const cases = [
    { name: 'plain', e2ee: false },
    { name: 'E2EE (frames encrypted past the clear VP8 prefix)', e2ee: true },
  ];
  it.each(cases)(
    'the decoded resolution follows the preferred layer: low, high, low — $name',
    async ({ e2ee }) => {
      if (e2ee) {
        // Fresh pages: one publisher and one viewer, both with the frame transform on every track.
        a = await tb.newPage();
        b = await tb.newPage();
        await sig.attach(a);
        await sig.attach(b);
        await Promise.all([a.goto(`${server.url}/index.html`), b.goto(`${server.url}/index.html`)]);
        await Promise.all([a.waitForFunction(() => (globalThis as any).appReady), b.waitForFunction(() => (globalThis as any).appReady)]);
        await a.evaluate(() => (globalThis as any).app.init());
        await b.evaluate(() => (globalThis as any).app.init());
      }
      const pub = await a.evaluate((e) => (globalThis as any).app.publish({ width: 640, height: 480, simulcast: true, e2ee: e }), e2ee);
      const producer = sig.producers.get(pub.video)!;
      expect(producer.type).toBe('simulcast');
      expect(producer.rtpParameters.encodings!.map((e) => e.rid)).toHaveLength(3);
      const sub = await b.evaluate(
        ([ids, e]) => (globalThis as any).app.subscribe(ids, { preferredLayers: { spatialLayer: 0 }, e2ee: e }),
        [[pub.video], e2ee] as const,
      );
      const consumer = sig.consumers.get(sub.consumerIds.video)!;
      expect(consumer.type).toBe('simulcast');
      const changes: (number | undefined)[] = [];
      consumer.on('layerschange', (l) => changes.push(l?.spatialLayer));

      const low = await waitFor(
        'the low layer decoded',
        () => decodedWidth(b),
        (w) => w > 0 && w <= 160,
        { intervalMs: 100, timeoutMs: 30_000 },
      );
      expect(consumer.currentLayers?.spatialLayer).toBe(0);

      await consumer.setPreferredLayers({ spatialLayer: 2 });
      const high = await waitFor(
        'the high layer decoded',
        () => decodedWidth(b),
        (w) => w >= 640,
        { intervalMs: 100, timeoutMs: 30_000 },
      );
      expect(consumer.currentLayers?.spatialLayer).toBe(2);

      await consumer.setPreferredLayers({ spatialLayer: 0 });
      await waitFor(
        'the low layer decoded again',
        () => decodedWidth(b),
        (w) => w > 0 && w <= 160,
        { intervalMs: 100, timeoutMs: 30_000 },
      );
      expect(consumer.currentLayers?.spatialLayer).toBe(0);

      // The receiver saw one stream throughout: no loss from the switches, frames still decoded.
      const stats = await b.evaluate(() => (globalThis as any).app.inboundVideoStats());
      console.info(
        `[sfu simulcast] widths low=${low} high=${high}; layers ${changes.join('→')}; receiver lost=${stats.packetsLost} decoded=${stats.framesDecoded}`,
      );
      expect(stats.packetsLost).toBeLessThanOrEqual(2);
      const producerStats = await producer.getStats();
      expect(producerStats.map((s) => s.rid).filter(Boolean)).toHaveLength(3);
      if (e2ee) {
        // The transforms really ran on the frames sent and decoded.
        const sent = await a.evaluate(() => (globalThis as any).e2eeFrames.send as number);
        const received = await b.evaluate(() => (globalThis as any).e2eeFrames.recv as number);
        console.info(`[sfu simulcast] E2EE frames transformed: sent ${sent}, received ${received}`);
        expect(sent).toBeGreaterThan(0);
        expect(received).toBeGreaterThan(0);
      }
    },
    120_000,
  );
});
