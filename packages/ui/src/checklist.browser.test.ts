import { createHash } from 'node:crypto';
import type { AlcoveServer } from '@alcove/server';
import { type CallFixture, waitFor } from '@alcove/testing';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit, compareShot, cspViolations, give, hiddenButShown, open, screen, startUiCall, token } from './test/browser/ui-call.node.js';

// The pre-session checklist through <alcove-session> in Chromium, against the real server and SFU,
// on the strict-CSP page: a waiting client fills in every step (fake camera and microphone, the
// microphone and the test tone started by clicks, the network test through the SFU); the host sees
// the entrant's checklist in the waiting list, the emergency panel once they are in, and "call them
// at …" with the number the client gave when the client's call fails. A client outside the host's
// jurisdictions, with licensure `block`, is told so, and the host's admit is refused in plain words.

const CONSENT_TEXT = 'We meet by video. (test agreement v1)';
const CONSENT = { version: 'v1', sha256: createHash('sha256').update(CONSENT_TEXT, 'utf8').digest('hex'), text: CONSENT_TEXT };
const ALL_STEPS = ['consent', 'location', 'emergency-plan', 'environment', 'browser', 'camera', 'microphone', 'speaker', 'network'];
const ANSWERS = {
  street: '12 Canary Row Qx7',
  locality: 'Nashville',
  region: 'TN',
  contact: 'Lee Canary',
  contactPhone: '+1 615 555 0142',
  contactE164: '+16155550142',
  callback: '615 555 0199',
  callbackE164: '+16155550199',
};

/** What the client typed, as typed and as normalised: none may stay in the tab's storage once the session is over. */
const CANARIES = [ANSWERS.street, ANSWERS.contact, ANSWERS.contactPhone, ANSWERS.contactE164, ANSWERS.callback, ANSWERS.callbackE164];
/** The `sessionStorage` keys whose key or value holds one of `canaries` (every key scanned). */
const storedCanaries = (page: Page, canaries: readonly string[] = CANARIES): Promise<string[]> =>
  page.evaluate((cs) => {
    const hits: string[] = [];
    for (let i = 0; i < sessionStorage.length; i++) {
      const k = sessionStorage.key(i)!;
      const v = sessionStorage.getItem(k) ?? '';
      if (cs.some((c) => k.includes(c) || v.includes(c))) hits.push(k);
    }
    return hits;
  }, canaries);

let call: CallFixture<AlcoveServer>;
beforeAll(async () => {
  call = await startUiCall();
}, 120_000);
afterAll(() => call?.close());

/** The heading of the step shown (inside the checklist inside the element). */
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
/** The step's status line. */
const stepStatus = (el: Locator): Locator => el.locator('alcove-checklist-step [part~=status]');
const deepActive = (page: Page): Promise<string> =>
  page.evaluate(() => {
    let a: Element | null = document.activeElement;
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
    return a ? `${a.tagName.toLowerCase()}${a.id ? `#${a.id}` : ''}` : '';
  });

/** A host in the call, from the element's own "Join call". */
async function hostJoins(sid: string): Promise<Page> {
  const host = await open(call, '/#host');
  await give(call, host, await token(sid, 'host', 'host', 'Dr Rivera'));
  await host.locator('alcove-session').getByRole('button', { name: 'Join call' }).click();
  await waitFor(
    'the host in the call',
    () => screen(host),
    (s) => s === 'call',
  );
  return host;
}

/** A client who presses "Join call" and lands on the checklist (their reconnect policy gives up quickly). */
async function clientJoins(sid: string): Promise<Page> {
  const guest = await open(call, '/#guest#stay', { width: 390 });
  await guest.evaluate(() => {
    document.querySelector('alcove-session')!.sessionOptions = {
      reconnectPolicy: { nextRetryDelayMs: (c) => (c.attempt < 2 ? 1500 : null) },
    };
  });
  await give(call, guest, await token(sid, 'sam', 'client', 'Sam'));
  await guest.locator('alcove-session').getByRole('button', { name: 'Join call' }).click();
  await waitFor(
    'the checklist screen',
    () => screen(guest),
    (s) => s === 'checklist',
  );
  return guest;
}

