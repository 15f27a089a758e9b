import { mapMediaError } from '../../media/dom-errors.js';
import type { Platform } from '../../platform/platform.js';
import { UnsupportedError } from '../../session/errors.js';

/** Lists devices of one kind (labels appear once the page has permission). Empty without a device API. */
export async function listDevices(platform: Platform, kind: MediaDeviceKind): Promise<MediaDeviceInfo[]> {
  const md = platform.mediaDevices;
  if (!md) return [];
  try {
    return (await md.enumerateDevices()).filter((d) => d.kind === kind);
  } catch {
    return [];
  }
}

/** Stops every track of a stream. */
export function stopStream(stream: MediaStream | undefined): void {
  for (const t of stream?.getTracks() ?? []) t.stop();
}

/**
 * Opens one camera or microphone stream; errors map through `mapMediaError` to actionable codes
 * (`PERMISSION_DENIED`, `DEVICE_NOT_FOUND`, `DEVICE_IN_USE`, …). Aborting stops the stream.
 * @throws {MediaDeviceError} / {UnsupportedError}
 */
export async function openStream(
  platform: Platform,
  kind: 'audio' | 'video',
  constraints: MediaTrackConstraints,
  deviceId: string | undefined,
  signal: AbortSignal,
): Promise<{ stream: MediaStream; track: MediaStreamTrack }> {
  const what = kind === 'audio' ? 'microphone' : 'camera';
  const md = platform.mediaDevices;
  if (!md) throw new UnsupportedError('UNSUPPORTED_BROWSER', `no ${what} API (insecure context or no WebRTC)`);
  const c: MediaTrackConstraints = { ...constraints, ...(deviceId ? { deviceId: { exact: deviceId } } : {}) };
  let stream: MediaStream;
  try {
    stream = await md.getUserMedia(kind === 'audio' ? { audio: c } : { video: c });
  } catch (e) {
    throw mapMediaError(e, what);
  }
  if (signal.aborted) {
    stopStream(stream);
    signal.throwIfAborted();
  }
  const track = kind === 'audio' ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0];
  if (!track) {
    stopStream(stream);
    throw mapMediaError({ name: 'NotFoundError' }, what);
  }
  return { stream, track };
}

/** Waits `ms` on the platform's timers; rejects when `signal` aborts. */
export function sleep(platform: Platform, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      platform.timers.clearTimeout(h);
      reject(signal?.reason);
    };
    const h = platform.timers.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
