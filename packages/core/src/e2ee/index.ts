/**
 * E2EE building blocks (E2EE.md): HKDF-SHA-512 on tweetnacl, sender-key ratchet and frame-key
 * derivation, the frame format (suite 1) and the replay window. Pure functions, testable in Node.
 */
export { concatBytes, hkdf, hkdfExpand, hkdfExtract, hmacSha512, sha512 } from './hkdf.js';
export { deriveFrameKey, keyId, ratchet } from './sender-keys.js';
export type { FrameKey } from './sender-keys.js';
export { decryptFrame, encryptFrame, frameNonce, parseFrameHeader } from './frame.js';
export type { DecryptResult, DropReason, FrameHeader } from './frame.js';
export { ReplayWindow } from './replay-window.js';
export { HandshakeError, PairHandshake } from './handshake.js';
export type { CommitMessage, HandshakeFailure, PairHandshakeOptions, PairSecrets, RevealMessage } from './handshake.js';
export { ControlChannel } from './control-channel.js';
export { SAS_EMOJI, sasDecimal, sasEmoji } from './sas.js';
export { encodeFields, equalBytes, fromBase64, toBase64 } from './encoding.js';
export { KeyAgreement } from './key-agreement.js';
export type { KeyAgreementHost, KeyAgreementOptions, RelayType } from './key-agreement.js';
export { E2eeController, e2eeTransformPath } from './e2ee-controller.js';
export type { E2eeControllerEvents, E2eeControllerOptions, E2eeTransformPath, SasInfo, WorkerLike } from './e2ee-controller.js';
export type { FromWorker, ToWorker, TransformOptions, TransformStats } from './worker/messages.js';
