/**
 * Constants of the E2EE frame format and handshake (docs/e2ee.md), shared by the browser
 * worker, tests and tools. The server never uses them to read media: it cannot.
 */

/**
 * Cipher suites. Suite 2 (AES-128-GCM through WebCrypto, frame format version 3) seals every frame;
 * suite 1 (XSalsa20-Poly1305 via tweetnacl, format version 2) is no longer sent or opened.
 */
export const E2EE_SUITES = { XSALSA20_POLY1305: 1, AES_128_GCM: 2 } as const;
/** A cipher suite id. */
export type E2eeSuite = (typeof E2EE_SUITES)[keyof typeof E2EE_SUITES];

/**
 * Trailer format version (the `VV` bits of the last byte). 3: AES-128-GCM (suite 2), the clear
 * prefix and the trailer as additional data. Version 2 (XSalsa20-Poly1305, the prefix bound through
 * the nonce) and version 1 are dropped by receivers and refused by the media engine's trailer check.
 */
export const E2EE_FRAME_VERSION = 3;
/** Authentication tag length in bytes (Poly1305 / GCM). */
export const E2EE_TAG_BYTES = 16;
/** Typical per-frame overhead, whatever the codec: tag + CTR(2) + KID(1) + h(1) + cfg(1). */
export const E2EE_TYPICAL_OVERHEAD_BYTES = 21;
/** Ratchet steps a receiver derives ahead at most. */
export const E2EE_MAX_RATCHET_LOOKAHEAD = 16;
/** Replay window size in frames. */
export const E2EE_REPLAY_WINDOW = 128;
/** How long a receiver keeps the previous key after a switch, ms. */
export const E2EE_PREVIOUS_KEY_GRACE_MS = 2000;
/** Periodic ratchet interval, ms. */
export const E2EE_RATCHET_INTERVAL_MS = 5 * 60 * 1000;
/** Clear-prefix bytes per codec (v1). H.264 and AV1 are not supported in E2EE rooms. */
export const E2EE_CLEAR_PREFIX = {
  'audio/opus': { key: 1, delta: 1 },
  'video/vp8': { key: 10, delta: 3 },
  'video/vp9': { key: 0, delta: 0 },
} as const;
/** Track labels that feed key derivation. */
export const E2EE_TRACK_LABELS = ['mic', 'cam', 'screen', 'screen-audio'] as const;
/** KDF labels (ASCII) of the design. */
export const E2EE_LABELS = {
  commit: 'alcove-e2ee v1 commit',
  reveal: 'alcove-e2ee v1 reveal',
  pair: 'alcove-e2ee v1 pair',
  sas: 'alcove-e2ee v1 sas',
  ratchet: 'alcove-e2ee v1 ratchet',
  key: 'alcove-e2ee v1 key',
  salt: 'alcove-e2ee v1 salt',
} as const;
