import { Checklist } from '@alcove/core/checklist';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { defineAlcoveElements } from '../define.js';
import { type FakeStore, fakeChecklistPlatform } from '../test/fake-checklist.js';
import { FakeSession, tick } from '../test/fake-session.js';
import type { AlcoveSession, SessionLike } from './alcove-session.js';

let fake: FakeSession;
let options: Record<string, unknown> | undefined;

function mount(lang = 'en'): AlcoveSession {
  const el = document.createElement('alcove-session');
  el.setAttribute('lang', lang);
  el.serverUrl = 'ws://127.0.0.1:1/ws';
  fake = new FakeSession();
  el.sessionFactory = (o) => {
    options = o as unknown as Record<string, unknown>;
    return fake as unknown as SessionLike;
  };
  document.body.append(el);
  return el;
}
const sr = (el: Element) => el.shadowRoot!;
const q = <T extends Element = HTMLElement>(el: Element, sel: string) => sr(el).querySelector(sel) as T;
const status = (el: Element) => q(el, '[part~="status"]').textContent;
const announced = (el: Element) => q(el, '.sr-only').textContent;
const inner = (host: Element, sel: string) => host.shadowRoot!.querySelector(sel) as HTMLElement;

beforeAll(() => defineAlcoveElements());
afterEach(() => {
  document.body.replaceChildren();
  options = undefined;
});

describe('defineAlcoveElements', () => {
  it('registers every tag once and can be called again', () => {
    defineAlcoveElements();
    for (const tag of [
      'alcove-session',
      'alcove-video-tile',
      'alcove-video-grid',
      'alcove-control-bar',
      'alcove-chat-panel',
      'alcove-checklist',
    ]) {
      expect(customElements.get(tag)).toBeDefined();
    }
  });
});

