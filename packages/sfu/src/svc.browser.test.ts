import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@alcove/testing';
import { e2eeFramesTransformed, OPUS, startSfuRig, VP9, type SfuBrowserRig } from './testing/browser-rig.js';

// Unmodified mediasoup-client in Chromium publishes VP9 SVC (one encoding, scalabilityMode
// L3T3_KEY: three spatial layers at 1/4, 1/2 and full size of the camera, three temporal layers in
// one RTP stream); a viewer asks for the low, then the high, then the low spatial layer and its
// decoded resolution follows, with E2EE off and on (frames XORed by an encoded transform: the SFU
// reads only the VP9 payload descriptor the packetiser adds after the transform).

// libwebrtc keeps a VP9 spatial layer only when it is at least 240x135: three layers need 960x540.
const WIDTH = 960;
const HEIGHT = 540;

async function decodedWidth(page: Page): Promise<number> {
  const s = await page.evaluate(() => (globalThis as any).app.inboundVideoStats());
  return (s?.frameWidth as number | undefined) ?? 0;
}

describe('VP9 SVC with mediasoup-client in Chromium', () => {
  let rig: SfuBrowserRig;

  // With E2EE, the whole frame is encrypted (no clear prefix).
  const openPage = (e2ee: boolean): Promise<Page> =>
    rig.openPage(e2ee ? { beforeInit: (p) => p.evaluate(() => ((globalThis as any).e2eeClearBytes = 0)) } : {});

  beforeAll(async () => {
    rig = await startSfuRig({ mediaCodecs: [OPUS, VP9] });
  });

  afterAll(() => rig?.close());

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
        const producer = rig.sig.producers.get(pub.video)!;
        expect(producer.type).toBe('svc');
        expect(producer.rtpParameters.codecs[0]?.mimeType).toBe('video/VP9');
        expect(producer.rtpParameters.encodings?.[0]?.scalabilityMode).toMatch(/^L3T3/);
        const sub = await b.evaluate(
          ([ids, e]) => (globalThis as any).app.subscribe(ids, { preferredLayers: { spatialLayer: 0 }, e2ee: e }),
          [[pub.video], e2ee] as const,
        );
        const consumer = rig.sig.consumers.get(sub.consumerIds.video)!;
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
          const { sent, received } = await e2eeFramesTransformed(a, b);
          console.info(`[sfu svc] E2EE frames transformed: sent ${sent}, received ${received}`);
          expect(sent).toBeGreaterThan(0);
          expect(received).toBeGreaterThan(0);
        }
      } finally {
        await rig.closePages(a, b);
      }
    },
    120_000,
  );
});
