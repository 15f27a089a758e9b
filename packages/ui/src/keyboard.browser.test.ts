import { createHash } from 'node:crypto';
import type { AlcoveServer } from '@alcove/server';
import { type CallFixture, waitFor } from '@alcove/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  audit,
  compareShot,
  cspViolations,
  give,
  hiddenButShown,
  open,
  screen,
  startUiCall,
  thirdPartyRequests,
  token,
} from './test/browser/ui-call.node.js';

// <alcove-session> by keyboard alone, in Chromium against the real server and SFU, on the
// strict-CSP page. Chromium has two fake cameras, three microphones and three speakers, so the
// devices a client picks can be told apart from the defaults: the call must use the ones chosen in
// the checklist and the waiting room, and its own menus must show them. Last, the self-view
// picture-in-picture on a wide, short screen stays inside the remote picture, by pointer and keys.

const CONSENT_TEXT = 'We meet by video. (keyboard test v1)';
const CONSENT = { version: 'v1', sha256: createHash('sha256').update(CONSENT_TEXT, 'utf8').digest('hex'), text: CONSENT_TEXT };
const STEPS = ['consent', 'location', 'emergency-plan', 'camera', 'microphone', 'speaker', 'network'];

let call: CallFixture<AlcoveServer>;
beforeAll(async () => {
  call = await startUiCall({ browserArgs: ['--use-fake-device-for-media-stream=device-count=2'] });
}, 120_000);
afterAll(() => call?.close());

/** What has focus, through every shadow root: tag, accessible name, whether focus is visibly drawn, the selected option of a select. */
interface Focused {
  tag: string;
  name: string;
  tabbable: boolean;
  ring: boolean;
  visible: boolean;
  option: string;
  options: string[];
}
const focused = (page: Page): Promise<Focused | null> =>
  page.evaluate(() => {
    let a: Element | null = document.activeElement;
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
    if (!a || a === document.body) return null;
    const el = a as HTMLElement & { labels?: NodeListOf<HTMLLabelElement> };
    const text = (n: Node): string =>
      Array.from(n.childNodes)
        .map((c) =>
          c.nodeType === Node.TEXT_NODE ? c.textContent : (c as Element).getAttribute?.('aria-hidden') === 'true' ? '' : text(c),
        )
        .join('');
    const name = (el.getAttribute('aria-label') ?? (el.labels?.[0] ? el.labels[0].textContent : text(el)) ?? '').trim();
    const cs = getComputedStyle(el);
    const ring = el.matches(':focus-visible') && cs.outlineStyle !== 'none' && Number.parseFloat(cs.outlineWidth) >= 2;
    const r = el.getBoundingClientRect();
    return {
      tag: el.tagName.toLowerCase(),
      name,
      tabbable: el.tabIndex >= 0,
      ring,
      visible: el.checkVisibility({ opacityProperty: false, visibilityProperty: true }) && r.width > 0 && r.height > 0,
      option: el instanceof HTMLSelectElement ? (el.selectedOptions[0]?.textContent ?? '') : '',
      options: el instanceof HTMLSelectElement ? Array.from(el.options).map((o) => o.textContent ?? '') : [],
    };
  });

/**
 * Presses Tab (or Shift+Tab) until the element named `name` has focus; every stop on the way must
 * be visible and show a focus ring.
 */
async function tabTo(page: Page, name: string, back = false, max = 40): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    if (!f) {
      seen.push('(page)');
      continue;
    }
    seen.push(`${f.tag} "${f.name}"`);
    expect(f.visible, `focus on a hidden element: ${f.tag} "${f.name}"`).toBe(true);
    if (f.tabbable) expect(f.ring, `no visible focus on ${f.tag} "${f.name}"`).toBe(true);
    if (f.name === name) return;
  }
  throw new Error(`"${name}" not reached with ${back ? 'Shift+Tab' : 'Tab'}; stops: ${seen.join(', ')}`);
}

/** On a focused select: arrow keys until the option `label` is selected (the select fires `change` each time). */
async function choose(page: Page, label: string): Promise<void> {
  // The menu lists the devices once the browser has answered.
  await waitFor(
    `the option "${label}" in the focused menu`,
    () => focused(page),
    (f) => !!f?.options.includes(label),
  );
  const seen: string[] = [];
  for (const key of ['ArrowDown', 'ArrowUp']) {
    for (let i = 0; i < 6; i++) {
      const at = (await focused(page))?.option ?? '';
      seen.push(at);
      if (at === label) return;
      await page.keyboard.press(key);
    }
  }
  throw new Error(`option "${label}" not reachable; seen: ${seen.join(', ')}`);
}

