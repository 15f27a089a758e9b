/**
 * Fakes for the checklist's unit tests: devices with settings, an AudioContext whose level the test
 * sets, a probe track, a mediasoup-like Device whose stats follow a scripted link, and a request
 * function for `network.test*`. Timers are the global ones (use `vi.useFakeTimers()`).
 */
import type { RequestData, RequestMethod, ResponseData } from '@alcove/protocol';
import nacl from 'tweetnacl';
import type {
  AnalyserNodeLike,
  AudioContextLike,
  AudioElementLike,
  AudioNodeLike,
  GainNodeLike,
  MediaDevicesLike,
  MediaStreamDestinationLike,
  NetworkInformationLike,
  OscillatorNodeLike,
  Platform,
  PlatformCapabilities,
  ProbeTrack,
} from '../../platform/platform.js';
import { MemoryStorage } from '../../test/fake-platform.js';
import { toBase64 } from '../../e2ee/encoding.js';
import type { ChecklistBinding, ChecklistSigner } from '../types.js';
import type { SealedSummary } from '../summary.js';

/** A fake track with the settings a real camera or microphone reports. */
export class TestTrack extends EventTarget {
  readyState: 'live' | 'ended' = 'live';
  constructor(
    readonly kind: 'audio' | 'video',
    readonly settings: MediaTrackSettings,
  ) {
    super();
  }
  stop(): void {
    this.readyState = 'ended';
  }
  getSettings(): MediaTrackSettings {
    return this.settings;
  }
  /** Simulates unplugging. */
  end(): void {
    this.readyState = 'ended';
    this.dispatchEvent(new Event('ended'));
  }
}

/** A fake stream of one track. */
export function testStream(track: TestTrack): MediaStream {
  return {
    id: `stream-${track.kind}`,
    getTracks: () => [track],
    getAudioTracks: () => (track.kind === 'audio' ? [track] : []),
    getVideoTracks: () => (track.kind === 'video' ? [track] : []),
  } as unknown as MediaStream;
}

const info = (deviceId: string, kind: MediaDeviceKind, label: string): MediaDeviceInfo =>
  ({ deviceId, kind, label, groupId: 'g', toJSON: () => ({}) }) as MediaDeviceInfo;

/** Fake media devices: tracks carry settings; `failNext` throws a DOMException-like error once. */
export class TestMediaDevices implements MediaDevicesLike {
  readonly opened: TestTrack[] = [];
  readonly constraints: MediaStreamConstraints[] = [];
  failNext: string | undefined;
  video: MediaTrackSettings = { width: 1280, height: 720, frameRate: 30 };
  /** Delays getUserMedia until resolved (to test aborts). */
  gate: Promise<void> | undefined;
  devices: MediaDeviceInfo[] = [
    info('cam-1', 'videoinput', 'Camera 1'),
    info('cam-2', 'videoinput', 'Camera 2'),
    info('mic-1', 'audioinput', 'Mic 1'),
    info('spk-1', 'audiooutput', 'Speaker 1'),
    info('spk-2', 'audiooutput', 'Headphones'),
  ];

  async getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream> {
    this.constraints.push(constraints);
    if (this.gate) await this.gate;
    if (this.failNext) {
      const name = this.failNext;
      this.failNext = undefined;
      throw Object.assign(new Error(name), { name });
    }
    const kind = constraints.audio ? 'audio' : 'video';
    const c = (kind === 'audio' ? constraints.audio : constraints.video) as MediaTrackConstraints;
    const deviceId = (c.deviceId as { exact?: string } | undefined)?.exact ?? (kind === 'audio' ? 'mic-1' : 'cam-1');
    const track = new TestTrack(kind, kind === 'video' ? { ...this.video, deviceId } : { deviceId });
    this.opened.push(track);
    return testStream(track);
  }

  async enumerateDevices(): Promise<MediaDeviceInfo[]> {
    return this.devices;
  }
}

class Node implements AudioNodeLike {
  connected: unknown[] = [];
  disconnected = false;
  connect(d: unknown): unknown {
    this.connected.push(d);
    return d;
  }
  disconnect(): void {
    this.disconnected = true;
  }
}

/**
 * A fake AudioContext: the analyser returns a constant signal of `amplitude`, or what `samples`
 * gives for its window size when set.
 */
export class TestAudioContext implements AudioContextLike {
  state = 'suspended';
  currentTime = 0;
  readonly sampleRate = 48_000;
  samples: ((size: number) => Float32Array) | undefined;
  readonly destination = new Node();
  amplitude = 0;
  closed = false;
  sinkId: string | undefined;
  readonly oscillators: (OscillatorNodeLike & { started: boolean; stopped: boolean })[] = [];
  setSinkId?: (id: string) => Promise<void>;

