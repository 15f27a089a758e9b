/**
 * Test doubles to drive the real `Checklist` of `@alcove/core/checklist` in happy-dom: a platform
 * with fake cameras and microphones (streams typed as `MediaStream`, so a `<video>` takes them), an
 * `AudioContext` whose level the test sets, and a binding that records what would be submitted and
 * sealed (the session's side).
 */
import type { Platform } from '@alcove/core';
import type { ChecklistBinding } from '@alcove/core/checklist';

/** A track that records whether it was stopped. */
export class FakeTrack extends EventTarget {
  readyState: 'live' | 'ended' = 'live';
  constructor(
    readonly kind: 'audio' | 'video',
    readonly deviceId: string,
  ) {
    super();
  }
  stop(): void {
    this.readyState = 'ended';
  }
  getSettings(): MediaTrackSettings {
    return this.kind === 'video' ? { deviceId: this.deviceId, width: 1280, height: 720, frameRate: 30 } : { deviceId: this.deviceId };
  }
}

const node = () => ({ connect: (d: unknown) => d, disconnect: () => undefined });
/** An in-memory storage whose entries a test can scan. */
export interface FakeStore {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
  readonly entries: Map<string, string>;
}
const store = (): FakeStore => {
  const m = new Map<string, string>();
  return { get: (k) => m.get(k) ?? null, set: (k, v) => void m.set(k, v), remove: (k) => void m.delete(k), entries: m };
};

/** The platform, the tracks it opened, and the level its microphones hear (0..1 amplitude). */
export interface FakeChecklistPlatform extends Platform {
  readonly opened: FakeTrack[];
  amplitude: number;
  readonly sessionStorage: FakeStore;
  readonly persistentStorage: FakeStore;
}

export function fakeChecklistPlatform(): FakeChecklistPlatform {
  const opened: FakeTrack[] = [];
  const p: FakeChecklistPlatform = {
    opened,
    amplitude: 0,
    createWebSocket: () => {
      throw new Error('no WebSocket in these tests');
    },
    mediaDevices: {
      async getUserMedia(c: MediaStreamConstraints) {
        const track = new FakeTrack(c.audio ? 'audio' : 'video', c.audio ? 'mic-1' : 'cam-1');
        opened.push(track);
        const stream = {
          id: `s${opened.length}`,
          getTracks: () => [track],
          getAudioTracks: () => (c.audio ? [track] : []),
          getVideoTracks: () => (c.audio ? [] : [track]),
        };
        return Object.setPrototypeOf(stream, MediaStream.prototype) as MediaStream;
      },
      enumerateDevices: async () => [],
    },
    timers: {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      setInterval: (fn, ms) => setInterval(fn, ms),
      clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
      now: () => Date.now(),
    },
    randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
    isOnline: () => true,
    onNetworkChange: () => () => undefined,
    capabilities: () => ({ webrtc: true, encodedTransforms: true, setSinkId: false, screenShare: false }),
    createDevice: () => Promise.reject(new Error('no mediasoup device in these tests')),
    isSecureContext: () => true,
    sessionStorage: store(),
    persistentStorage: store(),
    createAudioContext: () => ({
      state: 'running',
      currentTime: 0,
      destination: node(),
      createMediaStreamSource: node,
      createAnalyser: () => ({ ...node(), fftSize: 1024, getFloatTimeDomainData: (a: Float32Array) => void a.fill(p.amplitude) }),
      createOscillator: () => ({ ...node(), type: 'sine', frequency: { value: 0 }, start: () => undefined, stop: () => undefined }),
      createGain: () => ({ ...node(), gain: { value: 1, setValueAtTime: () => undefined, linearRampToValueAtTime: () => undefined } }),
      resume: async () => undefined,
      close: async () => undefined,
    }),
  };
  return p;
}

/** A binding (what `Session` gives the checklist) that records submissions and sealed answers. */
export function fakeBinding(policy: ChecklistBinding['policy']) {
  const submitted: Parameters<ChecklistBinding['submit']>[0][] = [];
  const sealed: Parameters<ChecklistBinding['seal']>[0][] = [];
  const binding: ChecklistBinding = {
    sessionId: 'session-1',
    participantId: 'client-1',
    policy,
    signer: { identityKey: btoa(String.fromCharCode(...new Uint8Array(32))), sign: () => new Uint8Array(64) },
    async submit(data) {
      submitted.push(data);
      return { admissible: data.status.complete, missing: [] };
    },
    seal: (summary) => void sealed.push(summary),
    request: () => Promise.reject(new Error('no server in these tests')),
  };
  return { binding, submitted, sealed };
}
