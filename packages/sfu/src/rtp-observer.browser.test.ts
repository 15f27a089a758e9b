/**
 * The RTP observers with unmodified mediasoup-client in Chromium: the audio level Chromium writes
 * into the `ssrc-audio-level` header extension (its fake microphone plays a tone) reaches
 * AudioLevelObserver as `volumes` and makes the publisher ActiveSpeakerObserver's dominant speaker.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@alcove/testing';
import type { AudioLevelObserverVolume } from './rtp-observer/audio-level-observer.js';
import { startSfuRig, type SfuBrowserRig } from './testing/browser-rig.js';

describe('RTP observers with mediasoup-client in Chromium', () => {
  let rig: SfuBrowserRig;
  let page: Page;

  beforeAll(async () => {
    rig = await startSfuRig();
    page = await rig.openPage();
  });

  afterAll(() => rig?.close());

  it("reports Chromium's audio level and names it the dominant speaker", async () => {
    const pub = (await page.evaluate(() => (globalThis as any).app.publish())) as { audio: string; video: string };
    const levels = await rig.router.createAudioLevelObserver({ maxEntries: 1, threshold: -127, interval: 300 });
    const speaker = await rig.router.createActiveSpeakerObserver({ interval: 200 });
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