  constructor(withSinkId = false) {
    if (withSinkId) {
      this.setSinkId = async (id: string) => {
        this.sinkId = id;
      };
    }
  }
  createMediaStreamSource(): AudioNodeLike {
    return new Node();
  }
  createAnalyser(): AnalyserNodeLike {
    const ctx = this;
    return Object.assign(new Node(), {
      fftSize: 2048,
      getFloatTimeDomainData(a: Float32Array<ArrayBuffer>): void {
        if (ctx.samples) a.set(ctx.samples(a.length));
        else a.fill(ctx.amplitude);
      },
    });
  }
  createOscillator(): OscillatorNodeLike {
    const osc = Object.assign(new Node(), {
      type: 'sine',
      frequency: { value: 0 },
      started: false,
      stopped: false,
      start(): void {
        osc.started = true;
      },
      stop(): void {
        osc.stopped = true;
      },
    });
    this.oscillators.push(osc);
    return osc;
  }
  createGain(): GainNodeLike {
    return Object.assign(new Node(), { gain: { value: 1, setValueAtTime: () => undefined, linearRampToValueAtTime: () => undefined } });
  }
  createMediaStreamDestination(): MediaStreamDestinationLike {
    return Object.assign(new Node(), { stream: { id: 'dest' } as unknown as MediaStream });
  }
  async resume(): Promise<void> {
    this.state = 'running';
  }
  async close(): Promise<void> {
    this.closed = true;
    this.state = 'closed';
  }
}

/** A fake audio element with `setSinkId`. */
export class TestAudioElement implements AudioElementLike {
  srcObject: MediaStream | null = null;
  muted = false;
  playing = false;
  sinkId: string | undefined;
  async play(): Promise<void> {
    this.playing = true;
  }
  pause(): void {
    this.playing = false;
  }
  async setSinkId(id: string): Promise<void> {
    this.sinkId = id;
  }
}

/** The platform of checklist tests. */
export interface TestPlatform extends Platform {
  readonly media: TestMediaDevices;
  readonly audioContexts: TestAudioContext[];
  readonly audioElements: TestAudioElement[];
  readonly probes: (ProbeTrack & { stopped: boolean })[];
  readonly sessionStorage: MemoryStorage;
  readonly persistentStorage: MemoryStorage;
  caps: PlatformCapabilities;
  secure: boolean;
  /** What `createAudioContext` returns: a context (with `setSinkId` when true), or none. */
  audio: 'none' | 'plain' | 'sink';
  /** Next audio contexts start with this amplitude. */
  amplitude: number;
  netInfo: NetworkInformationLike | undefined;
  hint: 'computer' | 'tablet' | 'phone' | undefined;
  measuredFps: number | undefined;
  /** The mediasoup-like device the network test gets. */
  device: () => FakeDevice;
}

/** Creates a checklist test platform. */
export function createTestPlatform(overrides: Partial<Pick<TestPlatform, 'sessionStorage' | 'persistentStorage'>> = {}): TestPlatform {
  const media = new TestMediaDevices();
  const p: TestPlatform = {
    media,
    audioContexts: [],
    audioElements: [],
    probes: [],
    sessionStorage: overrides.sessionStorage ?? new MemoryStorage(),
    persistentStorage: overrides.persistentStorage ?? new MemoryStorage(),
    caps: { webrtc: true, encodedTransforms: true, setSinkId: true, screenShare: true },
    secure: true,
    audio: 'plain',
    amplitude: 0,
    netInfo: undefined,
    hint: undefined,
    measuredFps: undefined,
    device: () => new FakeDevice(new FakeLink()),
    createWebSocket: () => {
      throw new Error('no WebSocket in checklist tests');
    },
    mediaDevices: media,
    timers: {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
      setInterval: (fn, ms) => setInterval(fn, ms),
      clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
      now: () => Date.now(),
    },
    randomBytes: (n) => nacl.randomBytes(n),
    isOnline: () => true,
    onNetworkChange: () => () => undefined,
    capabilities: () => p.caps,
    createDevice: async () => p.device() as never,
    wallClock: () => Date.now(),
    isSecureContext: () => p.secure,
    createAudioContext() {
      if (p.audio === 'none') return undefined;
      const ctx = new TestAudioContext(p.audio === 'sink');
      ctx.amplitude = p.amplitude;
      p.audioContexts.push(ctx);
      return ctx;
    },
    createAudioElement() {
      const el = new TestAudioElement();
      p.audioElements.push(el);
      return el;
    },
    networkInformation: () => p.netInfo,
    deviceTypeHint: () => p.hint,
    createProbeTrack() {
      const probe = {
        track: new TestTrack('video', { width: 640, height: 480 }) as unknown as MediaStreamTrack,
        stopped: false,
        stop() {
          probe.stopped = true;
        },
      };
      p.probes.push(probe);
      return probe;
    },
    measureFrameRate: async () => p.measuredFps,
  };
  return p;
}

