import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForBrowser, launchBrowser, startStaticServer, waitFor, type StaticServer, type TestBrowser } from '@alcove/testing';
import { createWorker, type Worker } from './index.js';
import type { Router } from './router/router.js';
import { createTestSignalling, type TestSignalling } from './browser-test/signalling.js';

// Unmodified mediasoup-client in Chromium publishes VP9 SVC (one encoding, scalabilityMode
// L3T3_KEY: three spatial layers at 1/4, 1/2 and full size of the camera, three temporal layers in
// one RTP stream); a viewer asks for the low, then the high, then the low spatial layer and its
// decoded resolution follows, with E2EE off and on (frames XORed by an encoded transform: the SFU
// reads only the VP9 payload descriptor the packetiser adds after the transform).
const HTML = `<!doctype html><meta charset="utf-8"><title>sfu</title>
<video id="remote" autoplay playsinline muted></video>
<script type="module" src="/page.js"></script>`;

const mediaCodecs = [
  { kind: 'audio' as const, mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video' as const, mimeType: 'video/VP9', clockRate: 90000 },
];
// libwebrtc keeps a VP9 spatial layer only when it is at least 240x135: three layers need 960x540.
const WIDTH = 960;
const HEIGHT = 540;

async function decodedWidth(page: Page): Promise<number> {
  const s = await page.evaluate(() => (globalThis as any).app.inboundVideoStats());
  return (s?.frameWidth as number | undefined) ?? 0;
}

describe('VP9 SVC with mediasoup-client in Chromium', () => {
  let worker: Worker;
  let router: Router;
  let sig: TestSignalling;
  let server: StaticServer;
  let tb: TestBrowser;

  const openPage = async (e2ee: boolean): Promise<Page> => {
    const p = await tb.newPage();
    await sig.attach(p);
    await p.goto(`${server.url}/index.html`);
    await waitFor(
      'the page to load',
      () => p.evaluate(() => Boolean((globalThis as any).appReady)),
      (r) => r,
      { intervalMs: 100 },
    );
    if (e2ee) await p.evaluate(() => ((globalThis as any).e2eeClearBytes = 0));
    await p.evaluate(() => (globalThis as any).app.init());
    return p;
  };

  beforeAll(async () => {
    worker = await createWorker();
    router = await worker.createRouter({ mediaCodecs });
    sig = createTestSignalling(router);
    const js = await bundleForBrowser(fileURLToPath(new URL('./browser-test/page.js', import.meta.url)), {
      resolveDir: fileURLToPath(new URL('..', import.meta.url)),
    });
    server = await startStaticServer({ '/index.html': HTML, '/page.js': js });
    tb = await launchBrowser();
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

  it.each([
    { name: 'plain', e2ee: false },
    { name: 'E2EE (whole frames encrypted by an encoded transform)', e2ee: true },
  ])(
    'the decoded resolution follows the preferred spatial layer: low, high, low — $name',
    async ({ e2ee }) => {
      const a = await openPage(e2ee);
      const b = await openPage(e2ee);
      try {
        const pub = await a.evaluate(
          ([size, e]) => (globalThis as any).app.publish({ ...size, e2ee: e, mimeType: 'video/VP9', scalabilityMode: 'L3T3_KEY' }),
          [{ width: WIDTH, height: HEIGHT }, e2ee] as const,
        );
        const producer = sig.producers.get(pub.video)!;
        expect(producer.type).toBe('svc');
        expect(producer.rtpParameters.codecs[0]?.mimeType).toBe('video/VP9');
        expect(producer.rtpParameters.encodings?.[0]?.scalabilityMode).toMatch(/^L3T3/);
        const sub = await b.evaluate(
          ([ids, e]) => (globalThis as any).app.subscribe(ids, { preferredLayers: { spatialLayer: 0 }, e2ee: e }),
          [[pub.video], e2ee] as const,
        );
        const consumer = sig.consumers.get(sub.consumerIds.video)!;
        expect(consumer.type).toBe('svc');
        const changes: string[] = [];
        consumer.on('layerschange', (l) => changes.push(l ? `S${l.spatialLayer}T${l.temporalLayer}` : 'none'));

        const low = await waitFor(
          'the low spatial layer decoded',
          () => decodedWidth(b),
          (w) => w > 0 && w <= WIDTH / 4,
          {
            intervalMs: 100,
            timeoutMs: 30_000,
          },
        );
        expect(consumer.currentLayers?.spatialLayer).toBe(0);

        await consumer.setPreferredLayers({ spatialLayer: 2 });
        expect(consumer.preferredLayers).toEqual({ spatialLayer: 2, temporalLayer: 2 });
        const high = await waitFor(
          'the high spatial layer decoded',
          () => decodedWidth(b),
          (w) => w >= WIDTH,
          {
            intervalMs: 100,
            timeoutMs: 30_000,
          },
        );
        expect(consumer.currentLayers?.spatialLayer).toBe(2);
        // The stream decodes on after the switch (frames keep coming at the high layer).
        const mid = await b.evaluate(() => (globalThis as any).app.inboundVideoStats());
        await waitFor(
          'more frames decoded at the high layer',
          () => b.evaluate(() => (globalThis as any).app.inboundVideoStats()),
          (s) => s.framesDecoded >= mid.framesDecoded + 10 && s.frameWidth >= WIDTH,
          { intervalMs: 100, timeoutMs: 30_000 },
        );

        await consumer.setPreferredLayers({ spatialLayer: 0 });
        await waitFor(
          'the low spatial layer decoded again',
          () => decodedWidth(b),
          (w) => w > 0 && w <= WIDTH / 4,
          {
            intervalMs: 100,
            timeoutMs: 30_000,
          },
        );
        expect(consumer.currentLayers?.spatialLayer).toBe(0);
        expect(changes.some((c) => c.startsWith('S2'))).toBe(true);
        expect(changes.at(-1)?.startsWith('S0')).toBe(true);

        // One continuous stream: the dropped layers left no sequence gaps the receiver counts as lost.
        const stats = await b.evaluate(() => (globalThis as any).app.inboundVideoStats());
        console.info(
          `[sfu svc] ${e2ee ? 'E2EE' : 'plain'}: widths low=${low} high=${high}; layers ${changes.join('→')}; receiver lost=${stats.packetsLost} decoded=${stats.framesDecoded} keyframes=${stats.keyFramesDecoded}`,
        );
        expect(stats.packetsLost).toBeLessThanOrEqual(2);
        if (e2ee) {
          const sent = await a.evaluate(() => (globalThis as any).e2eeFrames.send as number);
          const received = await b.evaluate(() => (globalThis as any).e2eeFrames.recv as number);
          console.info(`[sfu svc] E2EE frames transformed: sent ${sent}, received ${received}`);
          expect(sent).toBeGreaterThan(0);
          expect(received).toBeGreaterThan(0);
        }
      } finally {
        await Promise.allSettled([a.close(), b.close()]);
      }
    },
    120_000,
  );
});
