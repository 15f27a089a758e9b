import { createHash } from 'node:crypto';
import type { ChecklistPolicyInfo } from '@alcove/protocol';
import { Checklist } from '@alcove/core/checklist';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { defineAlcoveElements } from '../define.js';
import { fakeBinding, fakeChecklistPlatform } from '../test/fake-checklist.js';
import type { AlcoveChecklist } from './alcove-checklist.js';
import type { AlcoveChecklistStep } from './alcove-checklist-step.js';

// <alcove-checklist> and <alcove-checklist-step> driving the real Checklist of @alcove/core/checklist.

const CONSENT_TEXT = 'We meet online. (test agreement v2)';
const policy = (over: Partial<ChecklistPolicyInfo> = {}): ChecklistPolicyInfo => ({
  steps: [
    { id: 'consent', required: true, allowWarning: false },
    { id: 'location', required: true, allowWarning: false },
    { id: 'emergency-plan', required: true, allowWarning: false },
    { id: 'environment', required: true, allowWarning: true },
    { id: 'custom-recording', required: true, allowWarning: false, title: 'Recording', text: 'Nothing is recorded.' },
  ],
  requiredBeforeAdmission: true,
  consent: { version: 'v2', sha256: createHash('sha256').update(CONSENT_TEXT).digest('hex'), text: CONSENT_TEXT, rememberOnDevice: false },
  jurisdictions: ['US-TN'],
  licensure: 'block',
  shareJurisdiction: false,
  prefillLocation: false,
  ...over,
});

beforeAll(() => defineAlcoveElements());
afterEach(() => document.body.replaceChildren());

function mount(p: ChecklistPolicyInfo) {
  const platform = fakeChecklistPlatform();
  const checklist = new Checklist({ policy: p, platform, submitDebounceMs: 0 });
  const { binding, submitted, sealed } = fakeBinding(p);
  checklist.bind(binding);
  const el = document.createElement('alcove-checklist') as AlcoveChecklist;
  el.setAttribute('lang', 'en');
  document.body.append(el);
  el.checklist = checklist;
  const step = el.shadowRoot!.querySelector('alcove-checklist-step') as AlcoveChecklistStep;
  const $ = <T extends Element = HTMLElement>(sel: string) => step.shadowRoot!.querySelector(sel) as T;
  const input = (name: string) => $<HTMLInputElement>(`[name="${name}"]`);
  const type = (name: string, value: string) => {
    const i = input(name);
    i.value = value;
    i.dispatchEvent(new Event('input'));
  };
  const button = (text: string) =>
    [...el.shadowRoot!.querySelectorAll('button'), ...step.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent === text) as
      | HTMLButtonElement
      | undefined;
  const next = async () => {
    (el.shadowRoot!.querySelector('.primary') as HTMLButtonElement).click();
    await vi.waitFor(() => undefined);
    await new Promise((r) => setTimeout(r, 0));
  };
  const heading = () => $('[part~=title]').textContent;
  const errors: string[] = [];
  el.addEventListener('alcove-error', (e) => errors.push(e.code));
  return { el, step, checklist, submitted, sealed, platform, $, input, type, button, next, heading, errors };
}

