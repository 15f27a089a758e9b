import type { MediaKind } from '@alcove/protocol';
import type { Platform } from '../platform/platform.js';
import { UnsupportedError } from '../session/errors.js';
import { mapMediaError } from './dom-errors.js';

/** Capture constraints Alcove uses for the camera by default (small, therapy-call sized). */
export const DEFAULT_VIDEO_CONSTRAINTS: MediaTrackConstraints = {
  width: { ideal: 1280 },
  height: { ideal: 720 },
  frameRate: { ideal: 30 },
};
/** Audio processing defaults. */
export const DEFAULT_AUDIO_CONSTRAINTS: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

/**
 * Opens one camera or microphone track, optionally a specific device (exact match).
 * @throws {MediaDeviceError} mapped from the browser's DOMException.
 * @throws {UnsupportedError} when the platform has no media devices.
 */
export async function captureTrack(
  platform: Platform,
  kind: MediaKind,
  deviceId?: string,
  extra?: MediaTrackConstraints,
): Promise<MediaStreamTrack> {
  const md = platform.mediaDevices;
  if (!md) throw new UnsupportedError('UNSUPPORTED_BROWSER', 'no media devices (insecure context or no WebRTC)');
  const base = kind === 'audio' ? DEFAULT_AUDIO_CONSTRAINTS : DEFAULT_VIDEO_CONSTRAINTS;
  const constraints: MediaTrackConstraints = { ...base, ...extra, ...(deviceId ? { deviceId: { exact: deviceId } } : {}) };
  let stream: MediaStream;
  try {
    stream = await md.getUserMedia(kind === 'audio' ? { audio: constraints } : { video: constraints });
  } catch (e) {
    throw mapMediaError(e, kind === 'audio' ? 'microphone' : 'camera');
  }
  const track = kind === 'audio' ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
  if (!track) throw mapMediaError({ name: 'NotFoundError' }, kind === 'audio' ? 'microphone' : 'camera');
  return track;
}

/**
 * Opens a screen capture (video, plus tab audio when offered).
 * @throws {UnsupportedError} without `getDisplayMedia`.
 * @throws {MediaDeviceError} `PERMISSION_DENIED` when the user cancels.
 */
export async function captureScreen(platform: Platform): Promise<{ video: MediaStreamTrack; audio: MediaStreamTrack | undefined }> {
  const md = platform.mediaDevices;
  if (!md?.getDisplayMedia) throw new UnsupportedError('UNSUPPORTED_FEATURE', 'screen capture is not supported');
  let stream: MediaStream;
  try {
    stream = await md.getDisplayMedia({ video: true, audio: false });
  } catch (e) {
    throw mapMediaError(e, 'screen');
  }
  const video = stream.getVideoTracks()[0];
  if (!video) throw mapMediaError({ name: 'NotFoundError' }, 'screen');
  return { video, audio: stream.getAudioTracks()[0] };
}
