import type { Device } from 'mediasoup-client';

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
  /** `RTCPeerConnection` exists. */
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
export interface Platform {
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