describe('<alcove-checklist> with the real Checklist', () => {
  it('takes a client through every answer step, pointing at the field at fault, then finishes', async () => {
    const t = mount(policy());
    const done: Event[] = [];
    t.el.addEventListener('alcove-checklist-complete', (e) => done.push(e));
    expect(t.el.shadowRoot!.querySelector('[part~=progress]')!.textContent).toBe('Step 1 of 5');
    expect(t.heading()).toBe('Agreement');
    expect(t.$('.doc').textContent).toBe(CONSENT_TEXT);

    // Consent: Continue without ticking the box says so at the box, which takes focus.
    await t.next();
    expect(t.$('#accept-error').textContent).toBe('Please read and accept the document to continue.');
    expect(t.step.shadowRoot!.activeElement).toBe(t.input('accept'));
    t.input('accept').checked = true;
    await t.next();
    expect(t.checklist.consent!.acknowledged).toBe(true);
    expect(t.heading()).toBe('Your location');
    expect(t.step.shadowRoot!.activeElement).toBe(t.$('[part~=title]'));

    // Location: a bad region is refused at its field; outside the jurisdictions the block is explained.
    for (const [k, v] of Object.entries({ street: '1 Main St', locality: 'Atlanta', region: 'G@', country: 'US' })) t.type(k, v);
    await t.next();
    expect(t.input('region').getAttribute('aria-invalid')).toBe('true');
    expect(t.$('#region-error').textContent).toBe('Please check this answer.');
    t.type('region', 'GA');
    await t.next();
    expect(t.heading()).toBe('Your location');
    expect(t.$('.licensure').textContent).toMatch(/^Your host cannot meet with you in this location\./);
    expect(t.$('[part~=status]').textContent).toBe('Not passed — This state or region is outside the area your host can meet you in.');
    t.type('region', 'TN');
    t.type('locality', 'Nashville');
    await t.next();
    expect(t.checklist.location!.status).toBe('passed');

    // Plan: numbers are shown as they will be used; a bad one is refused at its field.
    expect(t.heading()).toBe('If the call drops');
    t.type('callbackPhone', '615 555 0199');
    expect(t.$('#callbackPhone-hint').textContent).toBe('Will be used as +16155550199');
    t.type('contactName', 'Lee');
    t.type('contactPhone', '12');
    await t.next();
    expect(t.input('contactPhone').getAttribute('aria-invalid')).toBe('true');
    expect(t.$('#contactPhone-error').textContent).toBe('This phone number is too short. Include the country code.');
    t.type('contactPhone', '+1 615 555 0100');
    t.$<HTMLInputElement>('#plan-client-rejoins').checked = true;
    await t.next();
    expect(t.checklist.emergencyPlan!.answer).toMatchObject({ plan: 'client-rejoins', callbackPhone: { e164: '+16155550199' } });

    // Environment: device and connection type are asked (none detected here).
    expect(t.heading()).toBe('Your space');
    t.input('privateSpace').checked = true;
    await t.next();
    expect(t.$('#deviceType-error').hidden).toBe(false);
    t.$<HTMLSelectElement>('#deviceType').value = 'computer';
    t.$<HTMLSelectElement>('#connectionType').value = 'wifi';
    await t.next();
    expect(t.checklist.environment!.status).toBe('warning'); // the network was not said to be private
    expect(t.checklist.environment!.reason).toBe('NOT_PRIVATE_NETWORK');

    // Custom step, then Finish: the answers were handed to the session to seal.
    expect(t.heading()).toBe('Recording');
    expect(t.$('.doc').textContent).toBe('Nothing is recorded.');
    t.input('ack').checked = true;
    expect(t.button('Finish')).toBeDefined();
    await t.next();
    await vi.waitFor(() => expect(done).toHaveLength(1));
    expect(t.el.finished).toBe(true);
    expect(t.el.shadowRoot!.querySelector('[part~=done]')!.textContent).toBe('All set. Your host can let you in now.');
    await vi.waitFor(() => expect(t.sealed.at(-1)?.emergency?.callbackPhone.e164).toBe('+16155550199'));
    expect(t.submitted.at(-1)?.status.complete).toBe(true);
    expect(t.errors).toContain('CONSENT_REQUIRED');
  });

  it('goes back to a required step left undone when Finish is pressed, and says why', async () => {
    const t = mount(
      policy({
        steps: [
          { id: 'environment', required: true, allowWarning: true },
          { id: 'browser', required: false, allowWarning: true },
        ],
      }),
    );
    // Continue refuses without answers.
    await t.next();
    expect(t.heading()).toBe('Your space');
    t.$<HTMLSelectElement>('#deviceType').value = 'phone';
    t.$<HTMLSelectElement>('#connectionType').value = 'cellular';
    t.input('privateSpace').checked = true;
    t.input('privateNetwork').checked = true;
    await t.next();
    expect(t.heading()).toBe('Browser');
    await vi.waitFor(() => expect(t.$('[part~=result]').textContent).toBe('This browser supports private calls.'));
    t.checklist.environment!.reset();
    await t.next();
    expect(t.heading()).toBe('Your space');
    expect(t.el.shadowRoot!.querySelector('[part~=notice]')!.textContent).toBe('This step is needed before you can finish.');
  });
});

