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
  /** Negotiated codec mime type, from signalling (never guessed from frames). */
  readonly codec: string;
  /** `passthrough`: no crypto (a non-E2EE track on an encoded-streams transport). */
  readonly mode?: 'e2ee' | 'passthrough';
}

/** Main thread → worker. */
export type ToWorker =
  | { readonly type: 'setup'; readonly readable: ReadableStream; readonly writable: WritableStream; readonly options: TransformOptions }
  | { readonly type: 'setSendKey'; readonly generation: number; readonly key: Uint8Array }
  | { readonly type: 'ratchetSendKey' }
  | { readonly type: 'setRecvKey'; readonly participantId: string; readonly generation: number; readonly step: number; readonly key: Uint8Array }
  | { readonly type: 'removeParticipant'; readonly participantId: string }
  | { readonly type: 'getStats' }
  | { readonly type: 'close' };

/** Per-transform counters. */
export interface TransformStats {
  readonly participantId: string;
  readonly track: string;
  readonly direction: 'send' | 'recv';
  readonly frames: number;
  readonly dropped: number;
  readonly lastDropReason?: string;
}

/** Worker → main thread. */
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'transformAttached'; readonly direction: 'send' | 'recv'; readonly participantId: string; readonly track: string }
  | { readonly type: 'sendKeyRatcheted'; readonly generation: number; readonly step: number; readonly key: Uint8Array }
  /** A receiver drops frames (throttled to ≤ 1/s per transform). */
  | { readonly type: 'decryptFailed'; readonly participantId: string; readonly track: string; readonly reason: string; readonly count: number }
  /** The first frame after a gap or a new key decrypted: ask for a key frame if it was a delta. */
  | { readonly type: 'stats'; readonly transforms: readonly TransformStats[] }
  | { readonly type: 'error'; readonly message: string };
