import { Device, FakeHandler, testFakeParameters } from 'mediasoup-client';
import type { KeyValueStorage, MediaDevicesLike, Platform, PlatformCapabilities } from '../platform/platform.js';
import type { FakeServer } from './fake-server.js';

/** A fake `MediaStreamTrack` good enough for the library's bookkeeping. */
export class FakeTrack extends EventTarget {
  readonly id: string;
  readonly kind: 'audio' | 'video';
  readonly label: string;
  enabled = true;
  readyState: 'live' | 'ended' = 'live';
  readonly #deviceId: string;
  static #n = 0;

  constructor(kind: 'audio' | 'video', deviceId = 'default') {
    super();
    this.kind = kind;
    this.id = `fake-track-${++FakeTrack.#n}`;
    this.label = `fake ${kind}`;
    this.#deviceId = deviceId;
  }

  stop(): void {
    this.readyState = 'ended';
  }
  getSettings(): { deviceId: string } {
    return { deviceId: this.#deviceId };
  }
  clone(): FakeTrack {
    return new FakeTrack(this.kind, this.#deviceId);
  }
}

/** Fake media devices: opens {@link FakeTrack}s, or throws a scripted DOMException-like error. */
export class FakeMediaDevices implements MediaDevicesLike {
  /** Every track opened, in order. */
  readonly opened: FakeTrack[] = [];
  /** The next `getUserMedia` call throws `{ name: failNext }`. */
  failNext: string | undefined;
  devices: MediaDeviceInfo[] = [
    { deviceId: 'cam-1', kind: 'videoinput', label: 'Camera 1', groupId: 'g1', toJSON: () => ({}) },
    { deviceId: 'cam-2', kind: 'videoinput', label: 'Camera 2', groupId: 'g2', toJSON: () => ({}) },
    { deviceId: 'mic-1', kind: 'audioinput', label: 'Mic 1', groupId: 'g1', toJSON: () => ({}) },
  ];

  async getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream> {
    if (this.failNext) {
      const name = this.failNext;
      this.failNext = undefined;
      throw Object.assign(new Error(name), { name });
    }
    const kind = constraints.audio ? 'audio' : 'video';
    const c = (kind === 'audio' ? constraints.audio : constraints.video) as MediaTrackConstraints;
    const exact = (c?.deviceId as { exact?: string } | undefined)?.exact;
    const track = new FakeTrack(kind, exact ?? 'default');
    this.opened.push(track);
    return {
      getAudioTracks: () => (kind === 'audio' ? [track] : []),
      getVideoTracks: () => (kind === 'video' ? [track] : []),
      getTracks: () => [track],
    } as unknown as MediaStream;
  }

  async getDisplayMedia(): Promise<MediaStream> {
    const track = new FakeTrack('video', 'screen');
    this.opened.push(track);
    return { getAudioTracks: () => [], getVideoTracks: () => [track], getTracks: () => [track] } as unknown as MediaStream;
  }

  async enumerateDevices(): Promise<MediaDeviceInfo[]> {
    return this.devices;
  }
}

/** An in-memory {@link KeyValueStorage} (stands in for `sessionStorage` / `localStorage`). */
export class MemoryStorage implements KeyValueStorage {
  readonly map = new Map<string, string>();
  get(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  set(key: string, value: string): void {
    this.map.set(key, value);
  }
  remove(key: string): void {
    this.map.delete(key);
  }
}

/** A {@link Platform} over a {@link FakeServer}, fake devices and mediasoup-client's FakeHandler. */
export interface FakePlatform extends Platform {
  readonly devices: FakeMediaDevices;
  online: boolean;
  /** Fires `online`/`offline` listeners. */
  setOnline(online: boolean): void;
  /** Every mediasoup-client device created. */
  readonly createdDevices: Device[];
  /** Every mediasoup-client transport created, in order. */
  readonly createdTransports: import('mediasoup-client').types.Transport[];
  caps: PlatformCapabilities;
  /** In-memory per-tab storage. */
  readonly sessionStorage: MemoryStorage;
  /** In-memory device storage. */
  readonly persistentStorage: MemoryStorage;
}

/** Creates a fake platform. Use with `vi.useFakeTimers()`: timers go through global functions. */
export function createFakePlatform(server: FakeServer): FakePlatform {
  const listeners = new Set<(online: boolean) => void>();
  const devices = new FakeMediaDevices();
  const createdDevices: Device[] = [];
  const createdTransports: import('mediasoup-client').types.Transport[] = [];
  let counter = 0;
  const platform: FakePlatform = {
    devices,
    online: true,
    createdDevices,
    createdTransports,
    caps: { webrtc: true, encodedTransforms: false, setSinkId: false, screenShare: true },
    sessionStorage: new MemoryStorage(),
    persistentStorage: new MemoryStorage(),
    createWebSocket: (url) => server.open(url),
    mediaDevices: devices,
    timers: {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      setInterval: (fn, ms) => setInterval(fn, ms),
      clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
      now: () => Date.now(),
    },
    randomBytes: (n) => {
      const out = new Uint8Array(n);
      counter++;
      for (let i = 0; i < n; i++) out[i] = (counter * 31 + i * 7) & 0xff;
      return out;
    },
    isOnline: () => platform.online,
    onNetworkChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setOnline(online) {
      platform.online = online;
      for (const l of [...listeners]) l(online);
    },
    capabilities: () => platform.caps,
    async createDevice() {
      const d = new Device({ handlerFactory: FakeHandler.createFactory(testFakeParameters) });
      createdDevices.push(d);
      d.observer.on('newtransport', (t) => createdTransports.push(t));
      return d;
    },
  };
  return platform;
}

/** Sets a fake transport's connection state as if ICE changed (FakeHandler). */
export function setFakeConnectionState(
  transport: import('mediasoup-client').types.Transport,
  state: 'connected' | 'disconnected' | 'failed',
): void {
  (transport as unknown as { _handler: { setConnectionState(s: string): void } })._handler.setConnectionState(state);
}

export { testFakeParameters };
