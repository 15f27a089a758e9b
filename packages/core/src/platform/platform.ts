import type { Device } from 'mediasoup-client';
import type { Logger } from './logger.js';

/** The slice of the browser `WebSocket` Alcove uses. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

/** Timer functions (injected so tests can use fake timers). */
export interface PlatformTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  /** Milliseconds, monotonic where possible. */
  now(): number;
}

/** The slice of `navigator.mediaDevices` Alcove uses. */
export interface MediaDevicesLike {
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
  getDisplayMedia?(constraints?: DisplayMediaStreamOptions): Promise<MediaStream>;
  enumerateDevices(): Promise<MediaDeviceInfo[]>;
}

/** What the browser can do. */
export interface PlatformCapabilities {
  /**
   * `RTCPeerConnection` exists, in a browser @alcove/core supports (the browser platform: Chrome or
   * Edge 111, Firefox 120, Safari 12 and newer); without it `Session.join` rejects with `UNSUPPORTED_BROWSER`.
   */
  readonly webrtc: boolean;
  /** Encoded transforms (`RTCRtpScriptTransform` or `createEncodedStreams`) exist: needed for E2EE. */
  readonly encodedTransforms: boolean;
  /** `HTMLMediaElement.prototype.setSinkId` exists (speaker selection). */
  readonly setSinkId: boolean;
  /** `getDisplayMedia` exists (screen share). */
  readonly screenShare: boolean;
}

/**
 * Everything browser-facing `@alcove/core` touches, injected so unit tests use fakes. Nothing in
 * the library reads `window` or `navigator` except {@link createBrowserPlatform}.
 * @example
 * const session = Session.create({ serverUrl, token, platform: createBrowserPlatform() });
 */
export interface Platform extends PlatformExtras {
  /** Opens a WebSocket to `url`. */
  createWebSocket(url: string): WebSocketLike;
  /** Camera, microphone and screen; `undefined` where the browser has none (insecure context). */
  readonly mediaDevices: MediaDevicesLike | undefined;
  readonly timers: PlatformTimers;
  /** `n` bytes from a CSPRNG. */
  randomBytes(n: number): Uint8Array;
  /** Whether the browser believes it is online. */
  isOnline(): boolean;
  /** Subscribes to `online`/`offline`; returns the unsubscribe function. */
  onNetworkChange(listener: (online: boolean) => void): () => void;
  /** Capability probes. */
  capabilities(): PlatformCapabilities;
  /** Creates a mediasoup-client `Device` (not yet loaded). */
  createDevice(): Promise<Device>;
}

// --- Optional members (checklist, persistence). Absent members mean "not available here". --------

/**
 * A small synchronous key-value store (the slice of Web Storage Alcove uses). Implementations never
 * throw: where the browser refuses (private mode, quota), reads return `null` and writes do nothing.
 */
export interface KeyValueStorage {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
}

/** The slice of the Network Information API Alcove reads (`navigator.connection`). */
export interface NetworkInformationLike {
  /** `wifi`, `ethernet`, `cellular`, `bluetooth`, `wimax`, `other`, `none`, `unknown` (mostly Android). */
  readonly type?: string;
  /** `slow-2g`, `2g`, `3g` or `4g`. */
  readonly effectiveType?: string;
  /** Estimated downlink, Mbit/s. */
  readonly downlink?: number;
  /** Estimated round-trip time, ms. */
  readonly rtt?: number;
}

/** What the browser says about the kind of device (from `navigator.userAgentData` where present). */
export type DeviceTypeHint = 'computer' | 'tablet' | 'phone';

/** An `AudioNode` as the checklist uses it. */
export interface AudioNodeLike {
  connect(destination: AudioNodeLike | unknown): unknown;
  disconnect(): void;
}

/** The slice of `AnalyserNode` the microphone level meter uses. */
export interface AnalyserNodeLike extends AudioNodeLike {
  fftSize: number;
  getFloatTimeDomainData(array: Float32Array<ArrayBuffer>): void;
}

