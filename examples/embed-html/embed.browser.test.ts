import { startCall, waitFor, type CallFixture } from '@alcove/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type Demo } from './demo-server.js';

// The drop-in path end to end, with the secure defaults (waiting room, E2EE required): a plain HTML
// page with <alcove-session>, the real server and SFU on
// 127.0.0.1, two Chromium pages. The guest waits; the host lets them in from the element's own
// waiting list; both decode each other's camera inside the element's video tiles.

/** Decoded frames of the tile video of `participantId`, wherever it sits in <alcove-session>'s shadow trees. */
const tileFrames = (page: Page, participantId: string): Promise<number> =>
  page.evaluate((id) => {
    const find = (root: ParentNode): Element | null => {
      const hit = root.querySelector(`alcove-video-tile[data-participant-id="${id}"]`);
      if (hit) return hit;
      for (const el of Array.from(root.querySelectorAll('*'))) {
        const inner = el.shadowRoot ? find(el.shadowRoot) : null;
        if (inner) return inner;
      }
      return null;
    };
    const tile = find(document.querySelector('alcove-session')!.shadowRoot!);
    const video = tile?.shadowRoot?.querySelector('video') as HTMLVideoElement | undefined;
    return video && video.videoWidth > 0 ? video.getVideoPlaybackQuality().totalVideoFrames : 0;
  }, participantId);

/** Waits until the tile of `participantId` has decoded at least `min` frames; returns the count. */
const waitForTileFrames = (page: Page, participantId: string, min: number): Promise<number> =>
  waitFor(
    `the tile of ${participantId} to decode ${min} frames`,
    () => tileFrames(page, participantId),
    (n) => n >= min,
  );

/** The element's status line (the header's, not a checklist step's). */
const status = (page: Page) => page.locator('alcove-session [part~="header"] [part~="status"]');

describe('examples/embed-html: <alcove-session> dropped into a page', () => {
  let call: CallFixture<Demo>;

  beforeAll(async () => {
    call = await startCall<Demo>({
      tmpPrefix: 'alcove-embed-',
      // The server's defaults: waiting room on, E2EE required. The demo serves its own site.
      server: ({ dataDir }) => startDemo({ dataDir }),
      site: async (demo) => ({ url: demo.url }),
    });
  });
  afterAll(async () => {
    await call?.close();
  });

  it('guest waits, host admits from the waiting list, both see each other, guest leaves', () =>
    call.withPages(['/#role=host', '/#role=client'], async ([host, guest]) => {
      if (!host || !guest) throw new Error('two pages expected');
      await host.click('#join');
      await expect.poll(() => status(host).textContent(), { timeout: 30_000 }).toBe('Connected');

      await guest.click('#join');
      await expect.poll(() => status(guest).textContent(), { timeout: 30_000 }).toBe('Waiting to be let in');
      // Nothing of the call reaches the waiting guest: no tiles, no names.
      expect(await guest.locator('alcove-video-tile').count()).toBe(0);
      await expect.poll(() => guest.locator('alcove-session [part~="waiting"] h2').textContent(), { timeout: 30_000 }).toBe('Please wait');

      const admit = host.getByRole('button', { name: 'Let Guest in' });
      await admit.waitFor({ timeout: 30_000 });
      await admit.click();
      await expect.poll(() => status(guest).textContent(), { timeout: 30_000 }).toBe('Connected');

      const seenByHost = await waitForTileFrames(host, 'guest-1', 10);
      const seenByGuest = await waitForTileFrames(guest, 'host', 10);
      expect(seenByHost).toBeGreaterThanOrEqual(10);
      expect(seenByGuest).toBeGreaterThanOrEqual(10);
      // Both see the same security code to compare aloud (each once its own handshake is done).
      const sas = (p: Page) => p.locator('alcove-session [part~="sas"] .digits').first().textContent();
      const code = /^\d{4} \d{4} \d{4}$/;
      const atHost = await waitFor(
        'the host to show the security code',
        () => sas(host),
        (t) => code.test(t ?? ''),
      );
      const atGuest = await waitFor(
        'the guest to show the security code',
        () => sas(guest),
        (t) => code.test(t ?? ''),
      );
      expect(atGuest).toBe(atHost);
      // The host confirms the codes match; the guest is told, through the server.
      await host.getByRole('button', { name: 'The codes match' }).click();
      await expect
        .poll(() => host.locator('alcove-session [part~="sas"] .confirmed').textContent(), { timeout: 30_000 })
        .toBe('You confirmed the code');
      await expect
        .poll(() => guest.locator('alcove-session [part~="sas"] .peer-confirmed').textContent(), { timeout: 30_000 })
        .toBe('Host confirmed the code');
      // The host's tile of the guest shows the guest's name as text.
      await expect
        .poll(() => host.locator('alcove-video-tile[data-participant-id="guest-1"] [part~="name"]').textContent(), { timeout: 30_000 })
        .toContain('Guest');

      await guest.getByRole('button', { name: 'Leave call' }).click();
      await guest.getByRole('dialog').getByRole('button', { name: 'Leave', exact: true }).click({ timeout: 30_000 });
      await expect.poll(() => status(guest).textContent(), { timeout: 30_000 }).toBe('The call has ended');
      await expect.poll(() => host.locator('alcove-video-tile[data-participant-id="guest-1"]').count(), { timeout: 30_000 }).toBe(0);
    }));
});
