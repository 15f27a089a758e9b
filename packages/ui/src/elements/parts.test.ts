import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { defineAlcoveElements } from '../define.js';
import type { SessionLike } from '../base/session-part.js';
import { FakeSession, tick } from '../test/fake-session.js';

beforeAll(() => defineAlcoveElements());
afterEach(() => document.body.replaceChildren());

function part<K extends keyof HTMLElementTagNameMap>(tag: K, fake?: FakeSession): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (fake) (el as unknown as { session: SessionLike }).session = fake as unknown as SessionLike;
  document.body.append(el);
  return el;
}
const $ = (el: Element, sel: string) => el.shadowRoot!.querySelector(sel) as HTMLElement;
const $$ = (el: Element, sel: string) => [...el.shadowRoot!.querySelectorAll(sel)] as HTMLElement[];

describe('<alcove-video-tile>', () => {
  it('shows initials instead of the video when the camera is off, and status as text', () => {
    const tile = part('alcove-video-tile');
    tile.label = 'Ana María López';
    tile.setAttribute('camera-off', '');
    tile.setAttribute('muted', '');
    tile.setAttribute('quality', 'poor');
    tile.setAttribute('encrypted', '');
    expect($(tile, '[part~=placeholder]').hidden).toBe(false);
    expect($(tile, '[part~=video]').hidden).toBe(true);
    expect($(tile, '[part~=initials]').textContent).toBe('AL');
    expect(tile.getAttribute('aria-label')).toBe('Ana María López, Muted, Camera off, Connection poor, End-to-end encrypted');
    tile.removeAttribute('camera-off');
    expect($(tile, '[part~=placeholder]').hidden).toBe(true);
    tile.setAttribute('lang', 'es');
    expect($(tile, '[part~=quality]').textContent).toBe('Conexión mala');
  });
});

describe('<alcove-video-grid>', () => {
  it('lays out one-to-one with a self picture-in-picture, a gallery for groups, and a screen layout', () => {
    const fake = new FakeSession();
    fake.state = 'joined';
    const grid = part('alcove-video-grid', fake);
    fake.addPeer({ id: 'a', displayName: 'Ana' });
    expect(grid.getAttribute('layout')).toBe('one-to-one');
    expect($(grid, 'alcove-video-tile[data-key="__self"]').hasAttribute('pip')).toBe(true);
    expect($(grid, '[part~=pip-move]').hidden).toBe(false);
    ($(grid, '[part~=pip-move]') as HTMLButtonElement).click();
    expect(grid.getAttribute('pip-corner')).toBe('bl');
    fake.addPeer({ id: 'b', displayName: 'Ben' });
    expect(grid.getAttribute('layout')).toBe('gallery');
    expect($(grid, 'alcove-video-tile[data-key="__self"]').hasAttribute('pip')).toBe(false);
    fake.remoteTracks.push({ id: 't1', participantId: 'a', kind: 'video', source: 'screen', muted: false, paused: false, track: {} });
    fake.emit('trackPublished', fake.remoteTracks[0]);
    expect(grid.getAttribute('layout')).toBe('screen');
    expect($(grid, 'alcove-video-tile[data-key="screen:a"]').hasAttribute('screen')).toBe(true);
  });

  it('shows a placeholder when a camera is off or muted (never a frozen frame), and keeps the tile on reconnect', () => {
    const fake = new FakeSession();
    fake.state = 'joined';
    const grid = part('alcove-video-grid', fake);
    const p = fake.addPeer({ id: 'a', displayName: 'Ana' });
    const tile = () => $(grid, 'alcove-video-tile[data-key="a"]');
    expect(tile().hasAttribute('camera-off')).toBe(true);
    fake.remoteTracks.push({ id: 'v', participantId: 'a', kind: 'video', source: 'cam', muted: false, paused: false, track: {} });
    fake.emit('trackPublished', fake.remoteTracks[0]);
    const first = tile();
    expect(first.hasAttribute('camera-off')).toBe(false);
    fake.remoteTracks[0]!.muted = true;
    fake.emit('trackMuted', fake.remoteTracks[0], true);
    expect(first.hasAttribute('camera-off')).toBe(true);
    p.connection = 'reconnecting';
    fake.emit('participantUpdated', p);
    expect(first.hasAttribute('reconnecting')).toBe(true);
    p.connection = 'connected';
    fake.emit('participantUpdated', p);
    expect(tile()).toBe(first);
    expect($$(grid, 'alcove-video-tile')).toHaveLength(2);
    fake.move('ended');
    expect($$(grid, 'alcove-video-tile')).toHaveLength(0);
  });
});

