import type { AlcoveServer } from '@alcove/server';
import { TestClient } from '@alcove/server/testing';
import { type CallFixture, waitFor } from '@alcove/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  audit,
  compareShot as compare,
  cspViolations,
  give as giveTo,
  hiddenButShown,
  open as openPage,
  screen,
  startUiCall,
  thirdPartyRequests,
  token as tokenFor,
} from './test/browser/ui-call.node.js';

// <alcove-session> end to end: real server and SFU on 127.0.0.1, Chromium with fake devices, the
// page served with a strict CSP (no inline script or style; the E2EE worker from the same origin).

const CANARY = '<img src=x onerror="window.__pwned=1">';

let call: CallFixture<AlcoveServer>;
let sid = '';
const token = (pid: string, role: 'host' | 'client', name: string, cred?: string) => tokenFor(sid, pid, role, name, cred);
const open = (path: string, opts: { width?: number; dark?: boolean } = {}) => openPage(call, path, opts);
const give = (page: Page, tok: string) => giveTo(call, page, tok);
const compareShot = (page: Page, name: string) => compare(call, page, name);

beforeAll(async () => {
  call = await startUiCall();
}, 120_000);
afterAll(() => call?.close());

/** How many camera or microphone tracks the page has opened. */
const capturedTracks = (page: Page): Promise<number> =>
  page.evaluate(() => (window as unknown as { __tracks: MediaStreamTrack[] }).__tracks.length);

/** Sideways overflow, whether the remote picture is above the controls, and controls outside the screen's width (or hidden). */
const reach = (page: Page): Promise<{ overflow: number; remoteFirst: boolean; outside: string[] }> =>
  page.evaluate(() => {
    const root = document.querySelector('alcove-session')!.shadowRoot!;
    const grid = root.querySelector('alcove-video-grid')!.shadowRoot!;
    const remote = grid.querySelector('alcove-video-tile:not([self])')!.getBoundingClientRect();
    const bar = root.querySelector('alcove-control-bar')!;
    const outside = Array.from(bar.shadowRoot!.querySelectorAll<HTMLButtonElement>('button'))
      .filter((b) => !b.hidden)
      .filter((b) => {
        const r = b.getBoundingClientRect();
        return !b.checkVisibility() || r.width < 24 || r.left < 0 || r.right > innerWidth;
      })
      .map((b) => b.textContent ?? '');
    return {
      overflow: document.documentElement.scrollWidth - innerWidth,
      remoteFirst: remote.top < bar.getBoundingClientRect().top,
      outside,
    };
  });