describe('the pre-session checklist through <alcove-session>', () => {
  it('a waiting client completes every step; the host sees it, admits, has the emergency panel and the callback number when the call fails', async () => {
    const sid = call.server.registry.create({
      waitingRoom: true,
      jurisdictions: ['US-TN'],
      checklist: { steps: ALL_STEPS, requiredBeforeAdmission: true, consent: CONSENT, licensure: 'block' },
    }).id;
    const host = await hostJoins(sid);
    const guest = await clientJoins(sid);
    const g = guest.locator('alcove-session');
    const h = host.locator('alcove-session');
    try {
      // The host sees the entrant before anything is filled in: not admissible yet.
      const entry = h.locator('alcove-waiting-list [part~=entry]').filter({ hasText: 'Sam' });
      await entry.getByText('Can be let in once the checklist is done').waitFor();

      // Agreement, keyboard only: focus is on the step's heading; Tab to the text, Tab to the box,
      // Space, Tab to Continue, Enter.
      await onStep(guest, 'Agreement');
      expect(await g.locator('alcove-checklist [part~=progress]').textContent()).toBe('Step 1 of 9');
      expect(await g.locator('alcove-checklist-step .doc').textContent()).toBe(CONSENT_TEXT);
      expect(await audit(guest)).toEqual([]);
      await compareShot(call, guest, 'checklist-consent-phone');
      await guest.keyboard.press('Tab');
      await guest.keyboard.press('Tab');
      expect(await deepActive(guest)).toBe('input#accept');
      await guest.keyboard.press('Space');
      await guest.keyboard.press('Tab');
      expect(await guest.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.shadowRoot?.activeElement?.textContent)).toBe(
        'Continue',
      );
      await guest.keyboard.press('Enter');

      // Location.
      await onStep(guest, 'Your location');
      await g.getByLabel('Street and number').fill(ANSWERS.street);
      await g.getByLabel('City or town').fill(ANSWERS.locality);
      await g.getByLabel('State or region code').fill(ANSWERS.region);
      await g.getByLabel('Country').fill('US');
      await g.getByRole('button', { name: 'Continue' }).click();

      // Plan if the call drops: the numbers are shown as they will be used.
      await onStep(guest, 'If the call drops');
      await g.getByLabel('Your phone number').fill(ANSWERS.callback);
      await g.getByLabel('Emergency contact: name').fill(ANSWERS.contact);
      await g.getByLabel('Emergency contact: phone').fill(ANSWERS.contactPhone);
      expect(await g.locator('alcove-checklist-step #callbackPhone-hint').textContent()).toBe(`Will be used as ${ANSWERS.callbackE164}`);
      expect(await g.getByLabel('My host calls me on my phone number').isChecked()).toBe(true);
      expect(await audit(guest)).toEqual([]);
      await compareShot(call, guest, 'checklist-plan-phone-dark', { dark: true });
      await g.getByRole('button', { name: 'Continue' }).click();

      // Space and device.
      await onStep(guest, 'Your space');
      await g.getByLabel('I am in a private place where I can talk freely').check();
      await g.getByLabel('I am not on a public Wi-Fi network').check();
      await g.getByLabel('The device you are using').selectOption('computer');
      await g.getByLabel('How you are connected').selectOption('wifi');
      await g.getByRole('button', { name: 'Continue' }).click();

      // Browser: checked by itself.
      await onStep(guest, 'Browser');
      await g.getByText('This browser supports private calls.').waitFor();
      await g.getByRole('button', { name: 'Continue' }).click();

      // Camera: the preview plays once the check is started.
      await onStep(guest, 'Camera');
      await g.getByRole('button', { name: 'Start camera check' }).click();
      await waitFor(
        'the camera preview to play',
        () =>
          guest.evaluate(() => {
            const v = document
              .querySelector('alcove-session')!
              .shadowRoot!.querySelector('alcove-checklist')!
              .shadowRoot!.querySelector('alcove-checklist-step')!
              .shadowRoot!.querySelector('video');
            return v && !v.hidden ? v.videoWidth : 0;
          }),
        (w) => w > 0,
      );
      await waitFor(
        'the camera check done',
        () => stepStatus(g).textContent(),
        (t) => !!t?.startsWith('Done'),
      );
      await g.getByRole('button', { name: 'Continue' }).click();

      // Microphone (a click starts it: audio needs a gesture): the meter moves.
      await onStep(guest, 'Microphone');
      await g.getByRole('button', { name: 'Start microphone check' }).click();
      await waitFor(
        'the microphone check done with a level',
        async () =>
          [
            await stepStatus(g).textContent(),
            await g.locator('alcove-checklist-step meter').evaluate((m) => (m as HTMLMeterElement).value),
          ] as const,
        ([t, level]) => !!t?.startsWith('Done') && level > 0,
        { timeoutMs: 20_000 },
      );
      await g.getByRole('button', { name: 'Continue' }).click();

      // Speaker: the tone plays on a click; the person answers.
      await onStep(guest, 'Speaker');
      await g.getByRole('button', { name: 'Play test sound' }).click();
      await g.getByRole('button', { name: 'I heard it' }).click();
      await waitFor(
        'the speaker check done',
        () => stepStatus(g).textContent(),
        (t) => t === 'Done',
      );
      await g.getByRole('button', { name: 'Continue' }).click();

      // Connection test through the SFU, with its progress bar.
      await onStep(guest, 'Connection');
      await guest.evaluate(() => {
        const step = document
          .querySelector('alcove-session')!
          .shadowRoot!.querySelector('alcove-checklist')!
          .shadowRoot!.querySelector('alcove-checklist-step')!.shadowRoot!;
        const bar = step.querySelector('progress')!;
        const seen: number[] = [];
        (window as unknown as { __progress: number[] }).__progress = seen;
        new MutationObserver(() => {
          if (!bar.hidden) seen.push(bar.value);
        }).observe(bar, { attributes: true });
      });
      await g.getByRole('button', { name: 'Test connection' }).click();
      const result = await waitFor(
        'the connection test result',
        () => g.locator('alcove-checklist-step [part~=result]').textContent(),
        (t) => !!t?.includes('Measured:'),
        { timeoutMs: 30_000 },
      );
      expect(result).toMatch(/^Your connection is (good|fair|poor)\./);
      const progress = await guest.evaluate(() => (window as unknown as { __progress: number[] }).__progress);
      expect(
        progress.some((p) => p > 0 && p < 1),
        `progress ${progress.join(',')}`,
      ).toBe(true);
      expect(await stepStatus(g).textContent()).toMatch(/^Done/);
      await g.getByRole('button', { name: 'Finish' }).click();

      // Done: the waiting room.
      await waitFor(
        'the waiting room',
        () => screen(guest),
        (s) => s === 'waiting',
      );
      expect(await hiddenButShown(guest)).toEqual([]);
      // Kept in this tab while the session is on, so a reload in the waiting room resumes the answers.
      expect(await storedCanaries(guest)).toEqual(['alcove.checklist.progress.default']);

      // The host: the checklist in the waiting list, admissible, details once the sealed answers arrived.
      await entry.getByText('Checklist done').waitFor();
      await entry.getByText('Location: within your licensed area').waitFor();
      expect(await entry.textContent()).toContain('Connection: Done');
      await waitFor(
        'the host to be able to admit',
        () => entry.getByText('Can be let in once the checklist is done').count(),
        (n) => n === 0,
      );
      await entry.getByRole('button', { name: 'Details for Sam' }).waitFor();
      expect(await audit(host)).toEqual([]);
      await entry.getByRole('button', { name: 'Let Sam in' }).click();
      await waitFor(
        'the client in the call',
        () => screen(guest),
        (s) => s === 'call',
      );

      // The emergency panel, at hand in the call: location, contact, callback number with tel: links.
      const panel = h.locator('alcove-emergency-panel');
      await panel.getByText(ANSWERS.callbackE164, { exact: true }).waitFor();
      const text = await panel.evaluate((el) => el.shadowRoot!.textContent);
      expect(text).toContain(`${ANSWERS.street}, ${ANSWERS.locality}, US-TN, US (US-TN)`);
      expect(text).toContain(`${ANSWERS.contact} · ${ANSWERS.contactE164}`);
      expect(text).toContain('You call them at the callback number');
      expect(await panel.locator('a[part~=call]').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual([
        `tel:${ANSWERS.contactE164}`,
        `tel:${ANSWERS.callbackE164}`,
      ]);

      // The client's network goes: their own screen names the number they gave…
      await guest.context().setOffline(true);
      await waitFor(
        'the client callback screen',
        () => screen(guest),
        (s) => s === 'failed',
        { timeoutMs: 60_000 },
      );
      expect(await g.locator('[part~=failed]').textContent()).toContain(`Your host will call you at ${ANSWERS.callbackE164}.`);
      expect(await cspViolations(guest)).toEqual([]);
      // A failed call keeps the tab's copy (a reload to try again resumes it); leaving takes it away.
      expect(await storedCanaries(guest)).toEqual(['alcove.checklist.progress.default']);
      await guest.evaluate(() => document.querySelector('alcove-session')!.leave());
      expect(await storedCanaries(guest)).toEqual([]);
      // …and once their connection is gone for good, the host is told to call them at it.
      await call.closePages(guest);
      await waitFor(
        'the host told to call the client',
        () => h.locator('alcove-connection-banner [part~=message]').textContent(),
        (t) => t === `The connection of Sam failed — call them at ${ANSWERS.callbackE164}.`,
        { timeoutMs: 30_000 },
      );
      expect(await cspViolations(host)).toEqual([]);
    } finally {
      await call.closePages(guest, host);
    }
  }, 180_000);

  it('a client outside the jurisdictions (licensure block) is told so; the host is told why the admit is refused', async () => {
    const sid = call.server.registry.create({
      waitingRoom: true,
      jurisdictions: ['US-TN'],
      checklist: { steps: ['location', 'emergency-plan'], licensure: 'block' },
    }).id;
    const host = await hostJoins(sid);
    const guest = await clientJoins(sid);
    const g = guest.locator('alcove-session');
    const h = host.locator('alcove-session');
    const PEACH = '2 Peach St Canary Qz9';
    try {
      // Keyboard only: from the step's heading, Tab through the address fields, Enter on Continue.
      await onStep(guest, 'Your location');
      for (const value of [PEACH, 'Atlanta', 'GA', '', 'US']) {
        await guest.keyboard.press('Tab');
        if (value) await guest.keyboard.type(value);
      }
      await guest.keyboard.press('Tab');
      await guest.keyboard.press('Enter');
      await g.getByText('Your host cannot meet with you in this location.', { exact: false }).waitFor();
      expect(await stepStatus(g).textContent()).toBe('Not passed — This state or region is outside the area your host can meet you in.');
      expect(await stepTitle(guest)).toBe('Your location');
      expect(await audit(guest)).toEqual([]);

      const entry = h.locator('alcove-waiting-list [part~=entry]').filter({ hasText: 'Sam' });
      await entry.getByText('Location: outside your licensed area — cannot be let in').waitFor();
      await entry.getByText('Cannot be let in: the location is outside your licensed area').waitFor();
      await entry.getByRole('button', { name: 'Let Sam in' }).click();
      await entry.getByRole('alert').getByText('Sam cannot be let in: their location is outside your licensed area.').waitFor();
      expect(await screen(guest)).toBe('checklist');
      expect(await guest.evaluate(() => document.querySelector('alcove-session')!.state)).toBe('waiting');
      expect(await cspViolations(guest)).toEqual([]);
      expect(await cspViolations(host)).toEqual([]);

      // Quick exit (the page stays, #stay): the session is left and what the client typed leaves the tab.
      expect(await storedCanaries(guest, [PEACH])).toEqual(['alcove.checklist.progress.default']);
      await g.locator('[part~=header] [part~=quick-exit]').click();
      await waitFor(
        'the client out of the session',
        () => guest.evaluate(() => document.querySelector('alcove-session')!.state),
        (s) => s === 'ended',
      );
      expect(await storedCanaries(guest, [PEACH])).toEqual([]);
      expect(await guest.evaluate(() => (window as unknown as { __exits: string[] }).__exits)).toHaveLength(1);
    } finally {
      await call.closePages(guest, host);
    }
  }, 180_000);
});
