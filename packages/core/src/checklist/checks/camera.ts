import { DEFAULT_VIDEO_CONSTRAINTS } from '../../media/capture.js';
import { type DeviceListEvents, InputDeviceCheck } from './input-device-check.js';
import { openStream, stopStream } from './media-devices.js';

/** What the camera step measured. */
export interface CameraDetails {
  readonly deviceId?: string;
  /** Resolution and frame rate the camera reports (`getSettings()`). */
  readonly width?: number;
  readonly height?: number;
  readonly frameRate?: number;
  /** Frames per second actually delivered, counted where the browser allows it. */
  readonly measuredFps?: number;
}

/** Below these the camera step is `warning` (`LOW_RESOLUTION`, `LOW_FRAME_RATE`): usable, not good. */
export const CAMERA_THRESHOLDS = { minWidth: 640, minHeight: 360, minFrameRate: 15 } as const;

/** Camera step events besides the common ones. */
export interface CameraEvents extends DeviceListEvents {
  /** The live preview stream to show (`null` when released). */
  preview: [stream: MediaStream | null];
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

/**
 * The camera step: opens the chosen camera (the session then uses the same device and may reuse the
 * stream), emits a live `preview` stream for the app to show, and reports the resolution and frame
 * rate achieved (settings, and frames counted where possible). Permission errors fail the step with
 * actionable codes (`PERMISSION_DENIED`, `DEVICE_NOT_FOUND`, `DEVICE_IN_USE`).
 * @example
 * const cam = checklist.camera!;
 * cam.on('preview', (stream) => { video.srcObject = stream; });
 * await cam.run();
 * await cam.selectDevice((await cam.listDevices())[1].deviceId);
 */
export class CameraCheck extends InputDeviceCheck<CameraDetails, CameraEvents> {
  readonly kind = 'camera' as const;
  protected readonly deviceKind = 'videoinput' as const;
  #stream: MediaStream | undefined;

  /** The live preview while the step holds the camera. */
  get stream(): MediaStream | undefined {
    return this.#stream;
  }
  protected get holding(): boolean {
    return this.#stream !== undefined;
  }

  /** Hands the live stream over (e.g. to the session): the step no longer stops it. */
  takeStream(): MediaStream | undefined {
    const s = this.#stream;
    this.#stream = undefined;
    if (s) this.emitExtra('preview', null);
    return s;
  }

  /** Stops the preview; the result stays. */
  stop(): void {
    this.release();
  }

  protected async execute(signal: AbortSignal): Promise<void> {
    this.release();
    const { stream, track } = await openStream(this.ctx.platform, 'video', DEFAULT_VIDEO_CONSTRAINTS, this.deviceId, signal);
    if (signal.aborted) {
      // reset() or skip() came while the stream was being handed over: it is ours to stop.
      stopStream(stream);
      signal.throwIfAborted();
    }
    this.#stream = stream;
    track.addEventListener?.('ended', () => {
      if (this.#stream === stream) this.release();
    });
    this.emitExtra('preview', stream);
    this.emitProgress(0.2);
    const s = track.getSettings?.() ?? {};
    if (s.deviceId) this.setDeviceId(s.deviceId);
    let measuredFps: number | undefined;
    try {
      measuredFps = await this.ctx.platform.measureFrameRate?.(stream, this.ctx.options.camera.measureMs, signal);
    } catch {
      measuredFps = undefined;
    }
    signal.throwIfAborted();
    this.emitProgress(1);
    const details: CameraDetails = {
      ...(this.deviceId ? { deviceId: this.deviceId } : {}),
      ...(typeof s.width === 'number' ? { width: s.width } : {}),
      ...(typeof s.height === 'number' ? { height: s.height } : {}),
      ...(typeof s.frameRate === 'number' ? { frameRate: round1(s.frameRate) } : {}),
      ...(typeof measuredFps === 'number' && Number.isFinite(measuredFps) ? { measuredFps: round1(measuredFps) } : {}),
    };
    const fps = details.measuredFps ?? details.frameRate;
    const t = CAMERA_THRESHOLDS;
    if ((details.width !== undefined && details.width < t.minWidth) || (details.height !== undefined && details.height < t.minHeight)) {
      this.setStatus('warning', { reason: 'LOW_RESOLUTION', details });
    } else if (fps !== undefined && fps < t.minFrameRate) {
      this.setStatus('warning', { reason: 'LOW_FRAME_RATE', details });
    } else {
      this.setStatus('passed', { details });
    }
    void this.listDevices();
  }

  protected override release(): void {
    const s = this.#stream;
    if (!s) return;
    this.#stream = undefined;
    stopStream(s);
    if (!this.closed) this.emitExtra('preview', null);
  }

  protected detailsFrom(d: Record<string, unknown>): CameraDetails {
    const num = (k: string): number | undefined =>
      typeof d[k] === 'number' && Number.isFinite(d[k]) && (d[k] as number) >= 0 && (d[k] as number) <= 100_000
        ? (d[k] as number)
        : undefined;
    return Object.fromEntries(
      Object.entries({
        deviceId: typeof d.deviceId === 'string' ? d.deviceId : undefined,
        width: num('width'),
        height: num('height'),
        frameRate: num('frameRate'),
        measuredFps: num('measuredFps'),
      }).filter(([, v]) => v !== undefined),
    );
  }
}
