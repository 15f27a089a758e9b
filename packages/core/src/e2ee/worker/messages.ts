import type { DeviceKey } from '../identity-store.js';

/**
 * Messages between the main thread and the E2EE worker. Keys cross this boundary only as
 * transferable byte arrays; the main thread never logs or keeps them.
 */

/** Options a transform is created with (`RTCRtpScriptTransform` options or the legacy `setup`). */
export interface TransformOptions {
  readonly direction: 'send' | 'recv';
  /** The sending participant (ours for `send`, the remote one for `recv`). */
  readonly participantId: string;
  /** Track label: `mic`, `cam`, `screen`, `screen-audio`. */
  readonly track: string;
  /**
   * Negotiated codec mime type, from signalling. Optional for senders whose frames carry
   * `getMetadata().mimeType` (the encoder's own codec); receivers read the clear-prefix length
   * from the authenticated trailer and never need it.
   */
  readonly codec?: string;
  /** `passthrough`: no crypto (a non-E2EE track on an encoded-streams transport). */
  readonly mode?: 'e2ee' | 'passthrough';
}

/** Main thread → worker. */
export type ToWorker =
  | { readonly type: 'setup'; readonly readable: ReadableStream; readonly writable: WritableStream; readonly options: TransformOptions }
  | { readonly type: 'setSendKey'; readonly generation: number; readonly key: Uint8Array }
  | { readonly type: 'ratchetSendKey' }
  | {
      readonly type: 'setRecvKey';
      readonly participantId: string;
      readonly generation: number;
      readonly step: number;
      readonly key: Uint8Array;
    }
  | { readonly type: 'removeParticipant'; readonly participantId: string }
  | { readonly type: 'getStats' }
  /** A receiver asked the server for a key frame of our `track` (`media.keyFrameRequested`). */
  | { readonly type: 'keyFrame'; readonly track: string }
  /** Start key agreement for this participant (keys then come from pair handshakes, not the main thread). */
  | {
      readonly type: 'init';
      readonly sessionId: string;
      readonly selfId: string;
      readonly role: string;
      /**
       * The device identity: a non-extractable WebCrypto Ed25519 key (structured-cloned, its bytes
       * never in script) with its raw public key, or the 32-byte seed (a copy) where the browser has
       * no Ed25519 in WebCrypto; absent: a fresh identity.
       */
      readonly identity?: DeviceKey | undefined;
    }
  | { readonly type: 'peerJoined'; readonly peerId: string }
  /** The identity key a peer published (`e2ee.publishKey`, from its participant info); its handshake must use it. */
  | { readonly type: 'peerIdentity'; readonly peerId: string; readonly identityKey?: string | undefined }
  | { readonly type: 'peerLeft'; readonly peerId: string }
  /** An `e2ee.message` from the server, passed through unread. */
  | {
      readonly type: 'signal';
      readonly from: string;
      readonly relayType: 'commit' | 'reveal' | 'sealed' | 'roster';
      readonly payload: string;
    }
  | { readonly type: 'close' };

/** Per-transform counters. */
export interface TransformStats {
  /** The sending participant (ours for `send`). */
  readonly participantId: string;
  /** Track label: `mic`, `cam`, `screen`, `screen-audio`. */
  readonly track: string;
  /** `send`: frames this client sealed; `recv`: frames it opened. */
  readonly direction: 'send' | 'recv';
  /** Frames sealed (send) or opened and passed on (recv). */
  readonly frames: number;
  /** Frames dropped: no key, bad tag, replay, unknown key id (fail closed). */
  readonly dropped: number;
  /** Why the last frame was dropped, e.g. `AUTH_FAILED`, `UNKNOWN_KEY`, `REPLAY`. */
  readonly lastDropReason?: string;
  /** Frames dropped by reason (`NO_KEY`, `UNKNOWN_KEY`, `AUTH_FAILED`, `REPLAY`, `MALFORMED`…). */
  readonly droppedByReason?: Readonly<Record<string, number>>;
}

/** One remote participant's key state in the worker (no key material). */
export interface WorkerPeerStatus {
  readonly peer: string;
  /** The pair handshake completed. */
  readonly paired: boolean;
  /** A media key of this peer is held. */
  readonly keyed: boolean;
  /** Newest key generation held, or -1. */
  readonly generation: number;
  /** A frame of this peer opened under that newest key. */
  readonly decryptedInEpoch: boolean;
  /** Its receive transforms got frames (opened or dropped) in the last second. */
  readonly sending: boolean;
  /** Frames opened in the key-switch grace windows. */
  readonly graceOpened: number;
  /** Fingerprint of its identity key (once paired). */
  readonly fingerprint?: string;
  /** Its handshake waits for the identity key it published. */
  readonly awaitingPublishedKey: boolean;
}

/** Key state of this participant, as the worker sees it. */
export interface WorkerStatus {
  /** Our sender key is set (frames are sealed; without it they are dropped). */
  readonly localKeyed: boolean;
  readonly generation: number;
  readonly peers: readonly WorkerPeerStatus[];
  /** Refused handshake/control messages by reason. */
  readonly refused: Readonly<Record<string, number>>;
  /** Key frames requested after a key switch (standard path): from our encoders, or from a peer that switched. */
  readonly keyFramesRequested: number;
}

/** Worker → main thread. */
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'transformAttached'; readonly direction: 'send' | 'recv'; readonly participantId: string; readonly track: string }
  | { readonly type: 'sendKeyRatcheted'; readonly generation: number; readonly step: number; readonly key: Uint8Array }
  /** A receiver drops frames (throttled to ≤ 1/s per transform). */
  | {
      readonly type: 'decryptFailed';
      readonly participantId: string;
      readonly track: string;
      readonly reason: string;
      readonly count: number;
    }
  /** The first frame after a gap or a new key decrypted: ask for a key frame if it was a delta. */
  | { readonly type: 'stats'; readonly transforms: readonly TransformStats[] }
  /** Ask the server for a key frame of this participant's video (`media.requestKeyFrame`): the legacy path has no API for it. */
  | { readonly type: 'keyFrameWanted'; readonly participantId: string }
  /** Key state changed (or the once-a-second activity check saw a change). */
  | { readonly type: 'status'; readonly status: WorkerStatus }
  | { readonly type: 'error'; readonly message: string }
  /** This device's identity public key, for `e2ee.publishKey`. */
  | { readonly type: 'identity'; readonly identityKey: string }
  /** Send through the server as `e2ee.relay`. */
  | { readonly type: 'relay'; readonly to: string; readonly relayType: 'commit' | 'reveal' | 'sealed' | 'roster'; readonly payload: string }
  /** The short authentication string of a pair, to compare aloud. */
  | {
      readonly type: 'sas';
      readonly peer: string;
      readonly peerRole: string;
      /**
       * The pair's 6 security-code bytes (public: both sides read them aloud). The main thread renders
       * them as emoji and digits, so the worker does not carry the emoji table.
       */
      readonly code: Uint8Array;
      /** The peer's identity key (public, base64) and its fingerprint. */
      readonly identityKey: string;
      readonly fingerprint: string;
    }
  | { readonly type: 'peerKeyed'; readonly peer: string }
  | { readonly type: 'refused'; readonly peer: string; readonly reason: string };
