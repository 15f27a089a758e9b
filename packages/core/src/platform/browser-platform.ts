import { Device } from 'mediasoup-client';
import type {
  AudioContextLike,
  AudioElementLike,
  KeyValueStorage,
  NetworkInformationLike,
  Platform,
  PlatformCapabilities,
  PlatformExtras,
  ProbeTrack,
  ProbeTrackOptions,
  WebSocketLike,
} from './platform.js';
import type { Logger } from './logger.js';
import { supportedBrowser } from './browser-support.js';

/** Options of {@link createBrowserPlatform}. */
export interface BrowserPlatformOptions {
  /** Where the library logs. Default: the console at `warn` and above. */
  readonly logger?: Logger;
}

/**
 * The {@link Platform} of a real browser. Reads `window`/`navigator` only when called.
 * @example
 * const platform = createBrowserPlatform({ logger: createLogger({ level: 'debug' }) });
 * if (!platform.capabilities().webrtc) showUnsupported();
 */
export function createBrowserPlatform(options: BrowserPlatformOptions = {}): Platform {
  const g = globalThis as typeof globalThis & { window?: Window };
  const platform: Platform = {
    ...(options.logger ? { logger: options.logger } : {}),
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
      return {
        // A browser older than the supported ones (MINIMUM_BROWSERS) counts as without WebRTC.
        webrtc: pc && supportedBrowser(),
        encodedTransforms: scriptTransform || legacy,
        setSinkId: sink,
        screenShare: !!md && typeof md.getDisplayMedia === 'function',
      };
    },
    createDevice: () => Device.factory(),
  };
  // Getters of the extras (storage) must stay lazy: copy property descriptors, not values.
  Object.defineProperties(platform, Object.getOwnPropertyDescriptors(browserExtras()));
  return platform;
}

/** Web Storage behind a guard: where the browser throws (private mode, quota, disabled), it is absent. */
function guardedStorage(pick: () => Storage | undefined): KeyValueStorage | undefined {
  let store: Storage | undefined;
  try {
    store = pick();
    if (!store) return undefined;
    const probe = '__alcove_probe__';
    store.setItem(probe, '1');
    store.removeItem(probe);
  } catch {
    return undefined;
  }
  const s = store;
  return {
    get(key) {
      try {
        return s.getItem(key);
      } catch {
        return null;
      }
    },
    set(key, value) {
      try {
        s.setItem(key, value);
      } catch {
        // quota or private mode: behave as absent
      }
    },
    remove(key) {
      try {
        s.removeItem(key);
      } catch {
        // ignore
      }
    },
  };
}

/** The optional members of the browser platform; each reads the browser only when called. */
function browserExtras(): PlatformExtras {
  const g = globalThis as typeof globalThis & {
    window?: Window;
    AudioContext?: new () => AudioContextLike;
    webkitAudioContext?: new () => AudioContextLike;
  };
  let session: KeyValueStorage | undefined | null = null;
  let persistent: KeyValueStorage | undefined | null = null;
  return {
    get sessionStorage() {
      if (session === null) session = guardedStorage(() => g.window?.sessionStorage);
      return session;
    },
    get persistentStorage() {
      if (persistent === null) persistent = guardedStorage(() => g.window?.localStorage);
      return persistent;
    },
    wallClock: () => Date.now(),
    isSecureContext: () => (typeof g.isSecureContext === 'boolean' ? g.isSecureContext : true),
    createAudioContext() {
      const Ctor = g.AudioContext ?? g.webkitAudioContext;
      if (!Ctor) return undefined;
      try {
        return new Ctor();
      } catch {
        return undefined;
      }
    },
    createAudioElement() {
      if (typeof document === 'undefined') return undefined;
      return document.createElement('audio') as unknown as AudioElementLike;
    },
    networkInformation() {
      if (typeof navigator === 'undefined') return undefined;
      return (navigator as Navigator & { connection?: NetworkInformationLike }).connection;
    },
    deviceTypeHint() {
      if (typeof navigator === 'undefined') return undefined;
      const uad = (navigator as Navigator & { userAgentData?: { mobile?: boolean } }).userAgentData;
      if (uad && typeof uad.mobile === 'boolean') return uad.mobile ? 'phone' : 'computer';
      const ua = navigator.userAgent ?? '';
      if (/iPad|Tablet/i.test(ua) || (/Macintosh/.test(ua) && (navigator.maxTouchPoints ?? 0) > 1)) return 'tablet';
      if (/Mobi|iPhone|Android/i.test(ua)) return 'phone';
      return undefined;
    },
    createProbeTrack: (options) => createCanvasProbe(options),
    measureFrameRate: (stream, durationMs, signal) => countVideoFrames(stream, durationMs, signal),
    async sha256(data) {
      const digest = await globalThis.crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>);
      return new Uint8Array(digest);
    },
  };
}