describe('<alcove-session> in Chromium under a strict CSP', () => {
  it('client and host: waiting room, admission, call, security code, chat, camera off, quick exit — accessible in light and dark', async () => {
    sid = call.server.registry.create({ waitingRoom: true }).id;
    const host = await open('/#host');
    const guest = await open('/#guest#stay', { width: 390 });
    try {
      // Host: keyboard only — Tab to "Join call", Enter.
      // The host's credentials line travels in its token (`cred`); the page sets no host-name / host-credentials.
      await give(host, await token('host', 'host', 'Dr Rivera', 'Licensed clinical psychologist'));
      expect(await hiddenButShown(host)).toEqual([]);
      await host.keyboard.press('Tab');
      await waitFor('the join button to have focus', () =>
        host.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.textContent),
      );
      await host.keyboard.press('Enter');
      await waitFor(
        'the host in the call',
        () => screen(host),
        (s) => s === 'call',
      );

      // Client, with an XSS canary as its name: waiting room, nothing of the call.
      await give(guest, await token('guest-1', 'client', CANARY));
      expect(await audit(guest)).toEqual([]);
      expect(await capturedTracks(guest), 'no camera or microphone before the person presses anything').toBe(0);
      await compareShot(guest, 'start-phone');
      await guest.locator('alcove-session').getByRole('button', { name: 'Join call' }).click();
      await waitFor(
        'the guest in the waiting room',
        () => screen(guest),
        (s) => s === 'waiting',
      );
      expect(await guest.locator('alcove-video-tile').count()).toBe(0);
      // Who will let them in: the host's name and credentials line from the host's token, through the
      // server (session.hosts) and core (session.hosts) — no attribute on the page.
      const waitingHost = () =>
        guest.evaluate(() => {
          const el = document.querySelector('alcove-session')!;
          const room = el.shadowRoot!.querySelector('alcove-waiting-room')!.shadowRoot!;
          const creds = room.querySelector<HTMLElement>('[part~=credentials]')!;
          return {
            attrs: el.hasAttribute('host-name') || el.hasAttribute('host-credentials'),
            text: room.textContent ?? '',
            creds: creds.checkVisibility() ? creds.textContent : null,
          };
        });
      await waitFor(
        "the host's name and credentials line in the waiting room",
        waitingHost,
        (w) => w.creds === 'Dr Rivera · Licensed clinical psychologist',
      );
      const shown = await waitingHost();
      expect(shown.attrs).toBe(false);
      expect(shown.text).toContain('Dr Rivera will let you in shortly.');
      expect(await hiddenButShown(guest)).toEqual([]);
      expect(await capturedTracks(guest), 'no camera or microphone while waiting, until the preview is asked for').toBe(0);
      expect(await audit(guest)).toEqual([]);
      await compareShot(guest, 'waiting-phone');

      // A supervisor joins as a second host (a plain signalling client): the client sees both, the
      // first host prominent and the supervisor listed under "Also in this session" — then gone again.
      const supervisor = await TestClient.connect(call.server.wsUrl as string);
      try {
        await supervisor.call('session.join', { token: await token('supervisor', 'host', 'Dr Okafor', 'Clinical supervisor'), e2ee: true });
        const otherHosts = () =>
          guest.evaluate(() => {
            const room = document.querySelector('alcove-session')!.shadowRoot!.querySelector('alcove-waiting-room')!.shadowRoot!;
            const list = room.querySelector<HTMLElement>('[part~=hosts]')!;
            return list.checkVisibility() ? list.textContent : null;
          });
        await waitFor(
          'the supervisor listed in the waiting room',
          otherHosts,
          (t) => t === 'Also in this session:Dr Okafor · Clinical supervisor',
        );
        expect((await waitingHost()).creds).toBe('Dr Rivera · Licensed clinical psychologist');
        expect(await hiddenButShown(guest)).toEqual([]);
        expect(await audit(guest)).toEqual([]);
        await supervisor.call('session.leave', {});
        await waitFor('the supervisor gone from the waiting room', otherHosts, (t) => t === null);
      } finally {
        supervisor.ws.close();
      }

      // Host lets them in from the host panel.
      const admit = host.getByRole('button', { name: `Let ${CANARY} in` });
      await admit.waitFor({ timeout: 20_000 });
      await compareShot(host, 'host-waiting-list');
      await admit.click();
      await waitFor(
        'the guest in the call',
        () => screen(guest),
        (s) => s === 'call',
      );
      await waitFor(
        'the guest tile decoding on the host',
        () =>
          host.evaluate(() => {
            const grid = document.querySelector('alcove-session')!.shadowRoot!.querySelector('alcove-video-grid')!;
            const v = grid
              .shadowRoot!.querySelector('alcove-video-tile[data-participant-id="guest-1"]')
              ?.shadowRoot?.querySelector('video');
            return v && v.videoWidth > 0 ? v.getVideoPlaybackQuality().totalVideoFrames : 0;
          }),
        (n) => n >= 5,
      );
      // Same security code on both sides; the host confirms, focus stays in the entry.
      const digits = (p: Page) => p.locator('alcove-session [part~="sas"] .digits').first().textContent();
      await waitFor(
        'the security code on both sides',
        async () => [await digits(host), await digits(guest)],
        ([a, b]) => !!a && a === b,
      );
      await host.locator('alcove-session').getByRole('button', { name: 'The codes match' }).click();
      await waitFor(
        'the guest to see the host confirmed',
        () => guest.locator('alcove-session .peer-confirmed').first().textContent(),
        (t) => t === 'Dr Rivera confirmed the code',
      );
      await waitFor(
        'focus on the confirmation that replaced the button',
        () =>
          host.evaluate(() => {
            const sas = document.querySelector('alcove-session')!.shadowRoot!.querySelector('alcove-security-code')!;
            return sas.shadowRoot!.activeElement?.className;
          }),
        (c) => c === 'confirmed',
      );

      // Chat with a canary and links.
      await guest.locator('alcove-session').getByRole('button', { name: 'Chat' }).click();
      await guest.locator('alcove-session textarea').fill(`${CANARY} https://example.org/x javascript:alert(1)`);
      await guest.keyboard.press('Enter');
      await waitFor(
        'the host to get the message',
        () =>
          host.evaluate(() =>
            document.querySelector('alcove-session')!.shadowRoot!.querySelector('alcove-control-bar')!.getAttribute('unread'),
          ),
        (n) => n === '1',
      );
      await host.locator('alcove-session').getByRole('button', { name: 'Chat' }).click();
      const links = await host
        .locator('alcove-session alcove-chat-panel [part~=log] a')
        .evaluateAll((as) => as.map((a) => `${a.getAttribute('href')} ${a.getAttribute('rel')}`));
      expect(links).toEqual(['https://example.org/x noopener noreferrer']);
      expect(await host.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await guest.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

      // The guest turns the camera off: the host shows the placeholder, not a frozen frame.
      await guest.locator('alcove-session').getByRole('button', { name: 'Camera' }).click();
      await waitFor('the placeholder on the host', () =>
        host.evaluate(() => {
          const grid = document.querySelector('alcove-session')!.shadowRoot!.querySelector('alcove-video-grid')!;
          const tile = grid.shadowRoot!.querySelector('alcove-video-tile[data-participant-id="guest-1"]')!;
          const ph = tile.shadowRoot!.querySelector('[part~=placeholder]') as HTMLElement;
          const video = tile.shadowRoot!.querySelector('video') as HTMLVideoElement;
          return getComputedStyle(ph).display !== 'none' && getComputedStyle(video).display === 'none';
        }),
      );
      expect(await hiddenButShown(host)).toEqual([]);
      expect(await audit(host)).toEqual([]);
      await compareShot(host, 'call-host');
      await host.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
      expect(await audit(host)).toEqual([]);
      await compareShot(host, 'call-host-dark');
      expect(await audit(guest)).toEqual([]);
      await compareShot(guest, 'call-phone');

      // 320 px wide, and 1280 × 720 at 200 % zoom (640 × 360 CSS px): nothing wider than the screen,
      // the remote picture first, every control reachable.
      for (const [width, height] of [
        [320, 640],
        [640, 360],
      ] as const) {
        await guest.setViewportSize({ width, height });
        const fit = await reach(guest);
        expect(fit.overflow, `${width} px: the page scrolls sideways`).toBeLessThanOrEqual(0);
        expect(fit.remoteFirst, `${width} px: the remote picture comes first`).toBe(true);
        expect(fit.outside, `${width} px: controls out of reach`).toEqual([]);
      }
      await guest.setViewportSize({ width: 390, height: 800 });

      // Quick exit (Shift+Escape): the guest leaves at once and every track stops.
      await guest.keyboard.press('Shift+Escape');
      await waitFor(
        'every captured track to stop',
        () => guest.evaluate(() => (window as unknown as { __tracks: MediaStreamTrack[] }).__tracks.map((t) => t.readyState)),
        (s) => s.length > 0 && s.every((x) => x === 'ended'),
      );
      // They stopped in the key press's own task (so well within 500 ms; `pnpm bench` measures it).
      const atKey = await guest.evaluate(() => (window as unknown as { __atExitKey?: string[] }).__atExitKey);
      expect(atKey?.length).toBeGreaterThan(0);
      expect(
        atKey?.every((x) => x === 'ended'),
        `track states when the key's dispatch ended: ${atKey}`,
      ).toBe(true);
      expect(await guest.evaluate(() => (window as unknown as { __exits: string[] }).__exits)).toEqual([`${call.site!.url}/exit.html`]);
      await waitFor(
        'the guest tile to go on the host',
        () => host.locator('alcove-video-tile[data-participant-id="guest-1"]').count(),
        (n) => n === 0,
      );
      expect(await guest.evaluate(() => document.title)).toBe('Video call');
      expect(await cspViolations(host)).toEqual([]);
      expect(await cspViolations(guest)).toEqual([]);
      expect(thirdPartyRequests(host)).toEqual([]);
      expect(thirdPartyRequests(guest)).toEqual([]);
    } finally {
      await call.closePages(host, guest);
    }
  }, 180_000);

  it("a client's dropped connection is shown on both sides; back again, their tile returns once, with no ghost", async () => {
    sid = call.server.registry.create({ waitingRoom: false }).id;
    const host = await open('/#host');
    const guest = await open('/#guest');
    try {
      for (const [page, pid, role, name] of [
        [host, 'host', 'host', 'Dr Rivera'],
        [guest, 'guest-3', 'client', 'Sam'],
      ] as const) {
        await give(page, await token(pid, role, name));
        await page.locator('alcove-session').getByRole('button', { name: 'Join call' }).click();
        await waitFor(
          `${name} in the call`,
          () => screen(page),
          (s) => s === 'call',
        );
      }
      /** Tiles by participant id in a page's grid, and whether any shows "reconnecting". */
      const tiles = (page: Page) =>
        page.evaluate(() => {
          const grid = document.querySelector('alcove-session')!.shadowRoot!.querySelector('alcove-video-grid')!;
          return Array.from(grid.shadowRoot!.querySelectorAll('alcove-video-tile')).map(
            (t) => `${(t as HTMLElement).dataset.participantId}${t.hasAttribute('reconnecting') ? ' reconnecting' : ''}`,
          );
        });
      // Every message each banner shows, as it shows it (a drop and a return can be quick).
      for (const page of [host, guest])
        await page.evaluate(() => {
          const w = window as unknown as { __banner: string[] };
          w.__banner = [];
          const b = document.querySelector('alcove-session')!.shadowRoot!.querySelector('alcove-connection-banner')!.shadowRoot!;
          const message = b.querySelector('[part~=message]')!;
          new MutationObserver(() => {
            const t = message.textContent ?? '';
            if (t && !(message.closest('[hidden]') as HTMLElement | null)) w.__banner.push(t);
          }).observe(b, { subtree: true, childList: true, characterData: true, attributes: true });
        });
      const banners = (page: Page) => page.evaluate(() => (window as unknown as { __banner: string[] }).__banner);
      await waitFor(
        'both tiles on the host',
        () => tiles(host),
        (t) => t.join() === 'guest-3,__self',
      );

      // The guest's (fake, beeping) microphone: the host sees them speaking, in words too.
      const speaking = (what: string) =>
        waitFor(
          what,
          () =>
            host.evaluate(() => {
              const grid = document.querySelector('alcove-session')!.shadowRoot!.querySelector('alcove-video-grid')!;
              const tile = grid.shadowRoot!.querySelector('alcove-video-tile[data-participant-id="guest-3"]');
              return tile?.hasAttribute('speaking') ? tile.getAttribute('aria-label') : null;
            }),
          (label) => !!label?.includes('Speaking'),
          { intervalMs: 50, timeoutMs: 30_000 },
        );
      await speaking("the guest's tile marked as speaking on the host");

      // The server loses the guest's connection, as a network drop would cut it.
      expect(call.server.faults!.dropConnection(sid, 'guest-3')).toBe(true);
      await waitFor(
        'the guest told it was reconnecting, then connected again',
        () => banners(guest),
        (b) => b.some((t) => t.startsWith('Connection lost. Reconnecting')) && b.at(-1) === 'Connected again',
        { timeoutMs: 30_000 },
      );
      await waitFor(
        'the host told the guest dropped, then is back',
        () => banners(host),
        (b) => {
          const dropped = b.indexOf('The connection of Sam dropped. Waiting for them to come back…');
          return dropped >= 0 && b.indexOf('Sam is back', dropped) > dropped;
        },
        { timeoutMs: 30_000 },
      );
      await waitFor(
        'the guest in the call again',
        () => guest.evaluate(() => document.querySelector('alcove-session')!.state),
        (s) => s === 'joined',
      );
      await waitFor(
        "the guest's tile back on the host, once, decoding",
        () =>
          host.evaluate(() => {
            const grid = document.querySelector('alcove-session')!.shadowRoot!.querySelector('alcove-video-grid')!;
            const v = grid
              .shadowRoot!.querySelector('alcove-video-tile[data-participant-id="guest-3"]:not([reconnecting])')
              ?.shadowRoot?.querySelector('video');
            return v && !v.hidden && v.videoWidth > 0 ? v.getVideoPlaybackQuality().totalVideoFrames : 0;
          }),
        (n) => n > 0,
        { timeoutMs: 30_000 },
      );
      expect(await tiles(host)).toEqual(['guest-3', '__self']);
      await waitFor(
        "the host's tile on the guest, once",
        () => tiles(guest),
        (t) => t.join() === 'host,__self',
      );
      expect(await hiddenButShown(host)).toEqual([]);
      await speaking("the guest's tile marked as speaking on the host again after the drop");

      // The server drops the guest's media transports: the guest publishes its microphone and camera
      // again, and the host's first consumes of them are refused as rate-limited (the server's
      // request limit, as after a reconnect's burst). Not in a recovery itself, the host retries
      // them: the guest's new microphone is heard, and shown speaking, again.
      /** The producer of the guest's microphone as the host receives it, and the host's refused consumes so far. */
      const guestMic = () =>
        host.evaluate(() => {
          const s = (document.querySelector('alcove-session') as unknown as { session: any }).session;
          const mic = (s.remoteTracks as { participantId: string; source: string; producerId: string }[]).find(
            (t) => t.participantId === 'guest-3' && t.source === 'mic',
          );
          return { producerId: mic?.producerId, retried: (s.diagnostics.swallowedErrors['media.consume'] as number | undefined) ?? 0 };
        });
      const before = await guestMic();
      expect(before.producerId).toBeTruthy();
      expect(call.server.faults!.refuseRequests(sid, 'host', 'media.consume', 'RATE_LIMITED', 2)).toBe(true);
      expect(call.server.faults!.dropTransports(sid, 'guest-3')).toBeGreaterThan(0);
      const after = await waitFor(
        "the guest's new microphone received by the host after its refused consumes were retried",
        guestMic,
        (m) => !!m.producerId && m.producerId !== before.producerId && m.retried >= before.retried + 2,
        { timeoutMs: 30_000 },
      );
      expect(after.retried).toBe(before.retried + 2);
      await speaking("the guest's tile marked as speaking on the host with the re-published microphone");

      // The host ends the call for everyone (asked first): the guest is told, and their tracks stop.
      await host.locator('alcove-session').getByRole('button', { name: 'End for all' }).click();
      await host.locator('alcove-session').getByRole('dialog').getByRole('button', { name: 'End for all' }).click();
      await waitFor(
        'the guest told the host ended the call',
        () => guest.locator('alcove-session [part~=ended] .body').textContent(),
        (t) => t === 'The host ended the call.',
      );
      await waitFor(
        "the guest's tracks to stop",
        () => guest.evaluate(() => (window as unknown as { __tracks: MediaStreamTrack[] }).__tracks.map((t) => t.readyState)),
        (t) => t.length > 0 && t.every((x) => x === 'ended'),
      );
      expect(await cspViolations(guest)).toEqual([]);
    } finally {
      await call.closePages(host, guest);
    }
  }, 180_000);

  it("the client's failed connection: the client sees the callback screen with Try again, the host is told", async () => {
    sid = call.server.registry.create({ waitingRoom: false }).id;
    const host = await open('/#host');
    const guest = await open('/#guest');
    try {
      await give(host, await token('host', 'host', 'Dr Rivera'));
      await host.locator('alcove-session').getByRole('button', { name: 'Join call' }).click();
      await waitFor(
        'the host in the call',
        () => screen(host),
        (s) => s === 'call',
      );
      await guest.evaluate(() => {
        const el = document.querySelector('alcove-session')!;
        el.fallback = { callbackNumber: '+1 555 0100' };
        el.sessionOptions = { reconnectPolicy: { nextRetryDelayMs: (c) => (c.attempt < 2 ? 1500 : null) } };
      });
      await give(guest, await token('guest-2', 'client', 'Sam'));
      await guest.locator('alcove-session').getByRole('button', { name: 'Join call' }).click();
      await waitFor(
        'the guest in the call',
        () => screen(guest),
        (s) => s === 'call',
      );
      // The network goes away for the guest.
      await guest.context().setOffline(true);
      await waitFor(
        'the guest callback screen',
        () => screen(guest),
        (s) => s === 'failed',
        { timeoutMs: 60_000 },
      );
      expect(await guest.locator('alcove-session [part~=failed]').textContent()).toContain('Your host will call you at +1 555 0100.');
      expect(await guest.locator('alcove-session').getByRole('button', { name: 'Try again' }).isVisible()).toBe(true);
      await guest.context().setOffline(false);
      expect(await audit(guest)).toEqual([]);
      await compareShot(guest, 'failed');
      expect(await cspViolations(guest)).toEqual([]);
      // The person closes the tab: the server's grace window runs out and the host is told.
      await call.closePages(guest);
      await waitFor(
        'the host told the connection failed',
        () => host.locator('alcove-session alcove-connection-banner [part~=message]').textContent(),
        (t) => !!t?.startsWith('The connection of Sam failed'),
        { timeoutMs: 30_000 },
      );
    } finally {
      await call.closePages(host, guest);
    }
  }, 180_000);
});
