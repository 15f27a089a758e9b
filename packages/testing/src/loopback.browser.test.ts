import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from './browser.js';
import { measureAudioLevel, waitForVideoFrames } from './media-probes.js';
import { startStaticServer, type StaticServer } from './static-server.js';
import { waitFor } from './wait-for.js';

// Two pages in separate browser contexts exchange live fake-camera video and fake-microphone audio
// over a loopback RTCPeerConnection. Playwright carries the SDP and ICE candidates between them.
const PAGE = `<!doctype html><meta charset="utf-8"><title>peer</title>
<video id="remote" autoplay playsinline muted></video>
<script type="module">
  const pc = new RTCPeerConnection();
  const candidates = [];
  pc.onicecandidate = (e) => { if (e.candidate) candidates.push(e.candidate.toJSON()); };
  pc.ontrack = (e) => {
    const v = document.getElementById('remote');
    if (!v.srcObject) v.srcObject = new MediaStream();
    v.srcObject.addTrack(e.track);
    window.remoteStream = v.srcObject;
  };
  window.peer = {
    pc,
    candidates,
    async send() {
      const s = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 }, audio: true });
      for (const t of s.getTracks()) pc.addTrack(t, s);
    },
    async offer() { const o = await pc.createOffer(); await pc.setLocalDescription(o); return pc.localDescription.toJSON(); },
    async answer(offer) {
      await pc.setRemoteDescription(offer);
      const a = await pc.createAnswer(); await pc.setLocalDescription(a); return pc.localDescription.toJSON();
    },
    async accept(answer) { await pc.setRemoteDescription(answer); },
    async addCandidates(list) { for (const c of list) await pc.addIceCandidate(c); },
  };
</script>`;

describe('loopback RTCPeerConnection in Chromium', () => {
  let tb: TestBrowser;
  let server: StaticServer;

  beforeAll(async () => {
    server = await startStaticServer({ '/index.html': PAGE });
    tb = await launchBrowser();
  });

  afterAll(async () => {
    try {
      await tb?.close();
    } finally {
      await server?.close();
    }
  });

  it('carries live video and audio from one page to the other', async () => {
    const pages: Page[] = [];
    try {
      for (let i = 0; i < 2; i++) pages.push(await tb.newPage());
      const [a, b] = pages as [Page, Page];
      await Promise.all([a.goto(server.url), b.goto(server.url)]);
      for (const page of [a, b]) await waitFor('the test page to load', () => page.evaluate(() => 'peer' in window));

      await a.evaluate(() => (window as any).peer.send());
      const offer = await a.evaluate(() => (window as any).peer.offer());
      const answer = await b.evaluate((o) => (window as any).peer.answer(o), offer);
      await a.evaluate((ans) => (window as any).peer.accept(ans), answer);
      // Trickle ICE: hand over each side's new candidates until the pages connect. (Waiting for
      // gathering to complete first can take longer than any timeout on a loaded machine; one
      // loopback host candidate is enough.)
      const handedOver = new Map<Page, number>([
        [a, 0],
        [b, 0],
      ]);
      const trickle = async (from: Page, to: Page): Promise<void> => {
        const all = (await from.evaluate(() => (window as any).peer.candidates)) as unknown[];
        const fresh = all.slice(handedOver.get(from));
        handedOver.set(from, all.length);
        if (fresh.length > 0) await to.evaluate((l) => (window as any).peer.addCandidates(l), fresh);
      };
      await waitFor(
        'the two pages to connect',
        async () => {
          await trickle(a, b);
          await trickle(b, a);
          return b.evaluate(() => (window as any).peer.pc.connectionState as string);
        },
        (state) => state === 'connected',
      );

      const stats = await waitForVideoFrames(b, '#remote', 15);
      expect(stats.width).toBeGreaterThan(0);
      expect(stats.height).toBeGreaterThan(0);

      // Still flowing: the counter grows past what was just seen.
      const later = await waitForVideoFrames(b, '#remote', 5);
      expect(later.decodedFrames).toBeGreaterThan(stats.decodedFrames);

      // Audio may start after video: wait until the beep is heard rather than measure one fixed window.
      const level = await waitFor(
        'the remote audio to be audible',
        () => measureAudioLevel(b, 'remoteStream', 500),
        (l) => l > 0.001,
      );
      expect(level).toBeGreaterThan(0.001);
    } finally {
      for (const page of pages)
        await page
          .context()
          .close()
          .catch(() => undefined);
    }
  });
});
