import { fileURLToPath } from 'node:url';
import {
  bundleForBrowser,
  launchBrowser,
  startStaticServer,
  waitFor,
  waitForVideoFrames,
  type StaticServer,
  type TestBrowser,
} from '@alcove/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Two Chromium pages exchange fake-camera VP8 and fake-microphone Opus over a loopback
// RTCPeerConnection; every frame passes through the E2EE worker on both sides (encoded transforms).
// With the sender's key the receiver decodes real video; with another key it decodes nothing.

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const root = here('../../../../../');

const PAGE = `<!doctype html><meta charset="utf-8"><title>e2ee</title>
<video id="remote" autoplay playsinline muted></video>
<script type="module">
  const api = (window.e2ee = {
    worker: new Worker('/e2ee-worker.js', { type: 'module' }),
    pc: null,
    candidates: [],
    messages: [],
    async init(path) {
      while (!this.messages.some((m) => m.type === 'ready')) await new Promise((r) => setTimeout(r, 10));
      this.path = path;
      this.pc = new RTCPeerConnection(path === 'legacy' ? { encodedInsertableStreams: true } : {});
      this.pc.onicecandidate = (e) => { if (e.candidate) this.candidates.push(e.candidate.toJSON()); };
      this.pc.ontrack = (e) => {
        const kind = e.track.kind;
        this.attach(e.receiver, { direction: 'recv', participantId: 'alice', track: kind === 'video' ? 'cam' : 'mic', codec: kind === 'video' ? 'video/vp8' : 'audio/opus' });
        const v = document.getElementById('remote');
        if (!v.srcObject) v.srcObject = new MediaStream();
        v.srcObject.addTrack(e.track);
      };
    },
    attach(senderOrReceiver, options) {
      if (this.path === 'standard') {
        senderOrReceiver.transform = new RTCRtpScriptTransform(this.worker, options);
      } else {
        const { readable, writable } = senderOrReceiver.createEncodedStreams();
        this.worker.postMessage({ type: 'setup', readable, writable, options }, [readable, writable]);
      }
    },
    setSendKey(key) { this.worker.postMessage({ type: 'setSendKey', generation: 0, key: new Uint8Array(key) }); },
    setRecvKey(key) { this.worker.postMessage({ type: 'setRecvKey', participantId: 'alice', generation: 0, step: 0, key: new Uint8Array(key) }); },
    async send() {
      const s = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 }, audio: true });
      for (const t of s.getTracks()) {
        const tr = this.pc.addTransceiver(t, { direction: 'sendonly', streams: [s] });
        if (t.kind === 'video') {
          const vp8 = RTCRtpSender.getCapabilities('video').codecs.filter((c) => /vp8/i.test(c.mimeType));
          tr.setCodecPreferences(vp8);
        }
        this.attach(tr.sender, { direction: 'send', participantId: 'alice', track: t.kind === 'video' ? 'cam' : 'mic', codec: t.kind === 'video' ? 'video/vp8' : 'audio/opus' });
      }
    },
    async offer() { const o = await this.pc.createOffer(); await this.pc.setLocalDescription(o); return this.pc.localDescription.toJSON(); },
    async answer(offer) { await this.pc.setRemoteDescription(offer); const a = await this.pc.createAnswer(); await this.pc.setLocalDescription(a); return this.pc.localDescription.toJSON(); },
    async accept(a) { await this.pc.setRemoteDescription(a); },
    async addCandidates(list) { for (const c of list) await this.pc.addIceCandidate(c); },
    async stats() {
      this.worker.postMessage({ type: 'getStats' });
      for (let i = 0; i < 50; i++) {
        const m = this.messages.findLast((x) => x.type === 'stats');
        if (m) { this.messages = this.messages.filter((x) => x !== m); return m.transforms; }
        await new Promise((r) => setTimeout(r, 20));
      }
      return null;
    },
  });
  // Listen from the start: a worker's 'ready' posted before anyone listens would be lost.
  api.worker.onmessage = (e) => api.messages.push(e.data);
</script>`;

type Api = { e2ee: Record<string, (...a: unknown[]) => Promise<unknown>> };

async function call(page: Page, fn: string, ...args: unknown[]): Promise<unknown> {
  return page.evaluate(({ fn, args }) => (window as unknown as Api).e2ee[fn]!(...args), { fn, args });
}

type Path = 'legacy' | 'standard';
/** Connects sender `a` (on path `pa`) to receiver `b` (on path `pb`, the same unless given). */
async function connect(a: Page, b: Page, pa: Path, sendKey: number[], recvKey: number[], pb: Path = pa): Promise<void> {
  await Promise.all([call(a, 'init', pa), call(b, 'init', pb)]);
  await call(a, 'setSendKey', sendKey);
  await call(b, 'setRecvKey', recvKey);
  await call(a, 'send');
  const offer = await call(a, 'offer');
  const answer = await call(b, 'answer', offer);
  await call(a, 'accept', answer);
  // Trickle ICE: hand over each side's new candidates until the pages connect (waiting for
  // gathering to complete first can outlast any timeout on a loaded machine).
  const handedOver = new Map<Page, number>([
    [a, 0],
    [b, 0],
  ]);
  const trickle = async (from: Page, to: Page): Promise<void> => {
    const all = (await from.evaluate(() => (window as any).e2ee.candidates)) as unknown[];
    const fresh = all.slice(handedOver.get(from));
    handedOver.set(from, all.length);
    if (fresh.length > 0) await call(to, 'addCandidates', fresh);
  };
  await waitFor(
    'the two pages to connect',
    async () => {
      await trickle(a, b);
      await trickle(b, a);
      return b.evaluate(() => (window as any).e2ee.pc.connectionState as string);
    },
    (state) => state === 'connected',
  );
}