describe('<alcove-session>', () => {
  it('needs a token and a server URL, and never puts the token in the DOM', async () => {
    const el = mount();
    await expect(el.join()).rejects.toThrow(TypeError);
    el.removeAttribute('server-url');
    await expect(el.join('tok')).rejects.toThrow(/server-url/);
    el.serverUrl = 'ws://127.0.0.1:1/ws';
    el.token = 'SECRET-TOKEN-CANARY';
    expect(el.getAttribute('screen')).toBe('start');
    await el.join();
    expect(options).toMatchObject({ serverUrl: 'ws://127.0.0.1:1/ws', token: 'SECRET-TOKEN-CANARY' });
    expect(el.token).toBeUndefined();
    expect(el.outerHTML).not.toContain('SECRET-TOKEN-CANARY');
    expect(sr(el).innerHTML).not.toContain('SECRET-TOKEN-CANARY');
  });

  it('creates the E2EE worker from the configured URL and observes the reconnect policy', async () => {
    const el = mount();
    el.e2eeWorkerUrl = '/e2ee-worker.js';
    await el.join('tok');
    expect(typeof options!.e2eeWorker).toBe('function');
    expect(typeof (options!.reconnectPolicy as { nextRetryDelayMs: unknown }).nextRetryDelayMs).toBe('function');
  });

  it('creates the session with the chat and checklist plug-ins (the chat panel needs chat)', async () => {
    const el = mount();
    await el.join('tok');
    expect(typeof (options!.chat as { createBinding: unknown }).createBinding).toBe('function');
    expect(typeof (options!.checklist as { createBinding: unknown }).createBinding).toBe('function');
  });

  it('announces state in a polite live region, reflects state and screen, in English and Spanish', async () => {
    const el = mount();
    const states: string[] = [];
    const screens: string[] = [];
    el.addEventListener('alcove-state-change', (e) => states.push(e.to));
    el.addEventListener('alcove-screen-change', (e) => screens.push(e.screen));
    await el.join('tok');
    expect(status(el)).toBe('Connecting…');
    const region = q(el, '[part~="status"]');
    expect(region.getAttribute('role')).toBe('status');
    expect(region.getAttribute('aria-live')).toBe('polite');
    fake.move('waiting');
    expect(status(el)).toBe('Waiting to be let in');
    expect(el.getAttribute('state')).toBe('waiting');
    expect(el.getAttribute('screen')).toBe('waiting');
    expect(q(el, '[part~="waiting"]').hidden).toBe(false);
    fake.move('joined');
    expect(el.getAttribute('screen')).toBe('call');
    fake.move('reconnecting');
    expect(status(el)).toBe('Connection lost. Reconnecting…');
    expect(states).toEqual(['connecting', 'waiting', 'joined', 'reconnecting']);
    expect(screens).toEqual(['start', 'waiting', 'call']);

    const es = mount('es');
    await es.join('tok');
    fake.move('waiting');
    expect(status(es)).toBe('Esperando para entrar');
  });

  it('hides the controls before joining and after leaving (the hidden attribute wins)', async () => {
    const el = mount();
    const call = q(el, '[part~="call"]');
    expect(call.hidden).toBe(true);
    await el.join('tok');
    fake.move('waiting');
    expect(call.hidden).toBe(true);
    fake.move('joined');
    expect(call.hidden).toBe(false);
    await el.leave();
    expect(call.hidden).toBe(true);
    expect(q(el, '[part~="ended"]').hidden).toBe(false);
    // No tiles remain after leaving.
    expect(inner(q(el, 'alcove-video-grid'), '[part~=base]').children).toHaveLength(0);
  });

  it('moves focus to the new screen heading', async () => {
    const el = mount();
    await el.join('tok');
    fake.move('waiting');
    expect(el.shadowRoot!.activeElement).toBe(q(el, 'alcove-waiting-room'));
    await el.leave();
    expect(el.shadowRoot!.activeElement?.textContent).toBe('The call has ended');
  });

  it('shows participants with their names as text only, and removes tiles of those who leave', async () => {
    const el = mount();
    await el.join('tok');
    fake.move('joined');
    const evil = '<img src=x onerror="window.pwned=1">';
    const p = fake.addPeer({ id: 'p2', displayName: evil, role: 'host' });
    const grid = q(el, 'alcove-video-grid');
    const tile = grid.shadowRoot!.querySelector('alcove-video-tile[data-participant-id="p2"]')!;
    expect(tile.shadowRoot!.querySelector('[part~="name"]')!.textContent).toBe(evil);
    expect(tile.shadowRoot!.querySelector('img')).toBeNull();
    expect(announced(el)).toBe(`${evil} joined`);
    p.connection = 'reconnecting';
    fake.emit('participantUpdated', p);
    expect(tile.hasAttribute('reconnecting')).toBe(true);
    expect(tile.getAttribute('aria-label')).toContain('Reconnecting…');
    fake.removePeer('p2', 'left');
    expect(grid.shadowRoot!.querySelector('alcove-video-tile[data-participant-id="p2"]')).toBeNull();
  });

  it('gives the host the waiting list, whose buttons admit and deny unless the page cancels', async () => {
    const el = mount();
    await el.join('tok');
    fake.role = 'host';
    fake.move('joined');
    fake.waiting = [
      {
        id: 'c1',
        role: 'client',
        displayName: 'Sam',
        since: 1,
        checklist: { steps: { consent: 'passed' }, complete: true },
        admissible: true,
        licensure: 'pass',
      },
      { id: 'c2', role: 'client', displayName: 'Ana', since: 2, admissible: false },
    ];
    fake.emit('waitingRoomChanged', fake.waiting);
    expect(announced(el)).toBe('Ana is waiting to join');
    const host = q(el, 'alcove-host-panel');
    expect(host.hidden).toBe(false);
    const list = inner(host, 'alcove-waiting-list');
    const entries = list.shadowRoot!.querySelectorAll('[part~="entry"]');
    expect(entries).toHaveLength(2);
    expect(entries[0]!.textContent).toContain('Checklist done');
    expect(entries[0]!.textContent).toContain('Location: within your licensed area');
    expect(entries[1]!.textContent).toContain('Can be let in once the checklist is done');
    // Not admissible yet: the button says why (and stays usable: the server decides).
    const admitAna = entries[1]!.querySelector('button.admit') as HTMLButtonElement;
    expect(admitAna.disabled).toBe(false);
    expect(list.shadowRoot!.getElementById(admitAna.getAttribute('aria-describedby')!)!.textContent).toBe(
      'Can be let in once the checklist is done',
    );
    (entries[0]!.querySelector('button.admit') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(fake.calls).toContainEqual(['admit', 'c1']));
    // The server refuses: said plainly on the entry, and as alcove-error.
    const errors: string[] = [];
    el.addEventListener('alcove-error', (e) => errors.push(e.code));
    fake.failNext = 'CHECKLIST_INCOMPLETE';
    admitAna.click();
    await vi.waitFor(() => expect(errors).toEqual(['CHECKLIST_INCOMPLETE']));
    const refusal = entries[1]!.querySelector('.refusal') as HTMLElement;
    expect(refusal.hidden).toBe(false);
    expect(refusal.textContent).toBe('Ana cannot be let in until their checklist is done.');
    expect(refusal.getAttribute('role')).toBe('alert');
    fake.waiting = [{ ...(fake.waiting[1] as object), licensure: 'block' }];
    fake.emit('waitingRoomChanged', fake.waiting);
    expect(entries[1]!.textContent).toContain('Cannot be let in: the location is outside your licensed area');
    fake.failNext = 'LICENSURE_BLOCKED';
    admitAna.click();
    await vi.waitFor(() => expect(refusal.textContent).toBe('Ana cannot be let in: their location is outside your licensed area.'));
    expect(sr(el).innerHTML).not.toContain('CANARY');
    el.addEventListener('alcove-admission-request', (e) => e.preventDefault(), { once: true });
    (entries[1]!.querySelector('button.deny') as HTMLButtonElement).click();
    await tick();
    expect(fake.calls.some(([c]) => c === 'deny')).toBe(false);
  });

  it('shows no host panel or end-for-all to a client', async () => {
    const el = mount();
    await el.join('tok');
    fake.move('joined');
    expect(q(el, 'alcove-host-panel').hidden).toBe(true);
    expect(inner(q(el, 'alcove-control-bar'), 'button.end-all').hidden).toBe(true);
  });

  it('asks the page, then the person, before leaving', async () => {
    const el = mount();
    await el.join('tok');
    fake.move('joined');
    const bar = q(el, 'alcove-control-bar');
    const leave = inner(bar, 'button.leave') as HTMLButtonElement;
    expect(leave.textContent).toBe('Leave call');
    el.addEventListener('alcove-leave-request', (e) => e.preventDefault(), { once: true });
    leave.click();
    expect(bar.shadowRoot!.querySelector('dialog')).toBeNull();
    leave.click();
    const dialog = bar.shadowRoot!.querySelector('dialog')!;
    expect(dialog.textContent).toContain('Leave the call?');
    // Focus goes to the safe choice.
    expect(bar.shadowRoot!.activeElement).toBe(dialog.querySelector('button.no'));
    (dialog.querySelector('button.no') as HTMLButtonElement).click();
    await tick();
    expect(fake.calls.some(([c]) => c === 'leave')).toBe(false);
    leave.click();
    (bar.shadowRoot!.querySelector('dialog button.yes') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(fake.calls).toContainEqual(['leave']));
    expect(status(el)).toBe('The call has ended');
  });

  it('quick exit leaves at once and navigates unless cancelled (button and Shift+Escape)', async () => {
    const el = mount();
    el.quickExitUrl = 'https://weather.example/';
    await el.join('tok');
    fake.move('waiting');
    const urls: string[] = [];
    el.addEventListener('alcove-quick-exit', (e) => {
      urls.push(e.url);
      e.preventDefault();
    });
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', shiftKey: true, bubbles: true }));
    expect(fake.calls).toContainEqual(['leave']);
    expect(urls).toEqual(['https://weather.example/']);
    const el2 = mount();
    el2.quickExitUrl = 'javascript:alert(1)';
    await el2.join('tok');
    fake.move('joined');
    el2.addEventListener('alcove-quick-exit', (e) => {
      urls.push(e.url);
      e.preventDefault();
    });
    (inner(q(el2, 'alcove-control-bar'), 'button.quick-exit') as HTMLButtonElement).click();
    expect(urls[1]).toBe('about:blank');
  });

  it('toggles microphone and camera with stable labels and aria-pressed', async () => {
    const el = mount();
    await el.join('tok');
    fake.localTracks = [
      { kind: 'audio', source: 'mic', muted: false, track: {} },
      { kind: 'video', source: 'cam', muted: false, track: {} },
    ];
    fake.move('joined');
    const bar = q(el, 'alcove-control-bar');
    const mic = inner(bar, 'button.mic') as HTMLButtonElement;
    const cam = inner(bar, 'button.cam') as HTMLButtonElement;
    expect(mic.querySelector('.label')!.textContent).toBe('Microphone');
    expect(mic.getAttribute('aria-pressed')).toBe('true');
    mic.focus();
    mic.click();
    await vi.waitFor(() => expect(fake.calls).toContainEqual(['mic', false]));
    fake.localTracks[0]!.muted = true;
    fake.emit('localTrackChanged', fake.localTracks[0]);
    expect(mic.getAttribute('aria-pressed')).toBe('false');
    expect(mic.querySelector('.label')!.textContent).toBe('Microphone');
    expect(bar.shadowRoot!.activeElement).toBe(mic);
    cam.click();
    await vi.waitFor(() => expect(fake.calls).toContainEqual(['cam', false]));
  });

  it('shows the agreed callback number and Try again when the call cannot be restored', async () => {
    const el = mount();
    el.setAttribute('host-name', 'Dr Rivera');
    const errors: string[] = [];
    el.addEventListener('alcove-error', (e) => errors.push(e.code));
    await el.join('tok');
    fake.move('joined');
    fake.move('reconnecting');
    fake.move('failed');
    fake.emit('failed', { error: { code: 'RECONNECT_FAILED' }, fallback: { callbackNumber: '+1 555 0100' } });
    const panel = q(el, '[part~="failed"]');
    expect(panel.hidden).toBe(false);
    expect(panel.textContent).toContain('Dr Rivera will call you at +1 555 0100.');
    expect(errors).toEqual(['RECONNECT_FAILED']);
    // Said once, by the failed screen, not again in the error line above it.
    expect(q(el, '[part~=error]').hidden).toBe(true);
    let tokens = 0;
    el.getToken = async () => `fresh-${++tokens}`;
    (panel.querySelector('button.retry') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(options!.token).toBe('fresh-1'));
  });

  it('without a fallback in the failed event, shows the plan the client agreed in the checklist', async () => {
    const el = mount();
    await el.join('tok');
    const answer = { callbackPhone: { entered: '615 555 0199', e164: '+16155550199' }, plan: 'therapist-calls' };
    fake.checklist = { emergencyPlan: { answer } };
    fake.move('joined');
    fake.move('failed');
    fake.emit('failed', { error: { code: 'RECONNECT_FAILED' } });
    const panel = q(el, '[part~="failed"]');
    expect(panel.querySelector('.callback')!.textContent).toBe('Your host will call you at +16155550199.');
    // The client chose to rejoin instead: no promise of a call.
    answer.plan = 'client-rejoins';
    await el.join('tok2');
    fake.checklist = { emergencyPlan: { answer } };
    fake.move('failed');
    fake.emit('failed', { error: { code: 'RECONNECT_FAILED' } });
    expect(q(el, '[part~="failed"]').querySelector('.callback')!.textContent).toBe('As agreed, join again: press Try again.');
  });

  it("shows the host's name and credentials line in the waiting room, as text, and that devices can be tested", async () => {
    const el = mount();
    el.setAttribute('host-name', 'Dr <b>Rivera</b>');
    el.setAttribute('host-credentials', 'Licensed in TN');
    await el.join('tok');
    fake.move('waiting');
    const room = q(el, 'alcove-waiting-room');
    expect(room.hidden).toBe(false);
    const text = room.shadowRoot!.textContent!;
    expect(text).toContain('Dr <b>Rivera</b> will let you in shortly.');
    expect(room.shadowRoot!.querySelector('[part~=credentials]')!.textContent).toBe('Dr <b>Rivera</b> · Licensed in TN');
    expect(room.shadowRoot!.querySelector('b')).toBeNull();
    expect(text).toContain('You can test your camera, microphone and speaker while you wait.');
    expect(room.shadowRoot!.querySelectorAll('alcove-device-menu')).toHaveLength(3);
  });

  it("shows the session's host name and credentials line (from the host's token) while waiting, with the attributes as an override", async () => {
    const el = mount();
    fake.hosts = [{ participantId: 'h1', displayName: 'Dr <i>Okafor</i>', credentials: 'Licensed <img src=x onerror=alert(1)> MFT' }];
    await el.join('tok');
    fake.move('waiting');
    const room = q(el, 'alcove-waiting-room');
    const creds = () => room.shadowRoot!.querySelector<HTMLElement>('[part~=credentials]')!;
    expect(room.shadowRoot!.textContent).toContain('Dr <i>Okafor</i> will let you in shortly.');
    expect(creds().textContent).toBe('Dr <i>Okafor</i> · Licensed <img src=x onerror=alert(1)> MFT');
    expect(creds().hidden).toBe(false);
    expect(room.shadowRoot!.querySelector('i, img')).toBeNull();
    // A host leaves and another arrives (session.hosts → hostsChanged): the text follows.
    fake.hosts = [];
    fake.emit('hostsChanged', fake.hosts);
    expect(room.shadowRoot!.textContent).toContain('Your host will let you in shortly.');
    expect(creds().hidden).toBe(true);
    fake.hosts = [{ participantId: 'h2', displayName: 'Sam Lee' }];
    fake.emit('hostsChanged', fake.hosts);
    expect(room.shadowRoot!.textContent).toContain('Sam Lee will let you in shortly.');
    expect(creds().hidden).toBe(true);
    // The page's attributes win, each on its own.
    el.setAttribute('host-credentials', 'Licensed in TN');
    await tick();
    expect(creds().textContent).toBe('Sam Lee · Licensed in TN');
    el.setAttribute('host-name', 'Dr Rivera');
    await tick();
    expect(room.shadowRoot!.textContent).toContain('Dr Rivera will let you in shortly.');
    expect(creds().textContent).toBe('Dr Rivera · Licensed in TN');
  });

  it('lists every host in the waiting room: the first prominent, the others under it with their credentials lines, tidy beyond four', async () => {
    const el = mount('es');
    fake.hosts = [
      { participantId: 'h1', displayName: 'Dr Rivera', credentials: 'Licensed clinical psychologist' },
      { participantId: 'h2', displayName: 'Dr <b>Okafor</b>', credentials: 'Clinical supervisor <img src=x onerror=alert(1)>' },
    ];
    await el.join('tok');
    fake.move('waiting');
    const room = q(el, 'alcove-waiting-room');
    const $ = <T extends Element = HTMLElement>(sel: string) => room.shadowRoot!.querySelector(sel) as T;
    const others = () => [...room.shadowRoot!.querySelectorAll('[part~=host]')].map((li) => li.textContent);
    expect(room.shadowRoot!.textContent).toContain('Dr Rivera le dejará entrar en breve.');
    expect($('[part~=credentials]').textContent).toBe('Dr Rivera · Licensed clinical psychologist');
    expect($('[part~=hosts]').hidden).toBe(false);
    expect($('[part~=hosts] p').textContent).toBe('También en esta sesión:');
    expect(others()).toEqual(['Dr <b>Okafor</b> · Clinical supervisor <img src=x onerror=alert(1)>']);
    // A list named by its label, text only.
    const list = $('[part~=hosts] ul');
    expect(room.shadowRoot!.getElementById(list.getAttribute('aria-labelledby')!)?.textContent).toBe('También en esta sesión:');
    expect(room.shadowRoot!.querySelector('b, img')).toBeNull();

    // English; a co-therapist without a credentials line; the page's attributes override the first host only.
    el.setAttribute('lang', 'en');
    el.setAttribute('host-name', 'Alex');
    fake.hosts = [...fake.hosts, { participantId: 'h3', displayName: 'Jo Park' }];
    fake.emit('hostsChanged', fake.hosts);
    await tick();
    expect(room.shadowRoot!.textContent).toContain('Alex will let you in shortly.');
    expect($('[part~=credentials]').textContent).toBe('Alex · Licensed clinical psychologist');
    expect($('[part~=hosts] p').textContent).toBe('Also in this session:');
    expect(others()).toEqual(['Dr <b>Okafor</b> · Clinical supervisor <img src=x onerror=alert(1)>', 'Jo Park']);

    // Four others are listed; six become three and "and 3 more".
    const extra = (n: number) => Array.from({ length: n }, (_, i) => ({ participantId: `x${i}`, displayName: `Host ${i}` }));
    fake.hosts = [fake.hosts[0]!, ...extra(4)];
    fake.emit('hostsChanged', fake.hosts);
    expect(others()).toEqual(['Host 0', 'Host 1', 'Host 2', 'Host 3']);
    fake.hosts = [fake.hosts[0]!, ...extra(6)];
    fake.emit('hostsChanged', fake.hosts);
    expect(others()).toEqual(['Host 0', 'Host 1', 'Host 2', 'and 3 more']);

    // Back to one host: no list (the screen looks as it did with one host).
    fake.hosts = [fake.hosts[0]!];
    fake.emit('hostsChanged', fake.hosts);
    expect($('[part~=hosts]').hidden).toBe(true);
    expect(others()).toEqual([]);
  });

  it('says why when the session is refused before connecting (the Join button never fails silently)', async () => {
    const el = mount();
    el.sessionFactory = () => {
      throw Object.assign(new Error('detail CANARY'), { code: 'INVALID_ARGUMENT' });
    };
    const codes: string[] = [];
    el.addEventListener('alcove-error', (e) => codes.push((e as unknown as { code: string }).code));
    el.token = 'tok';
    q<HTMLButtonElement>(el, '[part~=start] button').click();
    await tick();
    expect(codes).toEqual(['INVALID_ARGUMENT']);
    expect(q(el, '[part~=error]').hidden).toBe(false);
    expect(q(el, '[part~=error]').textContent).not.toContain('CANARY');
  });

  it('hands the devices chosen while waiting to the call, and its menus show them', async () => {
    const el = mount();
    await el.join('tok');
    fake.move('waiting');
    const room = q(el, 'alcove-waiting-room');
    const menus = room.shadowRoot!.querySelectorAll('alcove-device-menu');
    const pick = async (menu: Element, id: string) => {
      const select = menu.shadowRoot!.querySelector('select')!;
      await vi.waitFor(() => expect(Array.from(select.options).map((o) => o.value)).toContain(id));
      select.value = id;
      select.dispatchEvent(new Event('change'));
      await tick();
    };
    const devices = [
      { kind: 'videoinput', deviceId: 'cam1', label: 'Front', groupId: '' },
      { kind: 'videoinput', deviceId: 'cam2', label: 'Back', groupId: '' },
      { kind: 'audioinput', deviceId: 'mic1', label: 'Mic', groupId: '' },
      { kind: 'audiooutput', deviceId: 'spk2', label: 'Headphones', groupId: '' },
    ];
    const md = { enumerateDevices: async () => devices, addEventListener() {}, removeEventListener() {} };
    Object.defineProperty(navigator, 'mediaDevices', { value: md, configurable: true });
    fake.listDevices = async () => devices as MediaDeviceInfo[];
    try {
      for (const m of menus) await (m as unknown as { refresh(): Promise<void> }).refresh();
      await pick(menus[0]!, 'cam2');
      await pick(menus[2]!, 'spk2');
      // Read when the call starts publishing: the camera chosen, the microphone left to the default.
      const publish = options!.publish as { audio: unknown; video: unknown };
      expect(publish.video).toBe('cam2');
      expect(publish.audio).toBe(true);
      // The speaker is set at once, so remote audio plays there from the first sound.
      expect(fake.calls).toContainEqual(['speaker', 'spk2']);
      fake.move('joined');
      await tick();
      const callMenus = Array.from(q(el, '[part~=devices]').querySelectorAll('alcove-device-menu'));
      for (const m of callMenus) await (m as unknown as { refresh(): Promise<void> }).refresh();
      expect(callMenus.map((m) => m.shadowRoot!.querySelector('select')!.value)).toEqual(['cam2', '', 'spk2']);
      expect(el.chosenDevices).toEqual({ videoinput: 'cam2', audiooutput: 'spk2' });
    } finally {
      Reflect.deleteProperty(navigator, 'mediaDevices');
    }
  });

  it("maps core's error codes to catalogue text, never to error messages", async () => {
    const el = mount();
    await el.join('tok');
    fake.emit('error', Object.assign(new Error('internal detail CANARY'), { code: 'PERMISSION_DENIED' }));
    expect(announced(el)).toBe('Camera or microphone access was blocked. Allow it in the browser settings, then try again.');
    expect(q(el, '[part~=error]').textContent).toBe(announced(el));
    expect(sr(el).innerHTML).not.toContain('CANARY');
  });

  describe("what the client typed in the checklist leaves the tab's storage when the session ends", () => {
    const STREET = '12 Canary Row Qx7';
    const CALLBACK = '615 555 0199';
    /** Keys of the storage whose key or value holds a canary. */
    const leaks = (st: FakeStore): string[] =>
      [...st.entries].flatMap(([k, v]) =>
        [STREET, CALLBACK, 'Lee Canary', '+16155550199'].some((c) => `${k}${v}`.includes(c)) ? [k] : [],
      );
    const answer = (c: Checklist): void => {
      c.location!.setAddress({ country: 'US', region: 'US-TN', locality: 'Nashville', street: STREET });
      c.emergencyPlan!.setPlan({
        contactName: 'Lee Canary',
        contactPhone: '+1 615 555 0142',
        callbackPhone: CALLBACK,
        plan: 'therapist-calls',
      });
    };
    const ends: [string, (el: AlcoveSession) => void | Promise<void>][] = [
      ['leave()', (el) => el.leave()],
      ['the quick-exit button', (el) => q<HTMLButtonElement>(el, '[part~=quick-exit]').click()],
      [
        'the host ending the session',
        () => {
          fake.move('ended', 'session-ended');
          fake.emit('ended', 'session-ended');
        },
      ],
    ];
    for (const [how, end] of ends) {
      it(`the element's own checklist (closed) and a given one (kept in memory), through ${how}`, async () => {
        // Own: the element creates it for a client whose policy has a checklist.
        const platform = fakeChecklistPlatform();
        const el = mount();
        el.addEventListener('alcove-quick-exit', (e) => e.preventDefault());
        el.sessionOptions = { platform };
        const attached: Checklist[] = [];
        Object.assign(fake, { attachChecklist: (c: Checklist) => attached.push(c) });
        fake.policy = { ...fake.policy, checklist: { steps: [] } };
        await el.join('tok');
        fake.move('waiting');
        expect(attached).toHaveLength(1);
        answer(attached[0]!);
        expect(leaks(platform.sessionStorage)).toEqual(['alcove.checklist.progress.default']);
        await end(el);
        expect(leaks(platform.sessionStorage)).toEqual([]);
        expect(attached[0]!.state).toBe('closed');

        // Given by the page: its storage goes too, its answers stay in memory and are not written back.
        const given = fakeChecklistPlatform();
        const el2 = mount();
        el2.addEventListener('alcove-quick-exit', (e) => e.preventDefault());
        const checklist = new Checklist({ platform: given });
        el2.checklist = checklist;
        await el2.join('tok');
        fake.move('waiting');
        answer(checklist);
        expect(leaks(given.sessionStorage)).toEqual(['alcove.checklist.progress.default']);
        await end(el2);
        expect(leaks(given.sessionStorage)).toEqual([]);
        expect(checklist.location!.address?.street).toBe(STREET);
        checklist.location!.setAddress({ country: 'US', region: 'US-TN', locality: 'Memphis', street: STREET });
        await tick();
        expect(leaks(given.sessionStorage)).toEqual([]);
        checklist.close();
      });
    }
  });

  it('leaves the call when removed from the page for good, not when moved', async () => {
    const el = mount();
    await el.join('tok');
    fake.move('joined');
    const other = document.createElement('div');
    document.body.append(other);
    other.append(el); // moved
    await new Promise((r) => setTimeout(r, 20));
    expect(fake.calls.some(([c]) => c === 'leave')).toBe(false);
    expect(el.state).toBe('joined');
    el.remove();
    await vi.waitFor(() => expect(fake.calls).toContainEqual(['leave']));
  });

  it('unsubscribes its parts when the session ends and a new one starts', async () => {
    const el = mount();
    await el.join('tok');
    fake.move('failed');
    const first = fake;
    const before = first.count('stateChanged');
    fake = new FakeSession();
    el.sessionFactory = () => fake as unknown as SessionLike;
    await el.join('tok2');
    expect(first.count('stateChanged')).toBeLessThan(before);
  });
});
