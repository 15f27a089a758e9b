import { Device } from 'mediasoup-client';
import type { Platform, PlatformCapabilities, WebSocketLike } from './platform.js';

/**
 * The {@link Platform} of a real browser. Reads `window`/`navigator` only when called.
 * @example
 * const platform = createBrowserPlatform();
 * if (!platform.capabilities().webrtc) showUnsupported();
 */
export function createBrowserPlatform(): Platform {
  const g = globalThis as typeof globalThis & { window?: Window };
  return {
    createWebSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
    get mediaDevices() {
      return typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined;
    },
    timers: {
      setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
      clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
      setInterval: (fn, ms) => globalThis.setInterval(fn, ms),
      clearInterval: (h) => globalThis.clearInterval(h as ReturnType<typeof setInterval>),
      now: () => (typeof performance !== 'undefined' ? performance.now() : Date.now()),
    },
    randomBytes(n) {
      const out = new Uint8Array(n);
      globalThis.crypto.getRandomValues(out);
      return out;
    },
    isOnline: () => (typeof navigator !== 'undefined' && typeof navigator.onLine === 'boolean' ? navigator.onLine : true),
    onNetworkChange(listener) {
      const w = g.window;
      if (!w) return () => undefined;
      const on = (): void => listener(true);
      const off = (): void => listener(false);
      w.addEventListener('online', on);
      w.addEventListener('offline', off);
      return () => {
        w.removeEventListener('online', on);
        w.removeEventListener('offline', off);
      };
    },
    capabilities(): PlatformCapabilities {
      const pc = typeof RTCPeerConnection !== 'undefined';
      const scriptTransform = typeof (globalThis as { RTCRtpScriptTransform?: unknown }).RTCRtpScriptTransform !== 'undefined';
      const legacy = pc && typeof RTCRtpSender !== 'undefined' && 'createEncodedStreams' in RTCRtpSender.prototype;
      const sink = typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
      const md = typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined;
      return { webrtc: pc, encodedTransforms: scriptTransform || legacy, setSinkId: sink, screenShare: !!md && typeof md.getDisplayMedia === 'function' };
    },
    createDevice: () => Device.factory(),
  };
}