// --- Network test fakes --------------------------------------------------------------------------

/** A scripted link: steady bitrate after `rampMs`, loss, RTT and jitter. */
export class FakeLink {
  kbps = 2000;
  rampMs = 0;
  lossPct = 0;
  rttMs = 30;
  jitterMs = 4;
  /** No media comes back at all (ICE never connects). */
  dead = false;
  /** Bitrate alternates ±this fraction every sample (an unstable link). */
  wobble = 0;
}

type Listener = (...args: unknown[]) => void;

class FakeEmitter {
  readonly #listeners = new Map<string, Listener[]>();
  on(event: string, fn: Listener): this {
    this.#listeners.set(event, [...(this.#listeners.get(event) ?? []), fn]);
    return this;
  }
  protected call<T>(event: string, params: unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const fn = this.#listeners.get(event)?.[0];
      if (!fn) return reject(new Error(`no ${event} listener`));
      fn(params, resolve, reject);
    });
  }
}

/** A fake mediasoup-client transport. */
export class FakeTransport extends FakeEmitter {
  closed = false;
  #connected = false;
  constructor(
    readonly id: string,
    readonly direction: 'send' | 'recv',
    readonly link: FakeLink,
  ) {
    super();
  }
  async #connect(): Promise<void> {
    if (this.#connected) return;
    this.#connected = true;
    await this.call('connect', { dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AA' }] } });
  }
  async produce(options: { track: MediaStreamTrack; encodings?: unknown; codecOptions?: unknown }): Promise<FakeProducer> {
    await this.#connect();
    const { id } = await this.call<{ id: string }>('produce', { kind: 'video', rtpParameters: { codecs: [], encodings: [] }, appData: {} });
    return new FakeProducer(id, options);
  }
  async consume(options: { id: string; producerId: string; kind: string; rtpParameters: unknown }): Promise<FakeConsumer> {
    await this.#connect();
    return new FakeConsumer(options.id, this.link);
  }
  async getStats(): Promise<Map<string, Record<string, unknown>>> {
    const m = new Map<string, Record<string, unknown>>();
    if (this.link.dead) return m;
    m.set('T1', { type: 'transport', selectedCandidatePairId: 'CP1' });
    m.set('CP1', { type: 'candidate-pair', state: 'succeeded', nominated: true, currentRoundTripTime: this.link.rttMs / 1000 });
    return m;
  }
  close(): void {
    this.closed = true;
  }
}

/** A fake producer. */
export class FakeProducer {
  closed = false;
  constructor(
    readonly id: string,
    readonly options: { encodings?: unknown; codecOptions?: unknown },
  ) {}
  close(): void {
    this.closed = true;
  }
}

/** A fake consumer whose inbound-rtp follows the link from its creation. */
export class FakeConsumer {
  closed = false;
  readonly #start = Date.now();
  #bytes = 0;
  #received = 0;
  #lost = 0;
  #last = Date.now();
  #n = 0;
  constructor(
    readonly id: string,
    readonly link: FakeLink,
  ) {}
  async getStats(): Promise<Map<string, Record<string, unknown>>> {
    const now = Date.now();
    const dt = now - this.#last;
    this.#last = now;
    const l = this.link;
    if (!l.dead && dt > 0) {
      const ramp = l.rampMs > 0 ? Math.min(1, (now - this.#start) / l.rampMs) : 1;
      const wobble = l.wobble ? (this.#n++ % 2 === 0 ? 1 + l.wobble : 1 - l.wobble) : 1;
      const bytes = (l.kbps * ramp * wobble * dt) / 8;
      this.#bytes += bytes;
      const packets = bytes / 1000;
      const lost = (packets * l.lossPct) / (100 - l.lossPct);
      this.#received += packets;
      this.#lost += lost;
    }
    const m = new Map<string, Record<string, unknown>>();
    m.set('IN', {
      type: 'inbound-rtp',
      kind: 'video',
      timestamp: now,
      bytesReceived: Math.round(this.#bytes),
      packetsReceived: Math.round(this.#received),
      packetsLost: Math.round(this.#lost),
      jitter: l.jitterMs / 1000,
    });
    return m;
  }
  close(): void {
    this.closed = true;
  }
}

/** A fake mediasoup-client Device. */
export class FakeDevice {
  loaded = false;
  canVideo = true;
  readonly transports: FakeTransport[] = [];
  readonly rtpCapabilities = { codecs: [], headerExtensions: [] };
  constructor(readonly link: FakeLink) {}
  async load(): Promise<void> {
    this.loaded = true;
  }
  canProduce(kind: string): boolean {
    return kind === 'video' ? this.canVideo : true;
  }
  createSendTransport(o: { id: string }): FakeTransport {
    const t = new FakeTransport(o.id, 'send', this.link);
    this.transports.push(t);
    return t;
  }
  createRecvTransport(o: { id: string }): FakeTransport {
    const t = new FakeTransport(o.id, 'recv', this.link);
    this.transports.push(t);
    return t;
  }
}

/** A scripted server for `network.test*` (and `checklist.submit`). */
export class FakeTestServer {
  readonly calls: { method: RequestMethod; data: unknown; signal?: AbortSignal | undefined }[] = [];
  /** Methods that fail (rejected with an Error). */
  readonly failing = new Set<RequestMethod>();
  /** Methods that never answer. */
  readonly hanging = new Set<RequestMethod>();
  link: FakeLink;
  upLossPct = 0;
  #bytes = 0;

  constructor(link = new FakeLink()) {
    this.link = link;
  }

  readonly request = async <M extends RequestMethod>(method: M, data: RequestData<M>, signal?: AbortSignal): Promise<ResponseData<M>> => {
    this.calls.push({ method, data, signal });
    if (this.hanging.has(method)) return new Promise<never>(() => undefined);
    if (this.failing.has(method)) throw new Error(`${method} refused`);
    const transport = (id: string) => ({
      transportId: id,
      iceParameters: { usernameFragment: 'u', password: 'p' },
      iceCandidates: [],
      dtlsParameters: { fingerprints: [] },
    });
    switch (method) {
      case 'network.testStart':
        return {
          testId: 'test-1',
          rtpCapabilities: { codecs: [], headerExtensions: [] },
          send: transport('send-1'),
          recv: transport('recv-1'),
          timeoutMs: 15_000,
        } as never;
      case 'network.testProduce':
        return { producerId: 'p-1', consumerId: 'c-1', kind: 'video', rtpParameters: { codecs: [], encodings: [] } } as never;
      case 'network.testStats': {
        this.#bytes += 1000;
        const received = this.#bytes / 10;
        return {
          packetsReceived: received,
          packetsLost: Math.round((received * this.upLossPct) / 100),
          bytesReceived: this.#bytes,
          jitterMs: this.link.jitterMs,
        } as never;
      }
      default:
        return {} as never;
    }
  };

  count(method: RequestMethod): number {
    return this.calls.filter((c) => c.method === method).length;
  }
}

/** An Ed25519 signer for consent receipts. */
export function testSigner(): ChecklistSigner & { readonly secretKey: Uint8Array } {
  const kp = nacl.sign.keyPair();
  return { identityKey: toBase64(kp.publicKey), secretKey: kp.secretKey, sign: (m) => nacl.sign.detached(m, kp.secretKey) };
}

/** A binding that records submissions and sealed summaries. */
export function testBinding(
  policy: ChecklistBinding['policy'],
  server = new FakeTestServer(),
  ids: { sessionId?: string; participantId?: string } = {},
): ChecklistBinding & {
  readonly submitted: RequestData<'checklist.submit'>[];
  readonly sealed: SealedSummary[];
  server: FakeTestServer;
  failSubmit: number;
} {
  const b = {
    sessionId: ids.sessionId ?? 'session-1',
    participantId: ids.participantId ?? 'client-1',
    policy,
    signer: testSigner(),
    submitted: [] as RequestData<'checklist.submit'>[],
    sealed: [] as SealedSummary[],
    server,
    failSubmit: 0,
    async submit(data: RequestData<'checklist.submit'>): Promise<ResponseData<'checklist.submit'>> {
      if (b.failSubmit > 0) {
        b.failSubmit--;
        throw new Error('offline');
      }
      b.submitted.push(data);
      return {
        admissible: data.status.complete,
        missing: Object.entries(data.status.steps)
          .filter(([, s]) => s === 'pending')
          .map(([id]) => id),
      };
    },
    seal(summary: SealedSummary): void {
      b.sealed.push(summary);
    },
    request: server.request,
  };
  return b;
}
