/**
 * The RTP observers with unmodified mediasoup-client in Chromium: the audio level Chromium writes
 * into the `ssrc-audio-level` header extension (its fake microphone plays a tone) reaches
 * AudioLevelObserver as `volumes` and makes the publisher ActiveSpeakerObserver's dominant speaker.
 */
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForBrowser, launchBrowser, startStaticServer, waitFor, type StaticServer, type TestBrowser } from '@alcove/testing';
import { createWorker, type Worker } from './index.js';
import type { Router } from './router/router.js';
import type { AudioLevelObserverVolume } from './rtp-observer/audio-level-observer.js';
import { createTestSignalling, type TestSignalling } from './browser-test/signalling.js';

const HTML = `<!doctype html><meta charset="utf-8"><title>sfu observers</title>
<video id="remote" autoplay playsinline muted></video>
<script type="module" src="/page.js"></script>`;

const mediaCodecs = [
  { kind: 'audio' as const, mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video' as const, mimeType: 'video/VP8', clockRate: 90000 },
];

describe('RTP observers with mediasoup-client in Chromium', () => {
  let worker: Worker;
  let router: Router;
  let sig: TestSignalling;
  let server: StaticServer;
  let tb: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    worker = await createWorker();
    router = await worker.createRouter({ mediaCodecs });
    sig = createTestSignalling(router);
    const js = await bundleForBrowser(fileURLToPath(new URL('./browser-test/page.js', import.meta.url)), {
      resolveDir: fileURLToPath(new URL('..', import.meta.url)),
    });
    server = await startStaticServer({ '/index.html': HTML, '/page.js': js });
    tb = await launchBrowser();
    page = await tb.newPage();
    await sig.attach(page);
    await page.goto(`${server.url}/index.html`);
    await waitFor('the test page to load', () => page.evaluate(() => !!(globalThis as any).appReady));
    await page.evaluate(() => (globalThis as any).app.init());
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

  it("reports Chromium's audio level and names it the dominant speaker", async () => {
    const pub = (await page.evaluate(() => (globalThis as any).app.publish())) as { audio: string; video: string };
    const levels = await router.createAudioLevelObserver({ maxEntries: 1, threshold: -127, interval: 300 });
    const speaker = await router.createActiveSpeakerObserver({ interval: 200 });
    const volumes: AudioLevelObserverVolume[][] = [];
    const dominant: string[] = [];
    levels.on('volumes', (v) => volumes.push(v));
    speaker.on('dominantspeaker', ({ producer }) => dominant.push(producer.id));
    await levels.addProducer({ producerId: pub.audio });
    await speaker.addProducer({ producerId: pub.audio });
    // Chromium's fake microphone plays a tone with silent gaps, and its first packets may carry
    // silence (-127 dBov): wait for a report louder than silence, then check what it names.
    const got = await waitFor(
      'an AudioLevelObserver report louder than silence from Chromium',
      () => volumes.find((v) => v.length > 0 && v[0]!.volume > -127),
      (v) => v !== undefined,
      { timeoutMs: 30_000 },
    );
    expect(got![0]!.producer.id).toBe(pub.audio);
    expect(got![0]!.volume).toBeLessThanOrEqual(0);
    expect(volumes.every((v) => v.every((e) => e.volume >= -127 && e.volume <= 0))).toBe(true);
    await waitFor(
      'the publisher to become the dominant speaker',
      () => dominant,
      (d) => d.length > 0,
      { timeoutMs: 30_000 },
    );
    expect(dominant).toEqual([pub.audio]);
  });
});
