import { CHAT_LIMITS } from '@alcove/protocol';
import nacl from 'tweetnacl';
import { equalBytes } from '../e2ee/encoding.js';
import { PAIR_BOX_OVERHEAD } from './chat-channels.js';

/** What a sealed chat message carries (the server sees none of it). */
export interface ChatContent {
  /** The sender's message id (also on the wire, for de-duplication; this sealed copy is the one trusted). */
  readonly id: string;
  readonly seq: number;
  readonly text: string;
  /** The recipients the sender chose, when it chose (absent: everyone admitted). */
  readonly to?: readonly string[];
}

/** A message key wrapped for one recipient: tag, key, body hash inside a pair box. */
export const WRAPPED_KEY_BYTES = PAIR_BOX_OVERHEAD + 1 + 32 + 32;

/** Largest encoded content that still fits {@link CHAT_LIMITS.maxSealedBytes} per recipient. */
export const MAX_CONTENT_BYTES = CHAT_LIMITS.maxSealedBytes - WRAPPED_KEY_BYTES - nacl.secretbox.overheadLength;

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });
/** The message key is used once, so a fixed nonce is safe (a re-send draws a new key). */
const ZERO_NONCE = new Uint8Array(24);

/** The content's sealed-form bytes (JSON, UTF-8). */
export function encodeContent(c: ChatContent): Uint8Array {
  return enc.encode(JSON.stringify({ v: 1, id: c.id, seq: c.seq, t: c.text, ...(c.to ? { to: c.to } : {}) }));
}

/** Parses opened content; undefined for anything that is not a well-formed v1 message (untrusted). */
export function decodeContent(bytes: Uint8Array): ChatContent | undefined {
  try {
    const o = JSON.parse(dec.decode(bytes)) as Record<string, unknown>;
    if (!o || typeof o !== 'object' || o.v !== 1) return undefined;
    const { id, seq, t, to } = o;
    if (typeof id !== 'string' || typeof t !== 'string' || !Number.isSafeInteger(seq) || (seq as number) < 0) return undefined;
    if (to !== undefined && !(Array.isArray(to) && to.every((x) => typeof x === 'string'))) return undefined;
    return { id, seq: seq as number, text: t, ...(to ? { to: to as string[] } : {}) };
  } catch {
    return undefined;
  }
}

/** SHA-512 of the sealed body, first 32 bytes: binds a wrapped key to exactly one body. */
export function bodyHash(body: Uint8Array): Uint8Array {
  return nacl.hash(body).slice(0, 32);
}

/** Seals encoded content under a fresh one-time message key. The caller wraps `key` and wipes it. */
export function sealBody(content: Uint8Array, randomBytes: (n: number) => Uint8Array): { body: Uint8Array; key: Uint8Array } {
  const key = randomBytes(32);
  return { body: nacl.secretbox(content, ZERO_NONCE, key), key };
}

/** Opens a body with its message key after checking it is the body the key was wrapped for. */
export function openBody(body: Uint8Array, key: Uint8Array, hash: Uint8Array): Uint8Array | undefined {
  if (!equalBytes(bodyHash(body), hash)) return undefined;
  return nacl.secretbox.open(body, ZERO_NONCE, key) ?? undefined;
}
