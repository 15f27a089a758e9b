import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleForBrowser,
  launchBrowser,
  measureAudioLevel,
  startStaticServer,
  waitFor,
  waitForVideoFrames,
  type StaticServer,
  type TestBrowser,
} from '@alcove/testing';
import { createWorker, type Worker } from './index.js';
import { createTestSignalling, type TestSignalling } from './browser-test/signalling.js';

// Unmodified mediasoup-client in Chromium against transports that offer only the worker's
// passive ICE-TCP candidate: video and audio go through RFC 4571-framed STUN, DTLS and SRTP.
// (The namespace tests in @alcove/server block UDP on a real link; this one proves the engine side.)
const HTML = `<!doctype html><meta charset="utf-8"><title>sfu</title>
<video id="remote" autoplay playsinline muted></video>
<script type="module" src="/page.js"></script>`;

describe('ICE over TCP with mediasoup-client in Chromium', () => {
  let worker: Worker;
  let sig: TestSignalling;
  let server: StaticServer;
  let tb: TestBrowser;
  let a: Page;
  let b: Page;

  beforeAll(async () => {
    worker = await createWorker();
    const router = await worker.createRouter({
      mediaCodecs: [
        { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
        { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
      ],
    });
    sig = createTestSignalling(router, { protocols: ['tcp'] });
    const js = await bundleForBrowser(fileURLToPath(new URL('./browser-test/page.js', import.meta.url)), {
      resolveDir: fileURLToPath(new URL('..', import.meta.url)),
    });
    server = await startStaticServer({ '/index.html': HTML, '/page.js': js });
    tb = await launchBrowser();
    a = await tb.newPage();
    b = await tb.newPage();
    for (const page of [a, b]) {
      await sig.attach(page);
      await page.goto(`${server.url}/index.html`);
      await waitFor('the test page to load', () => page.evaluate(() => !!(globalThis as any).appReady));
      await page.evaluate(() => (globalThis as any).app.init());
    }
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

  it('carries VP8 and Opus both ways of the engine over TCP-only transports', async () => {
    const before = await worker.dump();
    const pub = await a.evaluate(() => (globalThis as any).app.publish());
    const sub = await b.evaluate((ids) => (globalThis as any).app.subscribe(ids), [pub.video, pub.audio]);
    for (const t of sig.transports.values()) expect(t.iceCandidates.map((c) => c.protocol)).toEqual(['tcp']);
    const first = await waitForVideoFrames(b, '#remote', 15, 30_000);
    expect(first.width).toBeGreaterThan(0);
    const later = await waitForVideoFrames(b, '#remote', 10, 20_000);
    expect(later.decodedFrames).toBeGreaterThan(first.decodedFrames);
    const level = await waitFor(
      'page b to hear page a',
      () => measureAudioLevel(b, 'remoteStream', 500),
      (l) => l > 0.001,
    );
    expect(level).toBeGreaterThan(0.001);
    for (const id of [pub.transportId, sub.transportId]) {
      const t = sig.transports.get(id)!;
      expect(t.iceSelectedTuple?.protocol).toBe('tcp');
      expect(t.dtlsState).toBe('connected');
    }
    const after = await worker.dump();
    // Everything came over TCP: no datagram reached the UDP socket, frames did reach the TCP one.
    expect(after.udp.datagramsReceived).toBe(before.udp.datagramsReceived);
    expect(after.tcp!.framesReceived).toBeGreaterThan(before.tcp!.framesReceived);
    expect(after.drops.tcpMalformed).toBe(0);
  });
});