const stepTitle = (page: Page): Promise<string | null | undefined> =>
  page.evaluate(
    () =>
      document
        .querySelector('alcove-session')
        ?.shadowRoot?.querySelector('alcove-checklist')
        ?.shadowRoot?.querySelector('alcove-checklist-step')
        ?.shadowRoot?.querySelector('[part~=title]')?.textContent,
  );
const onStep = (page: Page, title: string): Promise<unknown> =>
  waitFor(
    `the step "${title}"`,
    () => stepTitle(page),
    (t) => t === title,
  );
const stepStatus = (page: Page): Promise<string | null> =>
  page.locator('alcove-session alcove-checklist-step [part~=status]').textContent();
/** Fills the field `label` by keyboard: Tab to it, type. */
async function fill(page: Page, label: string, value: string, back = false): Promise<void> {
  await tabTo(page, label, back);
  await page.keyboard.press('Control+A');
  await page.keyboard.type(value);
}
/** The devices' labels (the fake devices' names) and ids, in the page. */
const devices = (page: Page): Promise<{ kind: string; id: string; label: string }[]> =>
  page.evaluate(async () =>
    (await navigator.mediaDevices.enumerateDevices()).map((d) => ({ kind: d.kind, id: d.deviceId, label: d.label })),
  );
/** The selected option of each device menu in a part of the element (`waiting` or `devices`). */
const menuChoices = (page: Page, where: 'waiting' | 'devices'): Promise<string[]> =>
  page.evaluate((w) => {
    const root = document.querySelector('alcove-session')!.shadowRoot!;
    const holder = w === 'waiting' ? root.querySelector('alcove-waiting-room')!.shadowRoot! : root.querySelector('[part~=devices]')!;
    return Array.from(holder.querySelectorAll('alcove-device-menu')).map(
      (m) => m.shadowRoot!.querySelector('select')!.selectedOptions[0]?.textContent ?? '',
    );
  }, where);

