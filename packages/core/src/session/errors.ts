import type { ErrorCode } from '@alcove/protocol';

/**
 * Codes raised by `@alcove/core` itself (the wire codes of `@alcove/protocol` are passed through
 * unchanged). Stable: a code is never reused for another meaning and never removed. The README
 * holds the table. User-facing text comes from these codes through the UI's message catalogue.
 */
export const CORE_ERROR_CODES = {
  // Connection
  CONNECTION_FAILED: 'The signalling connection could not be opened.',
  CONNECTION_LOST: 'The signalling connection closed or stopped answering heartbeats.',
  RECONNECT_FAILED: 'Reconnecting gave up (the reconnect policy returned null).',
  OFFLINE: 'The browser reports that it is offline.',
  // Signalling
  REQUEST_TIMEOUT: 'The server did not answer a request in time.',
  PROTOCOL_ERROR: 'The server sent a message that does not match the protocol.',
  // Media devices (mapped from DOMException names)
  PERMISSION_DENIED: 'The user or the browser denied access to the camera, microphone or screen (NotAllowedError/SecurityError).',
  DEVICE_NOT_FOUND: 'No camera or microphone matches (NotFoundError).',
  DEVICE_IN_USE: 'The device exists but cannot be read, usually because another application holds it (NotReadableError).',
  CONSTRAINTS_NOT_SATISFIED: 'No device satisfies the requested constraints (OverconstrainedError).',
  DEVICE_ABORTED: 'The device request was aborted (AbortError).',
  MEDIA_FAILED: 'Publishing or subscribing failed in the media layer.',
  // State and arguments
  INVALID_ARGUMENT: 'An argument is missing or malformed.',
  ABORTED: 'The operation was aborted (AbortSignal, leave() or end of session).',
  // Capabilities
  UNSUPPORTED_BROWSER: 'This browser lacks WebRTC or another required capability.',
  UNSUPPORTED_FEATURE: 'This browser does not support the requested feature (e.g. setSinkId, getDisplayMedia).',
  E2EE_UNAVAILABLE:
    'The session requires end-to-end encryption and this client cannot provide it (no `e2eeWorker`, or no encoded transforms in this browser).',
  // End-to-end encryption (non-fatal, emitted as `error`)
  E2EE_DECRYPT_FAILED: 'Frames of a participant are being dropped: missing or wrong key, or forged frames (throttled).',
  E2EE_HANDSHAKE_REFUSED: 'A key-agreement message from a participant was refused (bad signature, replay, mismatch).',
  E2EE_WORKER_ERROR: 'The E2EE worker reported a problem (e.g. a codec that cannot be encrypted).',
  CHAT_SEALED_REFUSED:
    'A sealed chat message or chat key-agreement message from a participant was refused (cannot be opened, changed identity, malformed); it is not shown.',
  CHECKLIST_SEALED_REFUSED:
    'A sealed checklist channel message from a participant was refused (bad signature, changed identity, replay) or its answers were malformed.',
  // --- Pre-session checklist (checklist/) — owned by the checklist; keep this block together -----
  CHECKLIST_NOT_BOUND: 'The checklist step needs the session (network test, consent receipt) and is not bound to one yet.',
  CHECKLIST_CLOSED: 'The checklist was closed.',
  STEP_NOT_FOUND: 'The session policy has no checklist step with this id.',
  STEP_REQUIRED: 'A required checklist step cannot be skipped.',
  STEP_BUSY: 'The checklist step is already running.',
  ANSWER_INVALID: 'A checklist answer is missing or malformed (see `field`).',
  ANSWER_TOO_LONG: 'A checklist answer is longer than allowed (see `field` and `maxLength`); nothing was truncated.',
  PHONE_INVALID_CHARS: 'A phone number contains characters other than digits, spaces, dashes, dots, parentheses and a leading +.',
  PHONE_TOO_SHORT: 'A phone number has fewer than 8 digits with its country code.',
  PHONE_TOO_LONG: 'A phone number has more than 15 digits with its country code (E.164).',
  PHONE_NEEDS_COUNTRY_CODE: 'A phone number has no country code (+…) and the location gives no country to infer it from.',
  CONSENT_REQUIRED: 'The consent document has not been acknowledged.',
  CONSENT_HASH_MISMATCH: 'The consent document text does not match the SHA-256 the policy names; it cannot be acknowledged.',
  NETWORK_TEST_FAILED: 'The network test could not send media through the server and back.',
  NETWORK_TEST_TIMEOUT: 'The network test measured nothing within its time bound.',
  CHECKLIST_SUBMIT_FAILED: 'The checklist status could not be submitted to the server; it is retried.',
  SUMMARY_INVALID: 'A sealed checklist summary is malformed or does not match the schema (untrusted input).',
  SUMMARY_TOO_LARGE: 'A checklist summary does not fit the sealed channel limit.',
  // --- end of the checklist block ---------------------------------------------------------------
} as const;

/** A code raised by `@alcove/core` itself. */
export type CoreErrorCode = keyof typeof CORE_ERROR_CODES;
/** Any code an {@link AlcoveError} may carry: a core code or a wire code from the server. */
export type AlcoveErrorCode = CoreErrorCode | ErrorCode;

