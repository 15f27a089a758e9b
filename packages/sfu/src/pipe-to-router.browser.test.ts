/**
 * A session spanning two workers: page A talks to a router on worker 1, page B to a router on
 * worker 2 (two engine threads), and `pipeToRouter` carries each page's VP8 + Opus to the other's
 * router; each page decodes the other's video (unmodified mediasoup-client in Chromium).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForVideoFrames } from '@alcove/testing';
import type { Worker } from './index.js';
import type { Router } from './router/router.js';
import { startSfuRig, type SfuBrowserRig } from './testing/browser-rig.js';

describe('pipeToRouter with mediasoup-client in Chromium', () => {
  let rig: SfuBrowserRig;
  let w1: Worker;
  let w2: Worker;
  let r1: Router;
  let r2: Router;
  let a: Page;
  let b: Page;

  beforeAll(async () => {
    rig = await startSfuRig();
    const second = await rig.addNode();
    ({ worker: w1, router: r1 } = rig);
    ({ worker: w2, router: r2 } = second);
    a = await rig.openPage();
    b = await rig.openPage({ node: second });
  });

  afterAll(() => rig?.close()); // both workers too

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