describe('<alcove-chat-panel>', () => {
  it('shows names and messages as text, links only https with noopener, counts unread while closed', async () => {
    const fake = new FakeSession();
    fake.state = 'joined';
    const chat = part('alcove-chat-panel', fake);
    fake.addPeer({ id: 'x', displayName: '<script>alert(1)</script>' });
    const counts: number[] = [];
    chat.addEventListener('alcove-unread-change', (e) => counts.push(e.count));
    fake.emit('chatMessage', {
      id: '1',
      from: 'x',
      seq: 1,
      at: 1,
      text: 'see https://example.org/a?b=1. and javascript:alert(1) <img src=x onerror=alert(1)> http://plain.example',
    });
    const log = $(chat, '[part~=log]');
    expect(log.querySelector('img,script')).toBeNull();
    const links = [...log.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://example.org/a?b=1']);
    expect(links[0]!.rel).toBe('noopener noreferrer');
    expect(log.querySelector('[part~=sender]')!.textContent).toBe('<script>alert(1)</script>');
    expect(counts).toEqual([1]);
    chat.setAttribute('open', '');
    expect(counts).toEqual([1, 0]);
    const input = $(chat, 'textarea') as HTMLTextAreaElement;
    input.value = 'hello';
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await vi.waitFor(() => expect(fake.calls).toContainEqual(['chat', 'hello']));
    await tick();
    expect(log.textContent).toContain('You');
    expect(log.textContent).not.toContain('sending');
  });
});

describe('<alcove-security-code>', () => {
  const sas = (decimal: number[]) => ({
    peer: 'h',
    peerRole: 'host',
    emoji: [
      { emoji: '🐶', name: 'Dog' },
      { emoji: '🔑', name: 'Key' },
    ],
    decimal,
    identityKey: 'AAAA',
    fingerprint: `fp-${decimal.join('')}`,
    verified: false,
  });

  it('one entry per current peer, keeps focus after confirming, collapses once verified, says when a code changed', async () => {
    const fake = new FakeSession();
    fake.state = 'joined';
    const panel = part('alcove-security-code', fake);
    fake.addPeer({ id: 'h', displayName: 'Dr Rivera', role: 'host' });
    expect(panel.hasAttribute('empty')).toBe(true);
    fake.emit('e2eeSasReady', sas([1234, 5678, 9012]));
    expect(panel.hasAttribute('empty')).toBe(false);
    expect($(panel, '[part~=base]').textContent).toContain('Read these out loud with Dr Rivera');
    expect($(panel, '.digits').textContent).toBe('1234 5678 9012');
    expect($(panel, '.emoji').getAttribute('aria-label')).toBe('Dog, Key');
    const match = $(panel, 'button.match') as HTMLButtonElement;
    match.focus();
    match.click();
    await vi.waitFor(() => expect(fake.calls).toContainEqual(['confirm', 'h']));
    expect($(panel, '.confirmed').textContent).toBe('You confirmed the code');
    expect(panel.shadowRoot!.activeElement).toBe($(panel, '.confirmed'));
    const toggle = $(panel, '[part~=toggle]') as HTMLButtonElement;
    expect(toggle.hidden).toBe(false);
    toggle.click();
    expect($(panel, 'ul').hidden).toBe(true);
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    fake.emit('e2eeVerified', 'h', 'me');
    // The peer's identity changes: a new code, confirmations reset, the panel opens again.
    fake.emit('e2eeSasReady', sas([1111, 2222, 3333]));
    expect($(panel, 'ul').hidden).toBe(false);
    expect($(panel, '.changed').textContent).toBe('The security code with Dr Rivera changed. Compare the new code.');
    expect(($(panel, 'button.match') as HTMLButtonElement).hidden).toBe(false);
    fake.removePeer('h');
    expect($$(panel, '[part~=entry]')).toHaveLength(0);
  });

  it('a peer this device verified earlier shows as confirmed; e2eeIdentityChanged asks to compare again', () => {
    const fake = new FakeSession();
    fake.state = 'joined';
    const panel = part('alcove-security-code', fake);
    fake.addPeer({ id: 'h', displayName: 'Dr Rivera', role: 'host' });
    fake.emit('e2eeSasReady', { ...sas([1234, 5678, 9012]), verified: true });
    expect($(panel, '.confirmed').textContent).toBe('You confirmed the code');
    expect(($(panel, 'button.match') as HTMLButtonElement).hidden).toBe(true);
    // Next time the same participant shows another identity: not verified, "the code changed".
    const changed = sas([1111, 2222, 3333]);
    fake.emit('e2eeIdentityChanged', { participantId: 'h', previousFingerprint: 'fp-old', fingerprint: changed.fingerprint, sas: changed });
    expect($(panel, '.changed').textContent).toBe('The security code with Dr Rivera changed. Compare the new code.');
    expect(($(panel, '.changed') as HTMLElement).hidden).toBe(false);
    expect(($(panel, 'button.match') as HTMLButtonElement).hidden).toBe(false);
    expect($(panel, '.digits').textContent).toBe('1111 2222 3333');
  });
});

describe('<alcove-connection-banner>', () => {
  it('counts down while reconnecting and tells the host to call a client whose connection failed', () => {
    vi.useFakeTimers();
    try {
      const fake = new FakeSession();
      fake.state = 'joined';
      fake.role = 'host';
      fake.emergency.set('c', { callbackPhone: { entered: '555 0100', e164: '+15550100' } });
      const banner = part('alcove-connection-banner', fake);
      expect(banner.hasAttribute('active')).toBe(false);
      fake.move('reconnecting', 'connection-lost');
      banner.retryScheduled(6000);
      expect($(banner, '[part~=message]').textContent).toBe('Connection lost. Reconnecting… 6 s');
      vi.advanceTimersByTime(2000);
      expect($(banner, '[part~=message]').textContent).toBe('Connection lost. Reconnecting… 4 s');
      fake.move('joined', 'recovered');
      expect($(banner, '[part~=message]').textContent).toBe('Connected again');
      const p = fake.addPeer({ id: 'c', displayName: 'Sam' });
      p.connection = 'reconnecting';
      fake.emit('participantUpdated', p);
      expect($(banner, '[part~=message]').textContent).toBe('The connection of Sam dropped. Waiting for them to come back…');
      fake.removePeer('c', 'timeout');
      expect($(banner, '[part~=message]').textContent).toBe('The connection of Sam failed — call them at +15550100.');
      expect(banner.hasAttribute('active')).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('<alcove-host-panel> and <alcove-emergency-panel>', () => {
  it('removes, locks and shows emergency info with copy and tel: links', async () => {
    const fake = new FakeSession();
    fake.state = 'joined';
    fake.role = 'host';
    fake.emergency.set('c', {
      participantId: 'c',
      at: 1,
      location: { country: 'US', region: 'US-TN', locality: 'Nashville', street: '1 Main St', jurisdiction: 'US-TN' },
      emergencyContact: { name: 'Lee', phone: { entered: '(615) 555-0101', e164: '+16155550101' } },
      callbackPhone: { entered: '615 555 0100', e164: '+16155550100' },
      plan: 'therapist-calls',
    });
    const panel = part('alcove-host-panel', fake);
    fake.addPeer({ id: 'c', displayName: 'Sam' });
    const info = $(panel, 'button.info') as HTMLButtonElement;
    expect(info.textContent).toBe('Emergency info for Sam');
    info.click();
    const em = $(panel, 'alcove-emergency-panel');
    expect(em.hidden).toBe(false);
    const text = em.shadowRoot!.textContent!;
    expect(text).toContain('1 Main St, Nashville, US-TN, US (US-TN)');
    expect(text).toContain('+16155550100');
    const tel = [...em.shadowRoot!.querySelectorAll('a[part~=call]')].map((a) => a.getAttribute('href'));
    expect(tel).toEqual(['tel:+16155550101', 'tel:+16155550100']);
    ($(panel, 'button.remove') as HTMLButtonElement).click();
    (panel.shadowRoot!.querySelector('dialog button.yes') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(fake.calls).toContainEqual(['remove', 'c']));
    const lock = $(panel, '[part~=lock]') as HTMLButtonElement;
    expect(lock.getAttribute('aria-pressed')).toBe('false');
    lock.click();
    await vi.waitFor(() => expect(lock.getAttribute('aria-pressed')).toBe('true'));
    expect(fake.calls).toContainEqual(['lock']);
  });
});

describe('<alcove-device-menu>', () => {
  it('lists devices as text with fallbacks and switches live in a call', async () => {
    const fake = new FakeSession();
    fake.state = 'joined';
    const menu = part('alcove-device-menu', fake);
    await menu.refresh();
    const options = [...menu.shadowRoot!.querySelectorAll('option')].map((o) => o.textContent);
    expect(options).toEqual(['System default', 'Front <b>camera</b>', 'Camera 2']);
    expect(menu.shadowRoot!.querySelector('b')).toBeNull();
    const select = $(menu, 'select') as HTMLSelectElement;
    const changes: string[] = [];
    menu.addEventListener('alcove-device-change', (e) => changes.push(e.deviceId));
    select.value = 'cam2';
    select.dispatchEvent(new Event('change'));
    await vi.waitFor(() => expect(fake.calls).toContainEqual(['switch', 'video', 'cam2']));
    await vi.waitFor(() => expect(changes).toEqual(['cam2']));
  });
});

describe('theming', () => {
  it('every element reads the --alcove-* tokens and supports an explicit dark theme', () => {
    const tile = part('alcove-video-tile');
    const css = [...tile.shadowRoot!.adoptedStyleSheets].map((s) => [...s.cssRules].map((r) => r.cssText).join('\n')).join('\n');
    for (const token of [
      '--alcove-bg',
      '--alcove-fg',
      '--alcove-accent',
      '--alcove-danger',
      '--alcove-radius',
      '--alcove-font',
      '--alcove-space',
      '--alcove-border',
      '--alcove-surface',
    ]) {
      expect(css).toContain(token);
    }
    expect(css).toMatch(/prefers-color-scheme/);
    expect(css).toMatch(/theme.*dark/);
  });
});

describe('<alcove-control-bar>', () => {
  it('offers screen sharing only when the policy allows it to this role', () => {
    const md = navigator.mediaDevices as unknown as Record<string, unknown> | undefined;
    const had = md && 'getDisplayMedia' in md;
    const shim = { getDisplayMedia: async () => undefined, addEventListener() {}, removeEventListener() {} };
    if (!md) Object.defineProperty(navigator, 'mediaDevices', { value: shim, configurable: true });
    else if (!had) md.getDisplayMedia = shim.getDisplayMedia;
    try {
      const fake = new FakeSession();
      fake.state = 'joined';
      const bar = part('alcove-control-bar', fake);
      const share = () => $(bar, '[part~=screen]');
      const cases: [string, string, boolean][] = [
        ['everyone', 'client', true],
        ['host', 'client', false],
        ['host', 'host', true],
        ['none', 'host', false],
      ];
      for (const [policy, role, shown] of cases) {
        fake.policy = { ...fake.policy, screenShare: policy };
        fake.role = role;
        fake.emit('policyChanged', fake.policy);
        expect(share().hidden, `${policy} / ${role}`).toBe(!shown);
      }
      // The host-only controls are the host's.
      fake.role = 'client';
      fake.emit('policyChanged', fake.policy);
      expect($(bar, '[part~=end-all]').hidden).toBe(true);
      expect($(bar, '[part~=host]').hidden).toBe(true);
    } finally {
      if (!md) Reflect.deleteProperty(navigator, 'mediaDevices');
      else if (!had) Reflect.deleteProperty(md, 'getDisplayMedia');
    }
  });
});

describe('motion', () => {
  it('moves nothing for people who ask for reduced motion: every transition or animation sits under prefers-reduced-motion: no-preference', async () => {
    const { BASE_CSS } = await import('../base/styles.js');
    const { ELEMENTS } = await import('../define.js');
    const sheets = [BASE_CSS, ...Object.values(ELEMENTS).flatMap((c) => c.styles)];
    let moving = 0;
    for (const css of sheets) {
      const outside = css.replace(/@media \(prefers-reduced-motion:no-preference\)\{(?:[^{}]|\{[^{}]*\})*\}/g, '');
      expect(outside, css.slice(0, 80)).not.toMatch(/transition|animation|@keyframes/);
      moving += css.length - outside.length;
    }
    expect(moving).toBeGreaterThan(0);
  });
});
