import { afterEach, describe, expect, it, vi } from 'vitest';
import { Session } from '../session/session.js';
import { createBrowserPlatform } from './browser-platform.js';
import { MINIMUM_BROWSERS, supportedBrowser } from './browser-support.js';

const chrome = (v: number) => `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36`;
const firefox = (v: number) => `Mozilla/5.0 (X11; Linux x86_64; rv:${v}.0) Gecko/20100101 Firefox/${v}.0`;
const safari = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15';

describe('supportedBrowser (the mediasoup-client handlers the bundle ships)', () => {
  it('accepts Chromium 111+, Firefox 120+ and Safari on WebKit 605+', () => {
    expect(supportedBrowser(chrome(111))).toBe(true);
    expect(supportedBrowser(chrome(156))).toBe(true);
    expect(supportedBrowser(firefox(120))).toBe(true);
    expect(supportedBrowser(safari)).toBe(true);
    expect(supportedBrowser(chrome(100), { brands: [{ brand: 'Chromium', version: '131' }] } as never)).toBe(true);
  });

  it('refuses Chromium 74–110 (the Chrome74 handler is not shipped), older Firefox and unknown agents', () => {
    expect(supportedBrowser(chrome(110))).toBe(false);
    expect(supportedBrowser(chrome(74))).toBe(false);
    expect(supportedBrowser(chrome(140), { brands: [{ brand: 'Chromium', version: '109' }] } as never)).toBe(false);
    expect(supportedBrowser(firefox(115))).toBe(false);
    expect(supportedBrowser('curl/8.0')).toBe(false);
    expect(MINIMUM_BROWSERS).toContain('111');
  });
});

describe('a browser older than the supported ones', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('Session.join rejects with UNSUPPORTED_BROWSER before any connection (Chrome 110)', async () => {
    vi.stubGlobal('RTCPeerConnection', class {});
    vi.spyOn(navigator, 'userAgent', 'get').mockReturnValue(chrome(110));
    const platform = createBrowserPlatform();
    const sockets: string[] = [];
    platform.createWebSocket = (url) => {
      sockets.push(url);
      throw new Error('no connection expected');
    };
    expect(platform.capabilities().webrtc).toBe(false);
    const session = Session.create({ serverUrl: 'ws://127.0.0.1:1/ws', token: 'x'.repeat(32), platform, identity: 'ephemeral' });
    const e = await session.join().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toMatchObject({ name: 'UnsupportedError', code: 'UNSUPPORTED_BROWSER' });
    expect((e as Error).message).toContain(MINIMUM_BROWSERS);
    expect(sockets).toEqual([]);
    expect(session.state).toBe('failed');
  });

  it('the same platform reports WebRTC in a supported one (Chrome 156)', () => {
    vi.stubGlobal('RTCPeerConnection', class {});
    vi.spyOn(navigator, 'userAgent', 'get').mockReturnValue(chrome(156));
    expect(createBrowserPlatform().capabilities().webrtc).toBe(true);
  });
});
