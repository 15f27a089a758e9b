/**
 * The error thrown by ORTC functions for valid but unsupported input (unknown
 * codec, no common codec). Same name and meaning as mediasoup's
 * `UnsupportedError`; the engine's public error module re-exports this class
 * so there is a single one.
 *
 * @example
 * ```ts
 * try { generateRouterRtpCapabilities([{ kind: 'video', mimeType: 'video/AV2', clockRate: 90000 }]); }
 * catch (error) { if (error instanceof UnsupportedError) console.log(error.message); }
 * ```
 */
export class UnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedError';
  }
}