describe('<alcove-session> by keyboard, with the devices the client chose', () => {
  it('a client goes through the checklist, waiting room and call with Tab, Shift+Tab, Enter, Space and Escape; the call uses the chosen devices', async () => {
    const sid = call.server.registry.create({
      waitingRoom: true,
      checklist: { steps: STEPS, requiredBeforeAdmission: true, consent: CONSENT },
    }).id;
    const host = await open(call, '/#host');
    const guest = await open(call, '/#guest#stay');
    try {
      await give(call, host, await token(sid, 'host', 'host', 'Dr Rivera'));
      await host.locator('alcove-session').getByRole('button', { name: 'Join call' }).click();
      await waitFor(
        'the host in the call',
        () => screen(host),
        (s) => s === 'call',
      );

      // Start: the heading has focus; Tab to "Join call", Enter.
      await give(call, guest, await token(sid, 'sam', 'client', 'Sam'));
      await tabTo(guest, 'Join call');
      await guest.keyboard.press('Enter');
      await waitFor(
        'the checklist',
        () => screen(guest),
        (s) => s === 'checklist',
      );

      // Agreement: the text (scrollable, focusable), the box (Space), Continue (Enter).
      await onStep(guest, 'Agreement');
      await tabTo(guest, 'Agreement');
      await tabTo(guest, 'I have read and accept the agreement');
      await guest.keyboard.press('Space');
      await tabTo(guest, 'Continue');
      await guest.keyboard.press('Enter');

      // Location: forwards through the form, then back with Shift+Tab to fix the street.
      await onStep(guest, 'Your location');
      await fill(guest, 'Street and number', '12 Wrong St');
      await fill(guest, 'City or town', 'Nashville');
      await fill(guest, 'State or region code (e.g. TN)', 'TN');
      await fill(guest, 'Country (two letters, e.g. US)', 'US');
      await fill(guest, 'Street and number', '12 Canary Row', true);
      await tabTo(guest, 'Continue');
      await guest.keyboard.press('Enter');

      // Plan if the call drops: the radio group keeps its default (the host calls back).
      await onStep(guest, 'If the call drops');
      await fill(guest, 'Your phone number', '615 555 0199');
      await fill(guest, 'Emergency contact: name', 'Lee');
      await fill(guest, 'Emergency contact: phone', '+1 615 555 0142');
      await tabTo(guest, 'Continue');
      await guest.keyboard.press('Enter');

      // Camera: the second camera, chosen with the arrow keys, then the check.
      const all = await devices(guest);
      const id = (kind: string, label: string) => all.find((d) => d.kind === kind && d.label === label)?.id;
      expect(id('videoinput', 'fake_device_1'), 'Chromium has a second fake camera').toBeTruthy();
      await onStep(guest, 'Camera');
      await tabTo(guest, 'Camera');
      await choose(guest, 'fake_device_1');
      await tabTo(guest, 'Start camera check');
      await guest.keyboard.press('Enter');
      await waitFor(
        'the camera check done',
        () => stepStatus(guest),
        (t) => !!t?.startsWith('Done'),
      );
      expect(await audit(guest)).toEqual([]);
      await compareShot(call, guest, 'checklist-camera');
      await tabTo(guest, 'Continue');
      await guest.keyboard.press('Enter');

      // Microphone: the last fake input.
      await onStep(guest, 'Microphone');
      await tabTo(guest, 'Microphone');
      await choose(guest, 'Fake Audio Input 2');
      await tabTo(guest, 'Start microphone check');
      await guest.keyboard.press('Enter');
      await waitFor(
        'the microphone check done',
        () => stepStatus(guest),
        (t) => !!t?.startsWith('Done'),
        { timeoutMs: 20_000 },
      );
      await tabTo(guest, 'Continue');
      await guest.keyboard.press('Enter');

      // Speaker: the last fake output, the tone, "I heard it" by Space.
      await onStep(guest, 'Speaker');
      await tabTo(guest, 'Speaker');
      await choose(guest, 'Fake Audio Output 2');
      await tabTo(guest, 'Play test sound');
      await guest.keyboard.press('Enter');
      await tabTo(guest, 'I heard it');
      await guest.keyboard.press('Space');
      await waitFor(
        'the speaker check done',
        () => stepStatus(guest),
        (t) => t === 'Done',
      );
      await tabTo(guest, 'Continue');
      await guest.keyboard.press('Enter');

      // Connection test, then Finish.
      await onStep(guest, 'Connection');
      await tabTo(guest, 'Test connection');
      await guest.keyboard.press('Enter');
      await waitFor(
        'the connection test result',
        () => guest.locator('alcove-session alcove-checklist-step [part~=result]').textContent(),
        (t) => !!t?.includes('Measured:'),
        { timeoutMs: 30_000 },
      );
      expect(await audit(guest)).toEqual([]);
      await tabTo(guest, 'Finish');
      await guest.keyboard.press('Enter');
      await waitFor(
        'the waiting room',
        () => screen(guest),
        (s) => s === 'waiting',
      );
      expect(await hiddenButShown(guest)).toEqual([]);

      // Waiting room: the checklist's choices are shown; the preview uses the chosen camera; the
      // microphone is changed here, by keyboard.
      await waitFor(
        "the waiting room's menus showing the checklist's choices",
        () => menuChoices(guest, 'waiting'),
        (m) => m.join('|') === 'fake_device_1|Fake Audio Input 2|Fake Audio Output 2',
      );
      await tabTo(guest, 'Preview camera');
      await guest.keyboard.press('Enter');
      await waitFor(
        'the preview from the chosen camera',
        () =>
          guest.evaluate(() => {
            const v = document
              .querySelector('alcove-session')!
              .shadowRoot!.querySelector('alcove-waiting-room')!
              .shadowRoot!.querySelector('video')!;
            return (v.srcObject as MediaStream | null)?.getVideoTracks()[0]?.label ?? '';
          }),
        (l) => l === 'fake_device_1',
      );
      await tabTo(guest, 'Microphone');
      await choose(guest, 'Fake Audio Input 1');
      expect(await audit(guest)).toEqual([]);

      // The host lets Sam in (by mouse: only the client is keyboard-only here).
      await host.locator('alcove-session').getByRole('button', { name: 'Let Sam in' }).click();
      await waitFor(
        'the client in the call',
        () => screen(guest),
        (s) => s === 'call',
      );

      // The call publishes the chosen camera and the microphone chosen last; remote audio plays on the chosen speaker.
      await waitFor(
        "the call's own camera and microphone",
        () =>
          guest.evaluate(() =>
            document
              .querySelector('alcove-session')!
              .session!.localTracks.filter((t) => t.source !== 'screen')
              .map((t) => `${t.kind}:${t.track?.label}`)
              .sort(),
          ),
        (t) => t.join('|') === 'audio:Fake Audio Input 1|video:fake_device_1',
      );
      const speaker = id('audiooutput', 'Fake Audio Output 2');
      await waitFor(
        "the host's voice on the chosen speaker",
        () =>
          guest.evaluate(() => {
            const grid = document.querySelector('alcove-session')!.shadowRoot!.querySelector('alcove-video-grid')!;
            return Array.from(grid.shadowRoot!.querySelectorAll('audio')).map((a) => a.sinkId);
          }),
        (s) => s.length > 0 && s.every((x) => x === speaker),
      );

      // The call's device menus (opened by keyboard) show the same devices; Escape closes the panel.
      await tabTo(guest, 'Devices');
      await guest.keyboard.press('Enter');
      await waitFor(
        "the call's menus showing the devices in use",
        () => menuChoices(guest, 'devices'),
        (m) => m.join('|') === 'fake_device_1|Fake Audio Input 1|Fake Audio Output 2',
      );
      await tabTo(guest, 'Camera');
      await guest.keyboard.press('Escape');
      await waitFor(
        'focus back on the Devices button',
        () => focused(guest),
        (f) => f?.name === 'Devices' && f.ring,
      );
      expect(await hiddenButShown(guest)).toEqual([]);

      // Microphone off by Space, camera off by Enter: the toggles say so.
      await tabTo(guest, 'Microphone', true);
      await guest.keyboard.press('Space');
      await tabTo(guest, 'Camera');
      await guest.keyboard.press('Enter');
      const pressed = (name: string) =>
        guest.locator('alcove-session').getByRole('button', { name, exact: true }).getAttribute('aria-pressed');
      await waitFor(
        'microphone and camera off',
        async () => [await pressed('Microphone'), await pressed('Camera')],
        ([m, c]) => m === 'false' && c === 'false',
      );

      // Chat: open, type, Enter sends, Escape closes and gives focus back to the Chat button.
      await tabTo(guest, 'Chat');
      await guest.keyboard.press('Enter');
      await waitFor(
        'focus in the message box',
        () => focused(guest),
        (f) => f?.tag === 'textarea',
      );
      await guest.keyboard.type('hello by keyboard');
      await guest.keyboard.press('Enter');
      await waitFor(
        'the host to get the message',
        () =>
          host.evaluate(() =>
            document.querySelector('alcove-session')!.shadowRoot!.querySelector('alcove-control-bar')!.getAttribute('unread'),
          ),
        (n) => n === '1',
      );
      await guest.keyboard.press('Escape');
      await waitFor(
        'focus back on the Chat button',
        () => focused(guest),
        (f) => f?.name === 'Chat',
      );

      // Leave: Enter asks; Escape keeps the call (focus back on Leave); Enter, Tab to Leave, Enter leaves.
      await tabTo(guest, 'Leave call');
      await guest.keyboard.press('Enter');
      await waitFor(
        'the confirmation with focus on Cancel',
        () => focused(guest),
        (f) => f?.name === 'Cancel',
      );
      await guest.keyboard.press('Escape');
      await waitFor(
        'focus back on Leave call',
        () => focused(guest),
        (f) => f?.name === 'Leave call',
      );
      expect(await screen(guest)).toBe('call');
      await guest.keyboard.press('Enter');
      await waitFor(
        'the confirmation',
        () => focused(guest),
        (f) => f?.name === 'Cancel',
      );
      await tabTo(guest, 'Leave');
      await guest.keyboard.press('Enter');
      await waitFor(
        'the end screen',
        () => screen(guest),
        (s) => s === 'ended',
      );
      await waitFor(
        'every captured track to stop',
        () => guest.evaluate(() => (window as unknown as { __tracks: MediaStreamTrack[] }).__tracks.map((t) => t.readyState)),
        (s) => s.length > 0 && s.every((x) => x === 'ended'),
      );
      expect(await hiddenButShown(guest)).toEqual([]);
      // A call that went well ends without an error line.
      expect(await guest.locator('alcove-session [part~=error]').isHidden()).toBe(true);
      expect(await audit(guest)).toEqual([]);
      await compareShot(call, guest, 'ended-dark', { dark: true });
      expect(await cspViolations(guest)).toEqual([]);
      expect(thirdPartyRequests(guest)).toEqual([]);
    } finally {
      await call.closePages(guest, host);
    }
  }, 180_000);

  it('the self-view picture-in-picture stays inside the remote picture on a wide screen, moved by keys and by pointer', async () => {
    const sid = call.server.registry.create({ waitingRoom: false }).id;
    const host = await open(call, '/#host');
    const guest = await open(call, '/#guest#stay');
    try {
      await host.setViewportSize({ width: 2400, height: 900 });
      for (const [page, pid, role, name] of [
        [host, 'host', 'host', 'Dr Rivera'],
        [guest, 'sam', 'client', 'Sam'],
      ] as const) {
        await give(call, page, await token(sid, pid, role, name));
        await page.locator('alcove-session').getByRole('button', { name: 'Join call' }).click();
        await waitFor(
          `${name} in the call`,
          () => screen(page),
          (s) => s === 'call',
        );
      }
      /** The remote tile's and the PiP's boxes, and the corner. */
      const boxes = () =>
        host.evaluate(() => {
          const grid = document.querySelector('alcove-session')!.shadowRoot!.querySelector('alcove-video-grid')!;
          const remote = grid.shadowRoot!.querySelector('alcove-video-tile:not([self])');
          const pip = grid.shadowRoot!.querySelector('alcove-video-tile[pip]');
          const box = (e: Element | null) => {
            const r = e?.getBoundingClientRect();
            return r ? { l: r.left, t: r.top, r: r.right, b: r.bottom } : null;
          };
          return { remote: box(remote), pip: box(pip), corner: grid.getAttribute('pip-corner') ?? 'br' };
        });
      const inside = (b: Awaited<ReturnType<typeof boxes>>): boolean =>
        !!b.remote && !!b.pip && b.pip.l >= b.remote.l && b.pip.r <= b.remote.r && b.pip.t >= b.remote.t && b.pip.b <= b.remote.b;
      const b0 = await waitFor('the one-to-one layout with a PiP', boxes, (b) => !!b.remote && !!b.pip);
      expect(b0.remote!.r - b0.remote!.l, 'on this screen the remote picture is narrower than the stage').toBeLessThan(2000);
      expect(inside(b0), JSON.stringify(b0)).toBe(true);

      // Keyboard: Tab to "Move your picture" (focus visible), Enter → next corner; arrows → that side.
      await tabTo(host, 'Move your picture');
      const corners: string[] = [];
      for (const key of ['Enter', 'ArrowUp', 'ArrowRight', 'ArrowDown', 'ArrowLeft']) {
        const before = (await boxes()).corner;
        await host.keyboard.press(key);
        const b = await waitFor(`the PiP to move (${key})`, boxes, (x) => x.corner !== before);
        expect(inside(b), `${key}: ${JSON.stringify(b)}`).toBe(true);
        corners.push(b.corner);
      }
      expect(corners).toEqual(['bl', 'tl', 'tr', 'br', 'bl']);

      // Pointer: drag it far past the top-right of the screen: it follows but stays inside, then snaps to that corner.
      const b1 = await boxes();
      await host.mouse.move((b1.pip!.l + b1.pip!.r) / 2, (b1.pip!.t + b1.pip!.b) / 2);
      await host.mouse.down();
      await host.mouse.move(2390, 5, { steps: 8 });
      const during = await boxes();
      expect(inside(during), `while dragging: ${JSON.stringify(during)}`).toBe(true);
      expect(during.pip!.r).toBeCloseTo(during.remote!.r, 0);
      await host.mouse.up();
      const after = await waitFor('the PiP in the top-right corner', boxes, (x) => x.corner === 'tr');
      expect(inside(after), JSON.stringify(after)).toBe(true);

      // The page takes the element away for good: the guest leaves and every track stops.
      await guest.evaluate(() => document.querySelector('alcove-session')!.remove());
      await waitFor(
        "every one of the guest's tracks to stop",
        () => guest.evaluate(() => (window as unknown as { __tracks: MediaStreamTrack[] }).__tracks.map((t) => t.readyState)),
        (t) => t.length > 0 && t.every((x) => x === 'ended'),
      );
      await waitFor(
        'the guest gone from the host',
        () => host.locator('alcove-video-tile[data-participant-id="sam"]').count(),
        (n) => n === 0,
      );
    } finally {
      await call.closePages(guest, host);
    }
  }, 180_000);
});
