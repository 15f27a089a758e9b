import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@alcove/testing';
import { e2eeFramesTransformed, startSfuRig, THREE_SIMULCAST_LAYERS, type SfuBrowserRig } from './testing/browser-rig.js';

// Unmodified mediasoup-client in Chromium publishes three-layer VP8 simulcast (RID encodings at
// 1/4, 1/2 and full size of 640x480); a viewer asks for the low, then the high, then the low layer
// and its decoded resolution follows.

async function decodedWidth(page: Page): Promise<number> {
  const s = await page.evaluate(() => (globalThis as any).app.inboundVideoStats());
  return (s?.frameWidth as number | undefined) ?? 0;
}

describe('simulcast with mediasoup-client in Chromium', () => {
  let rig: SfuBrowserRig;

  beforeAll(async () => {
    rig = await startSfuRig({ browserArgs: [THREE_SIMULCAST_LAYERS] });
  });

  afterAll(() => rig?.close());

  const cases = [
    { name: 'plain', e2ee: false },
    { name: 'E2EE (frames encrypted past the clear VP8 prefix)', e2ee: true },
  ];
  it.each(cases)(
    'the decoded resolution follows the preferred layer: low, high, low — $name',
    async ({ e2ee }) => {
      // Fresh pages for each case: one publisher and one viewer (with E2EE, the frame transform on every track).
      const a = await rig.openPage();
      const b = await rig.openPage();
      try {
        const pub = await a.evaluate((e) => (globalThis as any).app.publish({ width: 640, height: 480, simulcast: true, e2ee: e }), e2ee);
        const producer = rig.sig.producers.get(pub.video)!;
        expect(producer.type).toBe('simulcast');
        expect(producer.rtpParameters.encodings!.map((e) => e.rid)).toHaveLength(3);
        const sub = await b.evaluate(
          ([ids, e]) => (globalThis as any).app.subscribe(ids, { preferredLayers: { spatialLayer: 0 }, e2ee: e }),
          [[pub.video], e2ee] as const,
        );
        const consumer = rig.sig.consumers.get(sub.consumerIds.video)!;
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
          const { sent, received } = await e2eeFramesTransformed(a, b);
          console.info(`[sfu simulcast] E2EE frames transformed: sent ${sent}, received ${received}`);
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
