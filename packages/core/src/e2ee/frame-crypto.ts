import { E2EE_CLEAR_PREFIX } from '@alcove/protocol';
import { encryptFrame, openParsed, parseFrameHeader, type DropReason } from './frame.js';
import type { ReceiverKeyRing, SenderKeyState } from './key-ring.js';

/** Codecs E2EE rooms allow (E2EE.md §5). */
export type E2eeCodec = keyof typeof E2EE_CLEAR_PREFIX;

/** Whether `mimeType` may be used in an E2EE room. */
export function isE2eeCodec(mimeType: string): mimeType is E2eeCodec {
  return Object.hasOwn(E2EE_CLEAR_PREFIX, mimeType.toLowerCase());
}

/** Clear bytes at the start of a frame of `codec` (explicit in the trailer; never guessed later). */
export function clearPrefixLength(codec: E2eeCodec, keyFrame: boolean, frameLength: number): number {
  const p = E2EE_CLEAR_PREFIX[codec];
  return Math.min(keyFrame ? p.key : p.delta, frameLength);
}

/** Outcome of sealing or opening one frame. */
export type FrameOutcome =
  | { readonly ok: true; readonly data: Uint8Array }
  | { readonly ok: false; readonly reason: DropReason | 'NO_KEY' };

/**
 * Seals one outgoing frame, or refuses (fail closed) when the sender has no key. Empty frames (Opus
 * DTX) pass through unchanged: there is nothing to protect and the packetiser expects them. The
 * counter is taken when this is called, so frames sealed concurrently never share one.
 */
export function sealFrame(
  state: SenderKeyState,
  track: string,
  codec: E2eeCodec,
  keyFrame: boolean,
  data: Uint8Array,
): Promise<FrameOutcome> {
  if (data.length === 0) return Promise.resolve({ ok: true, data });
  const k = state.next(track);
  if (!k) return Promise.resolve({ ok: false, reason: 'NO_KEY' });
  return encryptFrame(data, clearPrefixLength(codec, keyFrame, data.length), k.key, k.ctr).then((sealed) => ({ ok: true, data: sealed }));
}

/**
 * Opens run one at a time per sender: key lookup, replay check, decryption, then the replay-window
 * update and the ratchet commit, as one step. Without this, two tracks of a sender opened at once
 * could both move its key ring forward from the same step.
 */
const opening = new WeakMap<ReceiverKeyRing, Promise<unknown>>();

/**
 * Opens one incoming frame: key lookup (with forward ratchet), tag check, replay window (updated
 * only after the tag verifies). Every failure is a drop; nothing undecryptable reaches the decoder.
 * Never rejects.
 */
export function openFrame(ring: ReceiverKeyRing, track: string, data: Uint8Array): Promise<FrameOutcome> {
  const run = (opening.get(ring) ?? Promise.resolve()).then(() => openNow(ring, track, data));
  opening.set(ring, run);
  return run;
}

async function openNow(ring: ReceiverKeyRing, track: string, data: Uint8Array): Promise<FrameOutcome> {
  if (data.length === 0) return { ok: true, data };
  const h = parseFrameHeader(data);
  if (typeof h === 'string') return { ok: false, reason: h };
  let cand: ReturnType<ReceiverKeyRing['candidate']>;
  try {
    cand = ring.candidate(h.kid, track);
  } catch {
    cand = undefined;
  }
  if (!cand || cand.key.kid !== h.kid) return { ok: false, reason: 'UNKNOWN_KEY' };
  if (!cand.replay.check(h.ctr)) return { ok: false, reason: 'REPLAY' };
  const r = await openParsed(data, h, cand.key);
  if (!r.ok) return { ok: false, reason: r.reason };
  cand.replay.accept(r.ctr);
  cand.commit();
  return { ok: true, data: r.frame };
}
