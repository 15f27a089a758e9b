import * as v from 'valibot';
import { Id, b64, uint } from './common.js';

/**
 * Chat's wire shapes. Chat is sealed end to end: the sender seals each message once under a fresh
 * message key (`body`) and wraps that key for each recipient through the pair channel it shares with
 * them (`keys`). The server sees ids, sequence numbers, who sends to whom and sizes; it relays each
 * recipient its own wrapped key with the body and can open neither.
 */

/** Chat limits every server enforces and every client checks before sending. */
export const CHAT_LIMITS = {
  /**
   * Largest sealed payload one recipient receives for one message: the decoded `body` plus that
   * recipient's decoded wrapped key, in bytes. Beyond it the server answers `PAYLOAD_TOO_LARGE`.
   */
  maxSealedBytes: 4096,
  /** Recipients (wrapped keys) of one message, at most. */
  maxRecipients: 100,
  /** Largest chat pair-channel control message (handshake, confirmation), base64 characters. */
  maxControlChars: 2048,
} as const;

/** A body of at most {@link CHAT_LIMITS.maxSealedBytes} decoded bytes passes; the room checks the exact sum. */
const SealedBody = b64(8192);
/** A message key wrapped for one recipient (a few dozen bytes). */
const WrappedKey = b64(256);

/** One recipient of a sealed chat message and the message key wrapped for it. */
export const ChatRecipientKey = v.strictObject({ to: Id, key: WrappedKey });

/** `chat.send` data. */
export const ChatSendData = v.strictObject({
  /** Client-generated message id; re-sending the same id is acknowledged once, delivered once. */
  id: Id,
  /** Sender's own sequence number, for per-sender ordering across reconnects. */
  seq: uint(Number.MAX_SAFE_INTEGER),
  /** The message sealed under its one-time message key (opaque). */
  body: SealedBody,
  /** Each recipient with the message key wrapped for it; nobody else receives the message. */
  keys: v.pipe(v.array(ChatRecipientKey), v.maxLength(CHAT_LIMITS.maxRecipients)),
});

/** `chat.send` result. */
export const ChatSendResult = v.strictObject({ id: Id, at: uint(Number.MAX_SAFE_INTEGER) });

/** `chat.message` notification: one sealed message with the key wrapped for this recipient. */
export const ChatMessageData = v.strictObject({
  id: Id,
  from: Id,
  seq: uint(Number.MAX_SAFE_INTEGER),
  /** Server time of the first acknowledgement, ms since the epoch. */
  at: uint(Number.MAX_SAFE_INTEGER),
  body: SealedBody,
  key: WrappedKey,
});

/** Message types of the chat pair channel: the handshake, then a sealed key confirmation. */
export const ChatControlType = v.picklist(['commit', 'reveal', 'confirm']);

/** `chat.relay` data: one pair-channel message to one admitted peer (opaque). */
export const ChatRelayData = v.strictObject({ to: Id, type: ChatControlType, payload: b64(CHAT_LIMITS.maxControlChars) });

/** `chat.control` notification: a pair-channel message from `from` (opaque). */
export const ChatControlData = v.strictObject({ from: Id, type: ChatControlType, payload: b64(CHAT_LIMITS.maxControlChars) });
