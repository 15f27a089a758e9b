import type { MediaKind, TrackSource } from '@alcove/protocol';

/** A track someone else publishes, as this client receives it. */
export interface RemoteTrack {
  /** Consumer id (unique per subscription). */
  readonly id: string;
  readonly producerId: string;
  readonly participantId: string;
  readonly kind: MediaKind;
  readonly source: TrackSource;
  /** The live track; attach it with `attach(track.track, element)`. */
  readonly track: MediaStreamTrack;
  /** The sender muted it (its producer is paused). */
  readonly muted: boolean;
  /** This client paused receiving it. */
  readonly paused: boolean;
}

/** A track this client publishes. */
export interface LocalTrack {
  readonly source: TrackSource;
  readonly kind: MediaKind;
  /** The capture track; `null` while the camera is off (released). */
  readonly track: MediaStreamTrack | null;
  readonly muted: boolean;
  /** The server producer id once published. */
  readonly producerId: string | undefined;
  /** The device in use, when known. */
  readonly deviceId: string | undefined;
}

/** What a media hook learns about a sender or receiver. */
export interface MediaHookInfo {
  readonly kind: MediaKind;
  readonly source: TrackSource;
  /** The publishing participant (the local one for senders). */
  readonly participantId: string;
}

/**
 * Hooks into the mediasoup-client `onRtpSender`/`onRtpReceiver` callbacks: where the E2EE work
 * attaches its encoded transforms (E2EE.md §8). Called synchronously, before media flows.
 */
export interface MediaHooks {
  onRtpSender?(sender: RTCRtpSender, info: MediaHookInfo): void;
  onRtpReceiver?(receiver: RTCRtpReceiver, info: MediaHookInfo): void;
  /** Extra `RTCConfiguration` for both transports (e.g. `encodedInsertableStreams`). */
  readonly additionalSettings?: Partial<RTCConfiguration>;
}

/** What to publish at join. `true` = default device; a string = that device id; `false` = nothing. */
export interface PublishDefaults {
  /** Default true. */
  readonly audio?: boolean | string;
  /** Default true. */
  readonly video?: boolean | string;
}

/** Simulcast layers for the camera, lowest first. */
export interface SimulcastLayer {
  readonly scaleResolutionDownBy: number;
  readonly maxBitrate: number;
}
