/** Every code, in the order of {@link ERROR_CODES} (the client checks codes against this list only). */
export const ERROR_CODE_LIST = [
  'MESSAGE_TOO_LARGE',
  'INVALID_JSON',
  'DUPLICATE_KEY',
  'FORBIDDEN_KEY',
  'TOO_DEEP',
  'INVALID_MESSAGE',
  'UNKNOWN_METHOD',
  'UNSUPPORTED_VERSION',
  'UNAUTHENTICATED',
  'INVALID_TOKEN',
  'NOT_ALLOWED',
  'NOT_ADMITTED',
  'SESSION_NOT_FOUND',
  'SESSION_LOCKED',
  'SESSION_FULL',
  'SESSION_ENDED',
  'REMOVED',
  'DENIED',
  'ALREADY_JOINED',
  'NOT_FOUND',
  'INVALID_STATE',
  'E2EE_REQUIRED',
  'E2EE_NOT_ENCRYPTED',
  'UNSUPPORTED_CODEC',
  'CANNOT_CONSUME',
  'MEDIA_ERROR',
  'SCREEN_SHARE_NOT_ALLOWED',
  'UNKNOWN_STEP',
  'CHECKLIST_INCOMPLETE',
  'LICENSURE_BLOCKED',
  'PAYLOAD_TOO_LARGE',
  'INVALID_RECEIPT',
  'RATE_LIMITED',
  'SHUTTING_DOWN',
  'TIMEOUT',
  'INTERNAL_ERROR',
] as const;

/** A stable SCREAMING_SNAKE error code. */
export type ErrorCode = (typeof ERROR_CODE_LIST)[number];

/**
 * The stable error codes Alcove puts on the wire and on thrown errors. A code is never reused for
 * another meaning and never removed; user-facing text comes from a code through the UI's message
 * catalogue, never from an error's `message`.
 *
 * What each code means, for developers. Built by a pure function so that a client bundle, which
 * needs only {@link ERROR_CODE_LIST}, can leave the descriptions out.
 */
export const ERROR_CODES: { readonly [C in ErrorCode]: string } = /* @__PURE__ */ (() =>
  ({
    // Framing and validation (any message).
    MESSAGE_TOO_LARGE: 'The message is larger than the connection allows.',
    INVALID_JSON: 'The message is not well-formed JSON.',
    DUPLICATE_KEY: 'An object in the message has the same key twice.',
    FORBIDDEN_KEY: 'The message uses a reserved key (__proto__, constructor or prototype).',
    TOO_DEEP: 'The message nests deeper than allowed.',
    INVALID_MESSAGE: 'The message does not match the schema of its method (wrong type, missing or unknown field).',
    UNKNOWN_METHOD: 'No such method.',
    UNSUPPORTED_VERSION: 'The protocol version is not supported.',
    // Authentication and admission.
    UNAUTHENTICATED: 'The connection has not joined a session yet.',
    INVALID_TOKEN: 'The join token or resume ticket is not valid (any reason: signature, expiry, claims, reuse).',
    NOT_ALLOWED: "The participant's role or state does not allow this action.",
    NOT_ADMITTED: 'The participant is still in the waiting room.',
    SESSION_NOT_FOUND: 'No such session, or not allowed to see it.',
    SESSION_LOCKED: 'The session is locked; nobody new may enter.',
    SESSION_FULL: 'The session has reached its maximum number of participants.',
    SESSION_ENDED: 'The session has ended.',
    REMOVED: 'The participant was removed by the host and cannot return.',
    DENIED: 'The host denied entry.',
    ALREADY_JOINED: 'This connection has already joined.',
    // Resources and media.
    NOT_FOUND: 'The referenced participant, transport, producer or consumer does not exist.',
    INVALID_STATE: 'The request is not valid in the current state.',
    E2EE_REQUIRED: 'The session requires end-to-end encryption and the request would not provide it.',
    E2EE_NOT_ENCRYPTED:
      "A producer's frames arrived without the end-to-end encryption trailer in a session that requires it; the server closed the producer.",
    UNSUPPORTED_CODEC: 'The codec or RTP parameters are not supported by the router.',
    CANNOT_CONSUME: "The consumer's RTP capabilities cannot receive this producer.",
    MEDIA_ERROR: 'The media engine refused the request.',
    SCREEN_SHARE_NOT_ALLOWED: 'The host has not allowed screen sharing.',
    // Pre-session checklist.
    UNKNOWN_STEP: 'The checklist submission names a step the session policy does not define.',
    CHECKLIST_INCOMPLETE: "The session requires the checklist's required steps before admission, and they are not done.",
    LICENSURE_BLOCKED: "The client's location is outside the therapist's licensed jurisdictions and the policy blocks admission.",
    PAYLOAD_TOO_LARGE: 'A sealed payload is larger than allowed for one recipient.',
    INVALID_RECEIPT: "The consent receipt does not match the session's consent document or its signature does not verify.",
    // Load and lifecycle.
    RATE_LIMITED: 'Too many messages; slow down.',
    SHUTTING_DOWN: 'The server is shutting down.',
    TIMEOUT: 'The request did not complete in time.',
    INTERNAL_ERROR: 'The server failed to handle the request; nothing was changed.',
  }) as const satisfies Record<ErrorCode, string>)();

/** Whether `value` is a known {@link ErrorCode}. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODE_LIST as readonly string[]).includes(value);
}

/** The error body of a failed response: `{ code, message }`. `message` is for developers only. */
export interface WireError {
  readonly code: ErrorCode;
  readonly message: string;
}

/**
 * A typed protocol failure returned (never thrown) by the parsers. `id` is the request id when it
 * could be read, so that a server can answer the request with this error.
 */
export interface ProtocolError extends WireError {
  readonly id?: number;
  /** Where in the message the problem is, e.g. `data.rtpParameters.codecs[0].payloadType`. */
  readonly path?: string;
}
