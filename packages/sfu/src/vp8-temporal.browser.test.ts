import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForBrowser, launchBrowser, startStaticServer, waitFor, type StaticServer, type TestBrowser } from '@alcove/testing';
import { createWorker, type Worker } from './index.js';
import type { Router } from './router/router.js';
import { createTestSignalling, type TestSignalling } from './browser-test/signalling.js';

// Unmodified mediasoup-client in Chromium publishes VP8 with three temporal layers — one encoding
// with scalabilityMode L1T3, or three simulcast encodings (mediasoup-client gives each L1T3); a
// viewer asks for temporal layer 0, then 2. Its decoded frame rate drops, then rises again, and the
// receiver sees one continuous stream: no lost packets, no key frame requests or key frames, hardly
// a dropped frame. (Chromium also decodes through gaps in the VP8 picture ids — checked by breaking
// their renumbering — so engine/vp8-temporal.test.ts holds their continuity.)
const HTML = `<!doctype html><meta charset="utf-8"><title>sfu</title>
<video id="remote" autoplay playsinline muted></video>
<script type="module" src="/page.js"></script>`;

const mediaCodecs = [
  { kind: 'audio' as const, mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video' as const, mimeType: 'video/VP8', clockRate: 90000 },
];

interface InboundStats {
  framesDecoded: number;
  keyFramesDecoded: number;
  framesDropped: number;
  freezeCount: number;
  pliCount: number;
  packetsLost: number;
  frameWidth: number;
  timestamp: number;
}

/** Frames decoded per second, measured by the receiver's own stats over windows of `windowMs`. */
class DecodeRate {
  private samples: { t: number; frames: number }[] = [];
  private since = 0;
  last: InboundStats | undefined;

  constructor(
    private readonly page: Page,
    private readonly windowMs = 2000,
  ) {}

  /** Forgets the samples: the next rate covers only frames decoded from now on. */
  restart(): void {
    this.samples = [];
    this.since = this.last?.timestamp ?? 0;
  }

  /** Takes a sample; returns the rate over the last full window, or undefined before one is covered. */
  async probe(): Promise<number | undefined> {
    const s = (await this.page.evaluate(() => (globalThis as any).app.inboundVideoStats())) as InboundStats | undefined;
    if (!s || s.timestamp <= this.since) return undefined;
    this.last = s;
    this.samples.push({ t: s.timestamp, frames: s.framesDecoded });
    const newest = this.samples.at(-1)!;
    let first: { t: number; frames: number } | undefined;
    for (const x of this.samples) if (newest.t - x.t >= this.windowMs) first = x;
    if (!first) return undefined;
    return ((newest.frames - first.frames) * 1000) / (newest.t - first.t);
  }
}

describe('VP8 temporal layers with mediasoup-client in Chromium', () => {
  let worker: Worker;
  let router: Router;
  let sig: TestSignalling;
  let server: StaticServer;
  let tb: TestBrowser;

  const openPage = async (): Promise<Page> => {
    const p = await tb.newPage();
    await sig.attach(p);
    await p.goto(`${server.url}/index.html`);
    await waitFor(
      'the page to load',
      () => p.evaluate(() => Boolean((globalThis as any).appReady)),
      (r) => r,
      { intervalMs: 100 },
    );
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
    // Three simulcast layers from 640x480 (libwebrtc would allow only two at this size by default).
    tb = await launchBrowser({ args: ['--force-fieldtrials=WebRTC-LegacySimulcastLayerLimit/Disabled/'] });
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
    { name: 'one encoding L1T3', simulcast: false, spatialLayer: 0, e2ee: false },
    { name: 'three simulcast encodings L1T3, top layer, E2EE', simulcast: true, spatialLayer: 2, e2ee: true },
  ])(
    'the decoded frame rate follows the preferred temporal layer: 2, 0, 2 — $name',
    async ({ simulcast, spatialLayer, e2ee }) => {
      const a = await openPage();
      const b = await openPage();
      try {
        const pub = await a.evaluate(
          ([sc, e]) =>
            (globalThis as any).app.publish({
              width: 640,
              height: 480,
              e2ee: e,
              ...(sc ? { simulcast: true } : { mimeType: 'video/VP8', scalabilityMode: 'L1T3' }),
            }),
          [simulcast, e2ee] as const,
        );
        const producer = sig.producers.get(pub.video)!;
        // As mediasoup: VP8 with temporal layers is simulcast, even with one encoding.
        expect(producer.type).toBe('simulcast');
        expect(producer.rtpParameters.encodings!.every((e) => e.scalabilityMode === 'L1T3')).toBe(true);
        /** Key frame requests the SFU sent the publisher (for every reason: consumers starting, switching, relayed PLIs). */
        const keyFrameRequestsSent = async (): Promise<number> =>
          Math.max(0, ...(await producer.getStats()).map((s) => Number((s as Record<string, unknown>).keyFrameRequestsSent ?? 0)));
        const sub = await b.evaluate(([ids, e]) => (globalThis as any).app.subscribe(ids, { e2ee: e }), [[pub.video], e2ee] as const);
        const consumer = sig.consumers.get(sub.consumerIds.video)!;
        expect(consumer.type).toBe('simulcast');
        expect(consumer.rtpParameters.encodings?.[0]?.scalabilityMode).toBe(simulcast ? 'L3T3' : 'L1T3');
        const changes: string[] = [];
        consumer.on('layerschange', (l) => changes.push(l ? `S${l.spatialLayer}T${l.temporalLayer}` : 'none'));
        await consumer.setPreferredLayers({ spatialLayer, temporalLayer: 2 });
        const rate = new DecodeRate(b);

        // All three temporal layers.
        await waitFor(
          'the preferred spatial layer with every temporal layer',
          () => consumer.currentLayers,
          (l) => l?.spatialLayer === spatialLayer && l.temporalLayer === 2,
          { intervalMs: 100, timeoutMs: 30_000 },
        );
        await rate.probe();
        rate.restart();
        const t2 = (await waitFor(
          'a frame rate at temporal layer 2',
          () => rate.probe(),
          (r) => r !== undefined && r > 0,
          {
            intervalMs: 200,
            timeoutMs: 30_000,
          },
        ))!;
        const before = rate.last!;
        const requestsBefore = await keyFrameRequestsSent();

        // Temporal layer 0: a quarter of the frames of L1T3.
        await consumer.setPreferredLayers({ spatialLayer, temporalLayer: 0 });
        expect(consumer.preferredLayers).toEqual({ spatialLayer, temporalLayer: 0 });
        await waitFor(
          'temporal layer 0 forwarded',
          () => consumer.currentLayers?.temporalLayer,
          (t) => t === 0,
          {
            intervalMs: 50,
            timeoutMs: 30_000,
          },
        );
        rate.restart();
        const t0 = (await waitFor(
          'the frame rate to drop at temporal layer 0',
          () => rate.probe(),
          (r) => r !== undefined && r > 0 && r < 0.7 * t2,
          { intervalMs: 200, timeoutMs: 30_000 },
        ))!;

        // Back up: at the next layer-sync frame, no key frame needed.
        await consumer.setPreferredLayers({ spatialLayer, temporalLayer: 2 });
        await waitFor(
          'temporal layer 2 forwarded again',
          () => consumer.currentLayers?.temporalLayer,
          (t) => t === 2,
          {
            intervalMs: 50,
            timeoutMs: 30_000,
          },
        );
        rate.restart();
        const t2b = (await waitFor(
          'the frame rate to rise again at temporal layer 2',
          () => rate.probe(),
          (r) => r !== undefined && t0 < 0.7 * r,
          { intervalMs: 200, timeoutMs: 30_000 },
        ))!;
        const after = rate.last!;
        const requests = (await keyFrameRequestsSent()) - requestsBefore;

        const server = await consumer.getStats();
        const out = server.find((s) => s.type === 'outbound-rtp') as Record<string, unknown> | undefined;
        console.info(
          `[sfu vp8 temporal] ${simulcast ? 'simulcast' : 'L1T3'}${e2ee ? ' E2EE' : ''}: decoded fps T2=${t2.toFixed(1)} T0=${t0.toFixed(1)} T2=${t2b.toFixed(1)}; ` +
            `layers ${changes.join('→')}; during the switches: keyframes decoded +${after.keyFramesDecoded - before.keyFramesDecoded}, ` +
            `PLIs +${after.pliCount - before.pliCount}, frames dropped +${after.framesDropped - before.framesDropped}, freezes +${after.freezeCount - before.freezeCount}, ` +
            `frames decoded +${after.framesDecoded - before.framesDecoded}, SFU key frame requests +${requests}; receiver lost=${after.packetsLost}; SFU key frames forwarded ${String(out?.keyFramesForwarded)}`,
        );
        expect(changes).toContain(`S${spatialLayer}T0`);
        expect(changes.at(-1)).toBe(`S${spatialLayer}T2`);
        // One continuous stream: the dropped frames left no sequence gap the receiver counts as lost,
        // and no picture-id gap that would make it drop frames or ask for a key frame.
        expect(after.packetsLost).toBeLessThanOrEqual(2);
        // Key frames are reported above, not asserted: that a temporal switch asks for none is the
        // unit test's (engine/vp8-temporal.test.ts). Here the SFU may rightly ask for some: in CI, on
        // a loaded machine, its send-side estimate moved the simulcast case's target layer and back
        // (3 requests for 1 receiver PLI, no spatial switch), and senders send some unasked.
        expect(after.framesDropped - before.framesDropped).toBeLessThanOrEqual(
          Math.max(5, 0.1 * (after.framesDecoded - before.framesDecoded)),
        );
        expect(after.frameWidth).toBeGreaterThan(0);
        if (e2ee) {
          const received = await b.evaluate(() => (globalThis as any).e2eeFrames.recv as number);
          expect(received).toBeGreaterThan(0);
        }
      } finally {
        await Promise.allSettled([a.close(), b.close()]);
      }
    },
    180_000,
  );
});