/** Options shared by every Alcove error. */
export interface AlcoveErrorOptions {
  /** The underlying error (a `DOMException`, a wire error, another `AlcoveError`...). */
  readonly cause?: unknown;
}

/** Codes a {@link ConnectionError} carries. */
export type ConnectionErrorCode = Extract<
  CoreErrorCode,
  'CONNECTION_FAILED' | 'CONNECTION_LOST' | 'RECONNECT_FAILED' | 'OFFLINE' | 'ABORTED'
>;
/** Codes a {@link MediaDeviceError} carries (mapped from the browser's `DOMException` names, see `mapMediaError`). */
export type MediaDeviceErrorCode = Extract<
  CoreErrorCode,
  'PERMISSION_DENIED' | 'DEVICE_NOT_FOUND' | 'DEVICE_IN_USE' | 'CONSTRAINTS_NOT_SATISFIED' | 'DEVICE_ABORTED' | 'MEDIA_FAILED'
>;
/** Codes a {@link SignalingError} carries: the server's wire codes, plus what the client detects itself. */
export type SignalingErrorCode = ErrorCode | Extract<CoreErrorCode, 'REQUEST_TIMEOUT' | 'PROTOCOL_ERROR' | 'ABORTED'>;
/** Codes an {@link UnsupportedError} carries. */
export type UnsupportedErrorCode = Extract<CoreErrorCode, 'UNSUPPORTED_BROWSER' | 'UNSUPPORTED_FEATURE' | 'E2EE_UNAVAILABLE'>;

/**
 * Base class of every error `@alcove/core` throws or emits. Branch on `code`, never on `message`.
 * `C` is the union of codes the class carries: each subclass narrows it to its domain's codes, so
 * after `e instanceof MediaDeviceError`, `e.code` is a {@link MediaDeviceErrorCode}.
 * @example
 * try { await session.join(); }
 * catch (e) { if (e instanceof AlcoveError && e.code === 'SESSION_LOCKED') showLocked(); }
 */
export class AlcoveError<C extends AlcoveErrorCode = AlcoveErrorCode> extends Error {
  /** Stable SCREAMING_SNAKE code. */
  readonly code: C;
  override readonly name: string = 'AlcoveError';

  constructor(code: C, message: string, options: AlcoveErrorOptions = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.code = code;
  }

  /**
   * The usual `instanceof` (prototype chain), declared so that TypeScript narrows to the class with
   * its default codes (`e.code` typed) rather than to `AlcoveError<any>`.
   */
  static override [Symbol.hasInstance]<T>(this: abstract new (...args: never[]) => T, value: unknown): value is T {
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

/**
 * The signalling connection failed, was lost, or reconnecting gave up.
 * @example
 * session.on('failed', ({ error }) => { if (error instanceof ConnectionError) log(error.code); });
 */
export class ConnectionError<C extends ConnectionErrorCode = ConnectionErrorCode> extends AlcoveError<C> {
  override readonly name: string = 'ConnectionError';
}

/**
 * A camera, microphone, screen or speaker could not be used (mapped from the browser's DOMException).
 * @example
 * try { await session.setCameraEnabled(true); }
 * catch (e) { if (e instanceof MediaDeviceError && e.code === 'PERMISSION_DENIED') showHowToAllowCamera(); }
 */
export class MediaDeviceError<C extends MediaDeviceErrorCode = MediaDeviceErrorCode> extends AlcoveError<C> {
  override readonly name: string = 'MediaDeviceError';
}

/**
 * The server refused a request (`code` is the wire code, e.g. `NOT_ALLOWED`), did not answer in
 * time (`REQUEST_TIMEOUT`) or broke the protocol (`PROTOCOL_ERROR`).
 * @example
 * try { await session.join(); }
 * catch (e) { if (e instanceof SignalingError && e.code === 'SESSION_LOCKED') showLocked(); }
 */
export class SignalingError<C extends SignalingErrorCode = SignalingErrorCode> extends AlcoveError<C> {
  override readonly name: string = 'SignalingError';
}

/**
 * The method is not allowed in the session's current state. Its code is always `INVALID_STATE`.
 * @example
 * if (session.state === 'joined') await session.setMicrophoneEnabled(false); // else InvalidStateError
 */
export class InvalidStateError extends AlcoveError<'INVALID_STATE'> {
  override readonly name: string = 'InvalidStateError';
  constructor(message: string, options: AlcoveErrorOptions = {}) {
    super('INVALID_STATE', message, options);
  }
}

/**
 * The browser cannot do what was asked (no WebRTC, no `setSinkId`, no E2EE...).
 * @example
 * try { await session.setAudioOutput(id); }
 * catch (e) { if (e instanceof UnsupportedError) hideSpeakerPicker(); }
 */
export class UnsupportedError<C extends UnsupportedErrorCode = UnsupportedErrorCode> extends AlcoveError<C> {
  override readonly name: string = 'UnsupportedError';
}

/**
 * Whether a code means the participant can never come back (no retry makes sense).
 * @example
 * isTerminalCode('REMOVED'); // true
 */
export function isTerminalCode(code: AlcoveErrorCode): boolean {
  return code === 'REMOVED' || code === 'DENIED' || code === 'SESSION_ENDED' || code === 'SESSION_NOT_FOUND' || code === 'E2EE_REQUIRED';
}