/** The slice of `OscillatorNode` the speaker test tone uses. */
export interface OscillatorNodeLike extends AudioNodeLike {
  type: string;
  readonly frequency: { value: number };
  start(when?: number): void;
  stop(when?: number): void;
}

/** The slice of `GainNode` the speaker test tone uses. */
export interface GainNodeLike extends AudioNodeLike {
  readonly gain: {
    value: number;
    setValueAtTime(value: number, time: number): unknown;
    linearRampToValueAtTime(value: number, time: number): unknown;
  };
}

/** A `MediaStreamAudioDestinationNode`: routes audio to a stream (played by an element with `setSinkId`). */
export interface MediaStreamDestinationLike extends AudioNodeLike {
  readonly stream: MediaStream;
}

/** The slice of `AudioContext` the microphone meter and speaker tone use. */
export interface AudioContextLike {
  readonly state: string;
  /** Samples per second (the level meter sizes its window by it; 48000 when absent). */
  readonly sampleRate?: number;
  readonly currentTime: number;
  readonly destination: unknown;
  createMediaStreamSource(stream: MediaStream): AudioNodeLike;
  createAnalyser(): AnalyserNodeLike;
  createOscillator(): OscillatorNodeLike;
  createGain(): GainNodeLike;
  createMediaStreamDestination?(): MediaStreamDestinationLike;
  /** Chromium 110+: route the context to an output device. */
  setSinkId?(sinkId: string): Promise<void>;
  resume(): Promise<void>;
  close(): Promise<void>;
}

/** The slice of `HTMLAudioElement` the speaker test uses for output-device selection. */
export interface AudioElementLike {
  srcObject: MediaStream | null;
  muted: boolean;
  play(): Promise<void>;
  pause(): void;
  setSinkId?(sinkId: string): Promise<void>;
}

/** Options of {@link Platform.createProbeTrack}. */
export interface ProbeTrackOptions {
  readonly width: number;
  readonly height: number;
  readonly frameRate: number;
}

/** A synthetic video track (moving noise) and the function that stops drawing it. */
export interface ProbeTrack {
  readonly track: MediaStreamTrack;
  /** Stops drawing and ends the track. Idempotent. */
  stop(): void;
}

/**
 * Optional browser features the pre-session checklist and persistence use. Every member is optional:
 * code must treat an absent one as "not available" (and fakes need not implement them).
 */
export interface PlatformExtras {
  /**
   * Where the library logs (namespaced, levelled, redacting: see `createLogger`). Default: the
   * console at `warn` and above. Swallowed errors are logged at `debug`.
   */
  readonly logger?: Logger;
  /** Per-tab storage (`sessionStorage`): survives a reload in the same tab. */
  readonly sessionStorage?: KeyValueStorage | undefined;
  /** Device storage (`localStorage`): what is remembered across sessions. */
  readonly persistentStorage?: KeyValueStorage | undefined;
  /** Wall-clock time, Unix ms (default `Date.now()`). */
  wallClock?(): number;
  /** Whether the page runs in a secure context (HTTPS or localhost). */
  isSecureContext?(): boolean;
  /** Creates an `AudioContext`, or `undefined` where there is none. */
  createAudioContext?(): AudioContextLike | undefined;
  /** Creates a detached `<audio>` element (speaker output selection with `setSinkId`). */
  createAudioElement?(): AudioElementLike | undefined;
  /** The Network Information API object, when the browser has one. */
  networkInformation?(): NetworkInformationLike | undefined;
  /** The device kind the browser reports, when it does. */
  deviceTypeHint?(): DeviceTypeHint | undefined;
  /** A synthetic video track (canvas with moving noise) for the network test: never the camera. */
  createProbeTrack?(options: ProbeTrackOptions): ProbeTrack | undefined;
  /**
   * Counts the frames a video stream actually delivers for `durationMs` and returns frames per
   * second, or `undefined` when it cannot be measured here.
   */
  measureFrameRate?(stream: MediaStream, durationMs: number, signal?: AbortSignal): Promise<number | undefined>;
  /** SHA-256 of `data` (default `crypto.subtle`). */
  sha256?(data: Uint8Array): Promise<Uint8Array>;
}
