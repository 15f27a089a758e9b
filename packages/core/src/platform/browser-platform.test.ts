import { afterEach, describe, expect, it, vi } from 'vitest';
import { attach } from '../media/attach.js';
import { createBrowserPlatform } from './browser-platform.js';
import { createLogger } from './logger.js';

describe('browser platform extras', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    window.sessionStorage.clear();
    window.localStorage.clear();
  });

  it('carries the logger it is given (none by default: the session then logs to the console at warn)', () => {
    const logger = createLogger({ level: 'debug', sink: () => undefined });
    expect(createBrowserPlatform({ logger }).logger).toBe(logger);
    expect(createBrowserPlatform().logger).toBeUndefined();
  });

  it('attach() reports a refused play() instead of leaving it unhandled', async () => {
    const refusal = new DOMException('autoplay', 'NotAllowedError');
    const element = { autoplay: false, muted: false, srcObject: null, play: () => Promise.reject(refusal) };
    vi.stubGlobal(
      'MediaStream',
      class {
        constructor(readonly tracks: unknown[]) {}
      },
    );
    const seen: unknown[] = [];
    try {
      attach({} as MediaStreamTrack, element as unknown as HTMLMediaElement, { onPlayRejected: (e) => seen.push(e) });
      await vi.waitFor(() => expect(seen).toEqual([refusal]));
      expect(element.autoplay).toBe(true);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('stores in sessionStorage and localStorage', () => {
    const p = createBrowserPlatform();
    p.sessionStorage?.set('k', 'tab');
    p.persistentStorage?.set('k', 'device');
    expect(window.sessionStorage.getItem('k')).toBe('tab');
    expect(window.localStorage.getItem('k')).toBe('device');
    expect(p.persistentStorage?.get('k')).toBe('device');
    p.persistentStorage?.remove('k');
    expect(p.persistentStorage?.get('k')).toBeNull();
  });

  it('behaves as absent where storage throws (private mode), and never throws on write', () => {
    vi.spyOn(window, 'sessionStorage', 'get').mockImplementation(() => {
      throw new DOMException('denied', 'SecurityError');
    });
    const full = {
      getItem: () => null,
      removeItem: () => undefined,
      setItem: () => {
        throw new DOMException('quota', 'QuotaExceededError');
      },
    };
    vi.spyOn(window, 'localStorage', 'get').mockReturnValue(full as unknown as Storage);
    const p = createBrowserPlatform();
    expect(p.sessionStorage).toBeUndefined();
    expect(p.persistentStorage).toBeUndefined();
  });

  it('reads nothing from the browser until asked, and reports the wall clock and secure context', () => {
    const p = createBrowserPlatform();
    expect(typeof p.wallClock?.()).toBe('number');
    expect(typeof p.isSecureContext?.()).toBe('boolean');
    expect(p.deviceTypeHint?.()).toSatisfy((v: unknown) => v === undefined || v === 'computer' || v === 'phone' || v === 'tablet');
  });

  it('hashes with WebCrypto', async () => {
    const p = createBrowserPlatform();
    const digest = await p.sha256!(new TextEncoder().encode('abc'));
    expect(Array.from(digest.slice(0, 4), (b) => b.toString(16).padStart(2, '0')).join('')).toBe('ba7816bf');
  });
});
