import { UnsupportedError } from '../session/errors.js';
import { mapMediaError } from './dom-errors.js';

type SinkCapable = HTMLMediaElement & { setSinkId?: (id: string) => Promise<void> };

/** Options of {@link attach}. */
export interface AttachOptions {
  /** A local track: the element is muted so it never echoes. */
  readonly local?: boolean;
  /**
   * `play()` was refused (autoplay policy before a user gesture, element removed); `autoplay`
   * starts it later. Default: ignored.
   */
  readonly onPlayRejected?: (error: unknown) => void;
}

/**
 * Shows `track` in a `<video>` or plays it in an `<audio>` element (sets `srcObject`, `autoplay`,
 * `playsInline`; a local video is muted so it never echoes). Returns a function that detaches it.
 * @example
 * session.on('trackPublished', (t) => { if (t.kind === 'video') attach(t.track, videoEl); });
 */
export function attach(track: MediaStreamTrack, element: HTMLMediaElement, options: AttachOptions = {}): () => void {
  const stream = new MediaStream([track]);
  element.autoplay = true;
  if ('playsInline' in element) (element as HTMLVideoElement).playsInline = true;
  if (options.local) element.muted = true;
  element.srcObject = stream;
  const played = element.play?.();
  if (played && typeof played.catch === 'function') played.catch((e: unknown) => options.onPlayRejected?.(e));
  return () => {
    if (element.srcObject === stream) element.srcObject = null;
  };
}

/**
 * Whether `element` (or, without one, this browser) can choose its audio output (`setSinkId`).
 * @example
 * speakerPicker.hidden = !supportsAudioOutputSelection();
 */
export function supportsAudioOutputSelection(element?: HTMLMediaElement): boolean {
  if (element) return typeof (element as SinkCapable).setSinkId === 'function';
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}

/**
 * Routes `element`'s audio to the speaker `deviceId` (`''` = system default).
 * @example
 * await setAudioOutput(audioEl, speakerId);
 * @throws {UnsupportedError} `UNSUPPORTED_FEATURE` where the browser has no `setSinkId`.
 * @throws {MediaDeviceError} mapped from the browser's error (e.g. `DEVICE_NOT_FOUND`).
 */
export async function setAudioOutput(element: HTMLMediaElement, deviceId: string): Promise<void> {
  const el = element as SinkCapable;
  if (typeof el.setSinkId !== 'function')
    throw new UnsupportedError('UNSUPPORTED_FEATURE', 'speaker selection (setSinkId) is not supported');
  try {
    await el.setSinkId(deviceId);
  } catch (e) {
    throw mapMediaError(e, 'speaker');
  }
}
