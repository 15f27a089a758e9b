import { launchBrowser, type TestBrowser } from '@alcove/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type Demo } from './demo-server.js';

// The drop-in path end to end, with the secure defaults (waiting room, E2EE required): a plain HTML
// page with <alcove-session>, the real server and SFU on
// 127.0.0.1, two Chromium pages. The guest waits; the host lets them in from the element's own
// waiting list; both decode each other's camera inside the element's video tiles.

/** Decoded frames of the tile video of `participantId` inside <alcove-session>'s shadow DOM. */
const tileFrames = (page: Page, participantId: string): Promise<number> =>
  page.evaluate((id) => {
    const root = document.querySelector('alcove-session')!.shadowRoot!;
    const tile = root.querySelector(`alcove-video-tile[data-participant-id="${id}"]`);
    const video = tile?.shadowRoot?.querySelector('video') as HTMLVideoElement | undefined;
    return video && video.videoWidth > 0 ? video.getVideoPlaybackQuality().totalVideoFrames : 0;
  }, participantId);

async function waitForTileFrames(page: Page, participantId: string, min: number): Promise<number> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const n = await tileFrames(page, participantId);
    if (n >= min) return n;
    if (Date.now() > deadline) throw new Error(`tile ${participantId} decoded ${n} frames, wanted ${min}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const status = (page: Page) => page.locator('alcove-session [part~="status"]');

describe('examples/embed-html: <alcove-session> dropped into a page', () => {
  let demo: Demo;
  let tb: TestBrowser;

  beforeAll(async () => {
    // The server's defaults: waiting room on, E2EE required.
    demo = await startDemo();
    tb = await launchBrowser();
  });
  afterAll(async () => {
    await tb?.close();
    await demo?.close();
  });

  it('guest waits, host admits from the waiting list, both see each other, guest leaves', async () => {
    const host = await tb.newPage();
    const guest = await tb.newPage();
    await host.goto(`${demo.url}/#role=host`);
    await host.click('#join');
    await expect.poll(() => status(host).textContent(), { timeout: 20_000 }).toBe('Connected');

    await guest.goto(`${demo.url}/#role=client`);
    await guest.click('#join');
    await expect.poll(() => status(guest).textContent(), { timeout: 20_000 }).toBe('Waiting to be let in');
    // Nothing of the call reaches the waiting guest: no tiles, no names.
    expect(await guest.locator('alcove-video-tile').count()).toBe(0);
    await expect.poll(() => guest.locator('alcove-session [part~="waiting"] h2').textContent()).toBe('Please wait');

    const admit = host.getByRole('button', { name: 'Let Guest in' });
    await admit.waitFor({ timeout: 20_000 });
    await admit.click();
    await expect.poll(() => status(guest).textContent(), { timeout: 20_000 }).toBe('Connected');

    const seenByHost = await waitForTileFrames(host, 'guest-1', 10);
    const seenByGuest = await waitForTileFrames(guest, 'host', 10);
    expect(seenByHost).toBeGreaterThanOrEqual(10);
    expect(seenByGuest).toBeGreaterThanOrEqual(10);
    // Both see the same security code to compare aloud.
    const sas = (p: Page) => p.locator('alcove-session [part~="sas"] .digits').first().textContent();
    await expect.poll(() => sas(host), { timeout: 20_000 }).toMatch(/^\d{4} \d{4} \d{4}$/);
    expect(await sas(guest)).toBe(await sas(host));
    // The host confirms the codes match; the guest is told, through the server.
    await host.getByRole('button', { name: 'The codes match' }).click();
    await expect.poll(() => host.locator('alcove-session [part~="sas"] .confirmed').textContent(), { timeout: 10_000 }).toBe('You confirmed the code');
    await expect.poll(() => guest.locator('alcove-session [part~="sas"] .peer-confirmed').textContent(), { timeout: 10_000 }).toBe('Host confirmed the code');
    // The host's tile of the guest shows the guest's name as text.
    await expect.poll(() => host.locator('alcove-video-tile[data-participant-id="guest-1"] [part~="name"]').textContent()).toContain('Guest');

    await guest.getByRole('button', { name: 'Leave call' }).click();
    await expect.poll(() => status(guest).textContent(), { timeout: 20_000 }).toBe('The call has ended');
    await expect.poll(() => host.locator('alcove-video-tile[data-participant-id="guest-1"]').count(), { timeout: 20_000 }).toBe(0);
  });
});
