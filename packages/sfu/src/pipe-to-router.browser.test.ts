/**
 * A session spanning two workers: page A talks to a router on worker 1, page B to a router on
 * worker 2 (two engine threads), and `pipeToRouter` carries each page's VP8 + Opus to the other's
 * router; each page decodes the other's video (unmodified mediasoup-client in Chromium).
 */
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleForBrowser,
  launchBrowser,
  startStaticServer,
  waitFor,
  waitForVideoFrames,
  type StaticServer,
  type TestBrowser,
} from '@alcove/testing';
import { createWorker, type Worker } from './index.js';
import type { Router } from './router/router.js';
import { createTestSignalling } from './browser-test/signalling.js';

const HTML = `<!doctype html><meta charset="utf-8"><title>sfu pipe</title>
<video id="remote" autoplay playsinline muted></video>
<script type="module" src="/page.js"></script>`;

const mediaCodecs = [
  { kind: 'audio' as const, mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video' as const, mimeType: 'video/VP8', clockRate: 90000 },
];

describe('pipeToRouter with mediasoup-client in Chromium', () => {
  let w1: Worker;
  let w2: Worker;
  let r1: Router;
  let r2: Router;
  let server: StaticServer;
  let tb: TestBrowser;
  let a: Page;
  let b: Page;

  beforeAll(async () => {
    w1 = await createWorker();
    w2 = await createWorker();
    r1 = await w1.createRouter({ mediaCodecs });
    r2 = await w2.createRouter({ mediaCodecs });
    const js = await bundleForBrowser(fileURLToPath(new URL('./browser-test/page.js', import.meta.url)), {
      resolveDir: fileURLToPath(new URL('..', import.meta.url)),
    });
    server = await startStaticServer({ '/index.html': HTML, '/page.js': js });
    tb = await launchBrowser();
    a = await tb.newPage();
    b = await tb.newPage();
    await createTestSignalling(r1).attach(a);
    await createTestSignalling(r2).attach(b);
    await Promise.all([a.goto(`${server.url}/index.html`), b.goto(`${server.url}/index.html`)]);
    for (const page of [a, b]) await waitFor('the test page to load', () => page.evaluate(() => !!(globalThis as any).appReady));
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
        w1?.close();
        w2?.close();
      }
    }
  });

  it("each page decodes the other's video across the two workers", async () => {
    expect(w1.threadId).not.toBe(w2.threadId);
    const pubA = (await a.evaluate(() => (globalThis as any).app.publish())) as { audio: string; video: string };
    const pubB = (await b.evaluate(() => (globalThis as any).app.publish())) as { audio: string; video: string };
    for (const producerId of [pubA.video, pubA.audio]) await r1.pipeToRouter({ producerId, router: r2 });
    for (const producerId of [pubB.video, pubB.audio]) await r2.pipeToRouter({ producerId, router: r1 });
    await b.evaluate((ids) => (globalThis as any).app.subscribe(ids), [pubA.video, pubA.audio]);
    await a.evaluate((ids) => (globalThis as any).app.subscribe(ids), [pubB.video, pubB.audio]);
    const atB = await waitForVideoFrames(b, '#remote', 15, 30_000);
    const atA = await waitForVideoFrames(a, '#remote', 15, 30_000);
    expect(atB.width).toBeGreaterThan(0);
    expect(atA.width).toBeGreaterThan(0);
    // Still flowing both ways.
    const laterB = await waitForVideoFrames(b, '#remote', 10, 20_000);
    const laterA = await waitForVideoFrames(a, '#remote', 10, 20_000);
    expect(laterB.decodedFrames).toBeGreaterThan(atB.decodedFrames);
    expect(laterA.decodedFrames).toBeGreaterThan(atA.decodedFrames);
  });
});