describe('<alcove-checklist-step> device checks', () => {
  const devices = (): ChecklistPolicyInfo =>
    policy({
      steps: [
        { id: 'camera', required: true, allowWarning: true },
        { id: 'microphone', required: true, allowWarning: true },
        { id: 'speaker', required: true, allowWarning: true },
      ],
    });

  it('runs on a press, shows the preview and level, asks about the tone, and lets go of each device on leaving its step', async () => {
    const t = mount(devices());
    expect(t.heading()).toBe('Camera');
    // Not run yet: Continue says so and goes to the button.
    await t.next();
    expect(t.$('[part~=status]').textContent).toBe('Run this check to continue.');
    expect(t.step.shadowRoot!.activeElement).toBe(t.$('[part~=action]'));
    t.$<HTMLButtonElement>('[part~=action]').click();
    await vi.waitFor(() => expect(t.checklist.camera!.status).toBe('passed'));
    const video = t.$<HTMLVideoElement>('[part~=preview]');
    expect(video.hidden).toBe(false);
    const camera = t.platform.opened[0]!;
    expect(camera.readyState).toBe('live');
    await t.next();
    expect(camera.readyState).toBe('ended');

    // Microphone: the meter follows the level events; leaving stops the microphone.
    expect(t.heading()).toBe('Microphone');
    t.platform.amplitude = 0.2;
    t.$<HTMLButtonElement>('[part~=action]').click();
    await vi.waitFor(() => expect(t.checklist.microphone!.status).toBe('passed'));
    await vi.waitFor(() => expect(t.$<HTMLMeterElement>('[part~=meter]').value).toBeGreaterThan(0));
    const mic = t.platform.opened[1]!;
    await t.next();
    expect(mic.readyState).toBe('ended');

    // Speaker: the answer buttons appear once the tone played.
    expect(t.heading()).toBe('Speaker');
    expect(t.$('.heard').hidden).toBe(true);
    t.$<HTMLButtonElement>('[part~=action]').click();
    await vi.waitFor(() => expect(t.$('.heard').hidden).toBe(false));
    await t.next();
    expect(t.$('[part~=status]').textContent).toBe('Did you hear the sound?');
    t.button('I did not hear it')!.click();
    expect(t.$('[part~=status]').textContent).toBe('Not passed — Turn the volume up or choose another speaker, then play the sound again.');
    t.button('I heard it')!.click();
    expect(t.checklist.speaker!.status).toBe('passed');
    // Answered while the tone still plays: finishing stops the tone and keeps the answer.
    expect(t.checklist.speaker!.busy).toBe(true);
    await t.next();
    expect(t.el.finished).toBe(true);
    expect(t.checklist.speaker!.status).toBe('passed');
    expect(t.checklist.speaker!.playing).toBe(false);
  });

  it('resets a microphone check still listening when the person leaves the step', async () => {
    const t = mount(devices());
    t.$<HTMLButtonElement>('[part~=action]').click();
    await vi.waitFor(() => expect(t.checklist.camera!.status).toBe('passed'));
    await t.next();
    t.$<HTMLButtonElement>('[part~=action]').click(); // silence: the check keeps listening
    await vi.waitFor(() => expect(t.checklist.microphone!.busy).toBe(true));
    (t.el.shadowRoot!.querySelector('[part~=nav] button') as HTMLButtonElement).click(); // Back
    expect(t.heading()).toBe('Camera');
    await vi.waitFor(() => expect(t.checklist.microphone!.status).toBe('idle'));
    expect(t.checklist.microphone!.busy).toBe(false);
    await vi.waitFor(() =>
      expect(t.platform.opened.map((track) => `${track.kind} ${track.readyState}`)).toEqual(['video ended', 'audio ended']),
    );
    expect(t.checklist.microphone!.metering).toBe(false);
  });
});
