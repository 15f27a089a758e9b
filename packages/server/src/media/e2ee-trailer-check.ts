/**
 * What the media engine checks on the frames of a producer in a session that requires E2EE: the
 * trailer's format version and the clear-prefix lengths of the producer's codec (docs/e2ee.md,
 * "What the server checks"). The engine cannot decrypt; this only tells it what an E2EE frame of
 * this codec must end with.
 * @packageDocumentation
 */
import { E2EE_CLEAR_PREFIX, E2EE_FRAME_VERSION, type RtpParameters } from '@alcove/protocol';

/** The engine option (`@alcove/sfu`'s `ProducerOptions.e2eeTrailerCheck`). */
export interface E2eeTrailerCheckOptions {
  readonly versions: readonly number[];
  readonly prefixLengths: readonly number[];
}

/** Why the engine says a frame is not an E2EE frame. */
export type E2eeTrailerFailure = 'version' | 'prefix' | 'length';

/**
 * The check for a producer sending `rtp`, or undefined when its media codec has no E2EE clear-prefix
 * rule (the codec check refuses such producers in E2EE sessions before this is asked). Only the
 * current format version is accepted (3, AES-GCM): receivers drop older frames, so a client still
 * sending them is told at once rather than shown as black video.
 */
export function e2eeTrailerCheckFor(rtp: RtpParameters): E2eeTrailerCheckOptions | undefined {
  const media = rtp.codecs.find((c) => !/\/(rtx|red|ulpfec|flexfec)$/i.test(c.mimeType));
  const mime = media?.mimeType.toLowerCase();
  if (!mime || !Object.hasOwn(E2EE_CLEAR_PREFIX, mime)) return undefined;
  const p = E2EE_CLEAR_PREFIX[mime as keyof typeof E2EE_CLEAR_PREFIX];
  return { versions: [E2EE_FRAME_VERSION], prefixLengths: p.key === p.delta ? [p.key] : [p.delta, p.key] };
}

/** Whether `value` is a failure reason the engine may report (anything else is treated as `version`). */
export function trailerFailureOf(value: unknown): E2eeTrailerFailure {
  const r = (value as { reason?: unknown } | undefined)?.reason;
  return r === 'prefix' || r === 'length' ? r : 'version';
}
