/**
 * Error classes of the engine, named as mediasoup's (`types.InvalidStateError`,
 * `types.UnsupportedError`). `UnsupportedError` is the ORTC module's class, re-exported so there
 * is a single one.
 * @packageDocumentation
 */

import { UnsupportedError } from './ortc/errors.js';

/** Stable error codes of @alcove/sfu. */
export type SfuErrorCode = 'SFU_INVALID_STATE' | 'SFU_UNSUPPORTED' | 'SFU_WORKER_DIED' | 'SFU_REQUEST_FAILED';

/** Base class of the engine's errors; carries a stable `code`. */
export class SfuError extends Error {
  /** Stable machine-readable code. */
  readonly code: SfuErrorCode;

  constructor(code: SfuErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'SfuError';
  }
}

/**
 * Raised when a method is called in a state that does not allow it (a closed object, a transport
 * already connected, an unknown producer).
 */
export class InvalidStateError extends SfuError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SFU_INVALID_STATE', message, options);
    this.name = 'InvalidStateError';
  }
}

export { UnsupportedError } from './ortc/errors.js';

/** Rebuilds an error that crossed the worker-thread channel as `{ name, message }`. */
export function errorFromWire(wire: { name?: string; message?: string }): Error {
  const message = wire.message ?? 'request failed';
  switch (wire.name) {
    case 'InvalidStateError':
      return new InvalidStateError(message);
    case 'UnsupportedError':
      return new UnsupportedError(message);
    case 'TypeError':
      return new TypeError(message);
    default:
      return new SfuError('SFU_REQUEST_FAILED', message);
  }
}