describe('E2EE worker in Chromium (encoded transforms over a loopback peer connection)', () => {
  let tb: TestBrowser;
  let server: StaticServer;
  const key = Array.from({ length: 32 }, (_, i) => (i * 13 + 5) & 0xff);
  const wrongKey = Array.from({ length: 32 }, (_, i) => (i * 17 + 1) & 0xff);

  beforeAll(async () => {
    const worker = await bundleForBrowser(here('./e2ee-worker.ts'), {
      alias: { '@alcove/protocol': `${root}packages/protocol/src/index.ts` },
      resolveDir: `${root}packages/core`,
    });
    server = await startStaticServer({ '/index.html': PAGE, '/e2ee-worker.js': worker });
    tb = await launchBrowser();
  });
  afterAll(async () => {
    try {
      await tb?.close();
    } finally {
      await server?.close();
    }
  });

  /** Two pages in their own contexts, closed in `finally` whatever `fn` did. */
  async function withPages(fn: (a: Page, b: Page) => Promise<void>): Promise<void> {
    const opened: Page[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const page = await tb.newPage();
        opened.push(page);
        await page.goto(server.url);
      }
      await fn(opened[0]!, opened[1]!);
    } finally {
      for (const page of opened)
        await page
          .context()
          .close()
          .catch(() => undefined);
    }
  }

  type Stats = { direction: string; track: string; frames: number; dropped: number; lastDropReason?: string };
  /** The worker's per-transform counters; throws (and `waitFor` retries) while the worker has not answered. */
  const stats = async (page: Page): Promise<Stats[]> => {
    const all = (await call(page, 'stats')) as Stats[] | null;
    if (!all) throw new Error('the worker did not answer getStats');
    return all;
  };

  // Each path alone, then each direction between them: the frame format does not depend on which
  // API carried the frame (a one-directional failure between the two is a known trap).
  for (const [sendPath, recvPath] of [
    ['legacy', 'legacy'],
    ['standard', 'standard'],
    ['standard', 'legacy'],
    ['legacy', 'standard'],
  ] as const) {
    const name = sendPath === recvPath ? `${sendPath} path` : `${sendPath} sender to ${recvPath} receiver`;
    it(`${name}: the receiver with the sender's key decodes the video`, () =>
      withPages(async (a, b) => {
        await connect(a, b, sendPath, key, key, recvPath);
        const v = await waitForVideoFrames(b, '#remote', 15);
        expect(v.width).toBeGreaterThan(0);
        // The worker's counters keep growing with the call: wait for them to pass the thresholds
        // instead of reading them once right after the receiver reached 15 frames.
        const { sentCam } = await waitFor(
          'the sender worker to encrypt more than 15 camera frames',
          async () => ({ sentCam: (await stats(a)).find((s) => s.direction === 'send' && s.track === 'cam') }),
          ({ sentCam }) => (sentCam?.frames ?? 0) > 15,
        );
        const { gotCam, gotMic } = await waitFor(
          'the receiver worker to decrypt more than 15 camera and 10 microphone frames',
          async () => {
            const recv = await stats(b);
            return {
              gotCam: recv.find((s) => s.direction === 'recv' && s.track === 'cam'),
              gotMic: recv.find((s) => s.direction === 'recv' && s.track === 'mic'),
            };
          },
          ({ gotCam, gotMic }) => (gotCam?.frames ?? 0) > 15 && (gotMic?.frames ?? 0) > 10,
        );
        expect(sentCam?.frames).toBeGreaterThan(15);
        expect(gotMic?.frames).toBeGreaterThan(10);
        expect(gotCam?.dropped).toBe(0);
      }));
  }

  it('a receiver with another key decodes nothing and drops every frame (fail closed)', () =>
    withPages(async (a, b) => {
      await connect(a, b, 'legacy', key, wrongKey);
      // Wait until the receiver has seen plenty of frames arrive, then check none decoded.
      const cam = await waitFor(
        'the receiver worker to drop 30 camera frames',
        async () => (await stats(b)).find((s) => s.direction === 'recv' && s.track === 'cam'),
        (cam) => (cam?.dropped ?? 0) >= 30,
      );
      expect(cam?.frames).toBe(0);
      expect(cam?.lastDropReason).toBe('AUTH_FAILED');
      const decoded = await b.$eval('#remote', (el) => (el as HTMLVideoElement).getVideoPlaybackQuality().totalVideoFrames);
      expect(decoded).toBe(0);
    }));
});