/**
 * A canvas that draws a large noise texture at a random offset every frame, so the encoder has bits
 * to spend (the network test measures achievable bitrate). Never camera content.
 */
function createCanvasProbe({ width, height, frameRate }: ProbeTrackOptions): ProbeTrack | undefined {
  if (typeof document === 'undefined') return undefined;
  const canvas = document.createElement('canvas') as HTMLCanvasElement & { captureStream?(fps?: number): MediaStream };
  if (typeof canvas.captureStream !== 'function') return undefined;
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return undefined;
  const noise = document.createElement('canvas');
  noise.width = width * 2;
  noise.height = height * 2;
  const nctx = noise.getContext('2d');
  if (!nctx) return undefined;
  const img = nctx.createImageData(noise.width, noise.height);
  const bytes = new Uint8Array(img.data.buffer);
  for (let off = 0; off < bytes.length; off += 65536)
    globalThis.crypto.getRandomValues(bytes.subarray(off, Math.min(bytes.length, off + 65536)));
  for (let i = 3; i < bytes.length; i += 4) bytes[i] = 255;
  nctx.putImageData(img, 0, 0);
  let frame = 0;
  const draw = (): void => {
    frame++;
    const x = Math.floor(Math.random() * width);
    const y = Math.floor(Math.random() * height);
    ctx.drawImage(noise, x, y, width, height, 0, 0, width, height);
    ctx.fillStyle = '#fff';
    ctx.fillRect((frame * 7) % width, (frame * 5) % height, 40, 40);
  };
  draw();
  const stream = canvas.captureStream(frameRate);
  const track = stream.getVideoTracks()[0];
  if (!track) return undefined;
  const timer = globalThis.setInterval(draw, Math.max(10, Math.round(1000 / frameRate)));
  let stopped = false;
  return {
    track,
    stop() {
      if (stopped) return;
      stopped = true;
      globalThis.clearInterval(timer);
      track.stop();
    },
  };
}

/** Frames per second a video stream delivers, counted with `requestVideoFrameCallback`. */
async function countVideoFrames(stream: MediaStream, durationMs: number, signal?: AbortSignal): Promise<number | undefined> {
  if (typeof document === 'undefined') return undefined;
  const video = document.createElement('video') as HTMLVideoElement & {
    requestVideoFrameCallback?(cb: (now: number, meta: { presentedFrames: number }) => void): number;
  };
  if (typeof video.requestVideoFrameCallback !== 'function') return undefined;
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  try {
    await video.play();
  } catch {
    video.srcObject = null;
    return undefined;
  }
  return new Promise<number | undefined>((resolve) => {
    let first: { t: number; n: number } | undefined;
    let last: { t: number; n: number } | undefined;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      globalThis.clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      video.pause();
      video.srcObject = null;
      resolve(first && last && last.t > first.t ? ((last.n - first.n) * 1000) / (last.t - first.t) : undefined);
    };
    const onFrame = (now: number, meta: { presentedFrames: number }): void => {
      if (done) return;
      if (!first) first = { t: now, n: meta.presentedFrames };
      last = { t: now, n: meta.presentedFrames };
      video.requestVideoFrameCallback?.(onFrame);
    };
    video.requestVideoFrameCallback?.(onFrame);
    const timer = globalThis.setTimeout(finish, durationMs);
    signal?.addEventListener('abort', finish, { once: true });
  });
}
