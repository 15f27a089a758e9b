import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { defineAlcoveElements } from '../define.js';
import type { AlcoveSession, SessionLike } from './alcove-session.js';

type Listener = (...args: unknown[]) => void;

/** A scripted stand-in for @alcove/core's Session: records calls, emits what the test says. */
class FakeSession {
  readonly calls: [string, ...unknown[]][] = [];
  readonly listeners = new Map<string, Set<Listener>>();
  state = 'idle';
  role: string | undefined = 'client';
  participants: { id: string; displayName: string; role: string; connection: string; tracks: unknown[] }[] = [];
  waiting: unknown[] = [];
  localTracks: { kind: string; source: string; muted: boolean; track: unknown }[] = [];
  on(event: string, fn: Listener) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(fn);
    return this;
  }
  off(event: string, fn: Listener) {
    this.listeners.get(event)?.delete(fn);
    return this;
  }
  emit(event: string, ...args: unknown[]) {
    for (const fn of this.listeners.get(event) ?? []) fn(...args);
  }
  move(to: string) {
    const from = this.state;
    this.state = to;
    this.emit('stateChanged', { from, to, reason: 'test' });
  }
  async join() { this.calls.push(['join']); this.move('connecting'); }
  async leave() { this.calls.push(['leave']); this.move('ended'); this.emit('ended', 'left'); }
  async admit(id: string) { this.calls.push(['admit', id]); }
  async deny(id: string) { this.calls.push(['deny', id]); }
  async setMicrophoneEnabled(on: boolean) { this.calls.push(['mic', on]); }
  async setCameraEnabled(on: boolean) { this.calls.push(['cam', on]); }
  participantId = 'me';
  async confirmSecurityCode(peer: string) { this.calls.push(['confirm', peer]); this.emit('e2eeVerified', 'me', peer); }
  attach(_track: unknown, _el: unknown) { this.calls.push(['attach']); return () => this.calls.push(['detach']); }
}

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
const shadow = (el: Element) => el.shadowRoot!;
const status = (el: Element) => shadow(el).querySelector('[part~="status"]')!.textContent;
const announced = (el: Element) => shadow(el).querySelector('.sr-only')!.textContent;

beforeAll(() => defineAlcoveElements());
afterEach(() => {
  document.body.replaceChildren();
  options = undefined;
});

