/**
 * Error classes of the engine, named as mediasoup's (`types.InvalidStateError`,
 * `types.UnsupportedError`), all under one {@link SfuError} base whose `code` is typed by its
 * class (`error.code` of an `UnsupportedError` is `'SFU_UNSUPPORTED'`).
 * @packageDocumentation
 */

/** Stable error codes of @alcove/sfu. */
export type SfuErrorCode = 'SFU_INVALID_STATE' | 'SFU_UNSUPPORTED' | 'SFU_WORKER_DIED' | 'SFU_REQUEST_FAILED';

/**
 * Base class of the engine's errors; carries a stable `code`, typed by the subclass.
 * @example
 * ```ts
 * try { await transport.produce(options); }
 * catch (error) { if (error instanceof SfuError && error.code === 'SFU_UNSUPPORTED') refuse(); }
 * ```
 */
export class SfuError<C extends SfuErrorCode = SfuErrorCode> extends Error {
  /** Stable machine-readable code. */
  readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'SfuError';
  }
}

/**
 * Raised when a method is called in a state that does not allow it (a closed object, a transport
 * already connected, an unknown producer).
 */
export class InvalidStateError extends SfuError<'SFU_INVALID_STATE'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SFU_INVALID_STATE', message, options);
    this.name = 'InvalidStateError';
  }
}

/**
 * Raised for valid but unsupported input (an unknown codec, no common codec, TCP-only ICE,
 * simulcast). Same name and meaning as mediasoup's `UnsupportedError`.
 * @example
 * ```ts
 * try { await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/AV2', clockRate: 90000 }] }); }
 * catch (error) { if (error instanceof UnsupportedError) console.log(error.code); } // 'SFU_UNSUPPORTED'
 * ```
 */
export class UnsupportedError extends SfuError<'SFU_UNSUPPORTED'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SFU_UNSUPPORTED', message, options);
    this.name = 'UnsupportedError';
  }
}
