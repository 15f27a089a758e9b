import type { MediaKind, TrackSource } from '@alcove/protocol';
import type { Platform } from '../platform/platform.js';
import { captureScreen, captureTrack } from './capture.js';
import type { MediaManager } from './media-manager.js';
import { SerialQueue } from './serial-queue.js';
import type { LocalTrack } from './types.js';

/** Callbacks of {@link LocalMedia}. */
export interface LocalMediaCallbacks {
  onLocalTrackChanged(track: LocalTrack): void;
}

const SOURCE_OF: Record<MediaKind, TrackSource> = { audio: 'mic', video: 'cam' };

/**
 * The local camera, microphone and screen: capture with device choice, live device switch via
 * `replaceTrack`, mute/unmute (the remote side sees the producer paused), camera off that releases
 * the device, screen share. Every operation goes through one serial queue.
 */
export class LocalMedia {
  readonly #platform: Platform;
  readonly #media: MediaManager;
  readonly #callbacks: LocalMediaCallbacks;
  readonly #queue = new SerialQueue();
  readonly #deviceIds = new Map<TrackSource, string | undefined>();
  #closed = false;

  constructor(platform: Platform, media: MediaManager, callbacks: LocalMediaCallbacks) {
    this.#platform = platform;
    this.#media = media;
    this.#callbacks = callbacks;
  }

  /** What is published (or prepared to be) per source. */
  get tracks(): LocalTrack[] {
    const out: LocalTrack[] = [];
    for (const source of ['mic', 'cam', 'screen', 'screen-audio'] as const) {
      const l = this.#media.local(source);
      if (l) out.push(this.#view(source, l));
    }
    return out;
  }

  /** Captures and publishes `kind` (optionally from `deviceId`), or unmutes it if already published. */
  enable(kind: MediaKind, deviceId?: string): Promise<void> {
    return this.#queue.run(async () => {
      const source = SOURCE_OF[kind];
      if (deviceId !== undefined) this.#deviceIds.set(source, deviceId);
      const current = this.#media.local(source);
      if (current?.track && current.track.readyState !== 'ended') {
        if (current.paused) await this.#media.setPaused(source, false);
      } else {
        const track = await captureTrack(this.#platform, kind, this.#deviceIds.get(source));
        if (this.#closed) {
          track.stop();
          return;
        }
        if (current) {
          await this.#media.replaceTrack(source, track);
          if (current.paused) await this.#media.setPaused(source, false);
        } else {
          await this.#media.publish(source, track);
        }
      }
      this.#changed(source);
    });
  }

  /**
   * Mutes `kind`. The microphone keeps its track (fast unmute); the camera is released (its light
   * goes off) and re-captured on {@link enable}.
   */
  disable(kind: MediaKind): Promise<void> {
    return this.#queue.run(async () => {
      const source = SOURCE_OF[kind];
      const current = this.#media.local(source);
      if (!current) return;
      if (!current.paused) await this.#media.setPaused(source, true);
      if (kind === 'video') await this.#media.replaceTrack(source, null);
      this.#changed(source);
    });
  }

  /** Switches the camera or microphone to `deviceId` live (no renegotiation). */
  switchDevice(kind: MediaKind, deviceId: string): Promise<void> {
    return this.#queue.run(async () => {
      const source = SOURCE_OF[kind];
      this.#deviceIds.set(source, deviceId);
      const current = this.#media.local(source);
      // Camera off: remember the choice, capture on enable.
      if (!current || (kind === 'video' && !current.track)) return;
      const track = await captureTrack(this.#platform, kind, deviceId);
      await this.#media.replaceTrack(source, track);
      this.#changed(source);
    });
  }

  /** Captures the screen and publishes it; stops by itself when the user ends the capture. */
  startScreenShare(): Promise<void> {
    return this.#queue.run(async () => {
      if (this.#media.local('screen')) return;
      const { video, audio } = await captureScreen(this.#platform);
      video.addEventListener('ended', () => void this.stopScreenShare());
      await this.#media.publish('screen', video);
      if (audio) await this.#media.publish('screen-audio', audio);
      this.#changed('screen');
    });
  }

  /** Stops the screen share. */
  stopScreenShare(): Promise<void> {
    return this.#queue.run(async () => {
      if (!this.#media.local('screen')) return;
      await this.#media.unpublish('screen');
      await this.#media.unpublish('screen-audio');
      this.#callbacks.onLocalTrackChanged({
        source: 'screen',
        kind: 'video',
        track: null,
        muted: true,
        producerId: undefined,
        deviceId: undefined,
      });
    });
  }

  /** Stops queuing work (tracks are stopped by the media manager). */
  close(): void {
    this.#closed = true;
  }

  #view(source: TrackSource, l: { track: MediaStreamTrack | null; paused: boolean; producerId: string | undefined }): LocalTrack {
    const kind: MediaKind = source === 'mic' || source === 'screen-audio' ? 'audio' : 'video';
    const deviceId = l.track?.getSettings?.().deviceId ?? this.#deviceIds.get(source);
    return { source, kind, track: l.track, muted: l.paused, producerId: l.producerId, deviceId };
  }

  #changed(source: TrackSource): void {
    const l = this.#media.local(source);
    if (l) this.#callbacks.onLocalTrackChanged(this.#view(source, l));
  }
}