describe('defineAlcoveElements', () => {
  it('registers every tag once and can be called again', () => {
    defineAlcoveElements();
    expect(customElements.get('alcove-session')).toBeDefined();
    expect(customElements.get('alcove-video-tile')).toBeDefined();
    expect(customElements.get('alcove-waiting-list')).toBeDefined();
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
    await el.join();
    expect(options).toMatchObject({ serverUrl: 'ws://127.0.0.1:1/ws', token: 'SECRET-TOKEN-CANARY' });
    expect(el.token).toBeUndefined();
    expect(el.outerHTML).not.toContain('SECRET-TOKEN-CANARY');
    expect(shadow(el).innerHTML).not.toContain('SECRET-TOKEN-CANARY');
  });

  it('announces state in a polite live region, in English and Spanish', async () => {
    const el = mount();
    const states: string[] = [];
    el.addEventListener('alcove-state-change', (e) => states.push(e.to));
    await el.join('tok');
    expect(status(el)).toBe('Connecting…');
    const region = shadow(el).querySelector('[part~="status"]')!;
    expect(region.getAttribute('role')).toBe('status');
    expect(region.getAttribute('aria-live')).toBe('polite');
    fake.move('waiting');
    expect(status(el)).toBe('Waiting to be let in');
    expect((shadow(el).querySelector('[part~="waiting"]') as HTMLElement).hidden).toBe(false);
    fake.move('joined');
    fake.move('reconnecting');
    expect(status(el)).toBe('Connection lost. Reconnecting…');
    expect(states).toEqual(['connecting', 'waiting', 'joined', 'reconnecting']);

    const es = mount('es');
    await es.join('tok');
    fake.move('waiting');
    expect(status(es)).toBe('Esperando para entrar');
  });

  it('shows participants with their names as text only', async () => {
    const el = mount();
    await el.join('tok');
    fake.move('joined');
    const evil = '<img src=x onerror="window.pwned=1">';
    const p = { id: 'p2', displayName: evil, role: 'host', connection: 'connected', tracks: [] };
    fake.participants.push(p);
    fake.emit('participantJoined', p);
    const tile = shadow(el).querySelector('alcove-video-tile')!;
    expect(tile.shadowRoot!.querySelector('[part~="name"]')!.textContent).toBe(evil);
    expect(tile.shadowRoot!.querySelector('img')).toBeNull();
    expect(announced(el)).toBe(`${evil} joined`);
    p.connection = 'reconnecting';
    fake.emit('participantUpdated', p);
    expect(tile.shadowRoot!.querySelector('[part~="name"]')!.textContent).toContain('reconnecting');
    fake.emit('participantLeft', p, 'left');
    expect(shadow(el).querySelector('alcove-video-tile')).toBeNull();
  });

  it('gives the host a waiting list whose buttons admit and deny, unless the page cancels', async () => {
    const el = mount();
    await el.join('tok');
    fake.role = 'host';
    fake.move('joined');
    fake.emit('waitingRoomChanged', [
      { id: 'c1', role: 'client', displayName: 'Sam', since: 1, checklist: { steps: {}, complete: true } },
      { id: 'c2', role: 'client', displayName: 'Ana', since: 2 },
    ]);
    expect(announced(el)).toBe('Ana is waiting to join');
    const list = shadow(el).querySelector('alcove-waiting-list')! as HTMLElement;
    expect(list.hidden).toBe(false);
    const entries = list.shadowRoot!.querySelectorAll('[part~="entry"]');
    expect(entries).toHaveLength(2);
    expect(entries[0]!.textContent).toContain('Checklist done');
    expect(entries[1]!.textContent).toContain('Checklist not done');
    (entries[0]!.querySelector('button.admit') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(fake.calls).toContainEqual(['admit', 'c1']));
    el.addEventListener('alcove-admission-request', (e) => e.preventDefault(), { once: true });
    (entries[1]!.querySelector('button.deny') as HTMLButtonElement).click();
    await new Promise((r) => setTimeout(r, 0));
    expect(fake.calls.some(([c]) => c === 'deny')).toBe(false);
    const admitLabel = (entries[1]!.querySelector('button.admit') as HTMLButtonElement).textContent;
    expect(admitLabel).toBe('Let Ana in');
  });

  it('does not show a waiting list to a client', async () => {
    const el = mount();
    await el.join('tok');
    fake.move('joined');
    expect((shadow(el).querySelector('alcove-waiting-list') as HTMLElement).hidden).toBe(true);
  });

  it('asks the page before leaving', async () => {
    const el = mount();
    await el.join('tok');
    fake.move('joined');
    const leave = shadow(el).querySelector('button.leave') as HTMLButtonElement;
    expect(leave.textContent).toBe('Leave call');
    el.addEventListener('alcove-leave-request', (e) => e.preventDefault(), { once: true });
    leave.click();
    expect(fake.calls.some(([c]) => c === 'leave')).toBe(false);
    leave.click();
    await vi.waitFor(() => expect(fake.calls).toContainEqual(['leave']));
    expect(status(el)).toBe('The call has ended');
  });

  it('toggles microphone and camera with labelled, pressed-state buttons', async () => {
    const el = mount();
    await el.join('tok');
    fake.localTracks = [
      { kind: 'audio', source: 'mic', muted: false, track: {} },
      { kind: 'video', source: 'cam', muted: false, track: {} },
    ];
    fake.move('joined');
    const mic = shadow(el).querySelector('button.mic') as HTMLButtonElement;
    const cam = shadow(el).querySelector('button.cam') as HTMLButtonElement;
    expect(mic.textContent).toBe('Mute microphone');
    expect(mic.getAttribute('aria-pressed')).toBe('false');
    mic.click();
    await vi.waitFor(() => expect(fake.calls).toContainEqual(['mic', false]));
    cam.click();
    await vi.waitFor(() => expect(fake.calls).toContainEqual(['cam', false]));
  });

  it('shows the agreed callback number when the call cannot be restored', async () => {
    const el = mount();
    el.fallback = { callbackNumber: '+1 555 0100' };
    const errors: string[] = [];
    el.addEventListener('alcove-error', (e) => errors.push(e.code));
    await el.join('tok');
    fake.move('joined');
    fake.move('reconnecting');
    fake.move('failed');
    fake.emit('failed', { error: { code: 'RECONNECT_FAILED' }, fallback: el.fallback });
    const panel = shadow(el).querySelector('[part~="failed"]') as HTMLElement;
    expect(panel.hidden).toBe(false);
    expect(panel.textContent).toContain('Your host will call you at +1 555 0100.');
    expect(errors).toEqual(['RECONNECT_FAILED']);
  });

  it('maps error codes to catalogue text, never to error messages', async () => {
    const el = mount();
    await el.join('tok');
    fake.emit('error', Object.assign(new Error('internal detail CANARY'), { code: 'MEDIA_PERMISSION_DENIED' }));
    expect(announced(el)).toBe('Camera or microphone access was blocked. Allow it in the browser settings.');
    expect(shadow(el).innerHTML).not.toContain('CANARY');
  });

  it('leaves the call when removed from the page', async () => {
    const el = mount();
    await el.join('tok');
    fake.move('joined');
    el.remove();
    await vi.waitFor(() => expect(fake.calls).toContainEqual(['leave']));
  });
});

describe('<alcove-session> security code', () => {
  it('shows the SAS to compare aloud, with emoji names for screen readers', async () => {
    const el = mount();
    await el.join('tok');
    fake.participants.push({ id: 'h', displayName: 'Dr Rivera', role: 'host', connection: 'connected', tracks: [] });
    fake.move('joined');
    const panel = shadow(el).querySelector('[part~="sas"]') as HTMLElement;
    expect(panel.hidden).toBe(true);
    fake.emit('e2eeSasReady', { peer: 'h', peerRole: 'host', emoji: [{ emoji: '🐶', name: 'Dog' }, { emoji: '🔑', name: 'Key' }], decimal: [1234, 5678, 9012] });
    expect(panel.hidden).toBe(false);
    expect(panel.textContent).toContain('Read these out loud with Dr Rivera');
    expect(panel.querySelector('.digits')!.textContent).toBe('1234 5678 9012');
    expect(panel.querySelector('li span')!.getAttribute('aria-label')).toBe('Dog, Key');
    const match = panel.querySelector('button.match') as HTMLButtonElement;
    expect(match.textContent).toBe('The codes match');
    match.click();
    await vi.waitFor(() => expect(fake.calls).toContainEqual(['confirm', 'h']));
    expect(panel.querySelector('.confirmed')!.textContent).toBe('You confirmed the code');
    fake.emit('e2eeVerified', 'h', 'me');
    expect(panel.querySelector('.peer-confirmed')!.textContent).toBe('Dr Rivera confirmed the code');
  });
});
