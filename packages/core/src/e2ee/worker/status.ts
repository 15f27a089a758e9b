import { toBase64 } from '../encoding.js';
import { identityFingerprint } from '../fingerprint.js';
import type { AgreementStatus } from '../key-agreement.js';
import type { FromWorker, TransformStats, WorkerStatus } from './messages.js';

/** A standard-path transformer (the parts used to get a key frame: the encoder's, or the remote sender's). */
export interface KeyFrameSource {
  generateKeyFrame?(rid?: string): Promise<unknown>;
  sendKeyFrameRequest?(): Promise<unknown>;
}

/** How often the worker checks which peers send frames, ms. */
export const ACTIVITY_INTERVAL_MS = 1000;

/**
 * The worker's key-state reporter (outside the per-frame path): posts a {@link WorkerStatus} when
 * the key agreement reports a change and, once a second, when the set of peers whose frames arrive
 * changes; asks every standard-path sender for a key frame after our key changed.
 */
export class StatusReporter {
  readonly #transforms: () => readonly TransformStats[];
  readonly #post: (m: FromWorker) => void;
  /** Standard-path sender transformers and their track labels. */
  readonly #senders = new Map<KeyFrameSource, string>();
  readonly #receivers = new Map<KeyFrameSource, string>();
  #source: { status(): AgreementStatus } | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #pending = false;
  #last = '';
  /** frames + dropped per receive transform at the last check. */
  #activity = new Map<string, number>();
  #sending = new Set<string>();
  #keyFramesRequested = 0;

  constructor(transforms: () => readonly TransformStats[], post: (m: FromWorker) => void) {
    this.#transforms = transforms;
    this.#post = post;
  }

  /** Starts reporting the key state of `source` (the key agreement). */
  start(source: { status(): AgreementStatus }): void {
    this.#source = source;
    this.#timer ??= setInterval(() => this.#tick(), ACTIVITY_INTERVAL_MS);
    this.changed();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#source = undefined;
  }

  /** The public identity of a paired peer, for the `sas` message. */
  identity(identityKey: Uint8Array): { identityKey: string; fingerprint: string } {
    return { identityKey: toBase64(identityKey), fingerprint: identityFingerprint(identityKey) };
  }

  /** A standard-path sender transformer of `track`: asked for a key frame when our key changes. */
  addSender(t: KeyFrameSource, track: string): void {
    if (typeof t.generateKeyFrame === 'function') this.#senders.set(t, track);
  }

  /** A standard-path receiver transformer of `participantId`'s frames. */
  addReceiver(t: KeyFrameSource, participantId: string): void {
    if (typeof t.sendKeyFrameRequest === 'function') this.#receivers.set(t, participantId);
  }

  /**
   * Our sender key changed: ask each encoder for a key frame, so a receiver that missed frames
   * around the switch recovers at once (where the browser has `generateKeyFrame`; Chromium has
   * not: there the receivers ask, see {@link requestKeyFramesFrom}). A closed transformer refuses
   * and is forgotten. With `track`, only that track's encoder is asked (a receiver's request).
   */
  requestKeyFrames(track?: string): void {
    for (const [t, label] of this.#senders) {
      if (typeof t.generateKeyFrame !== 'function' || (track !== undefined && label !== track)) continue;
      this.#keyFramesRequested++;
      t.generateKeyFrame().catch(() => this.#senders.delete(t));
    }
  }

  /**
   * `participantId` switched keys (the first frame under its new generation opened): ask it for a
   * key frame through each of its receive transforms (an RTCP request the SFU passes on), so
   * whatever was lost around the switch is repaired at once. Audio transforms ignore it. Without
   * such transforms (legacy path) the main thread is asked to request one through the server.
   */
  requestKeyFramesFrom(participantId: string): void {
    let asked = false;
    for (const [t, id] of this.#receivers) {
      if (id !== participantId) continue;
      asked = true;
      this.#keyFramesRequested++;
      t.sendKeyFrameRequest?.().catch(() => this.#receivers.delete(t));
    }
    if (asked) return;
    // No standard-path receiver (legacy createEncodedStreams): the main thread asks the server.
    this.#keyFramesRequested++;
    this.#post({ type: 'keyFrameWanted', participantId });
  }

  /** Something changed: post the status once the current task is done (coalesced). */
  changed(): void {
    if (this.#pending || !this.#source) return;
    this.#pending = true;
    queueMicrotask(() => {
      this.#pending = false;
      this.#emit();
    });
  }

  #tick(): void {
    const now = new Map<string, number>();
    for (const t of this.#transforms()) {
      if (t.direction !== 'recv') continue;
      const key = `${t.participantId}\n${t.track}`;
      now.set(key, t.frames + t.dropped);
    }
    const sending = new Set<string>();
    for (const [key, n] of now) {
      if (n !== (this.#activity.get(key) ?? 0)) sending.add(key.slice(0, key.indexOf('\n')));
    }
    this.#activity = now;
    this.#sending = sending;
    this.#emit();
  }

  #emit(): void {
    const a = this.#source?.status();
    if (!a) return;
    // Sending: frames arrived during the last interval, or since its end.
    const sending = new Set(this.#sending);
    for (const t of this.#transforms()) {
      if (t.direction === 'recv' && t.frames + t.dropped !== (this.#activity.get(`${t.participantId}\n${t.track}`) ?? 0)) {
        sending.add(t.participantId);
      }
    }
    const status: WorkerStatus = {
      localKeyed: a.localKeyed,
      generation: a.generation,
      peers: a.peers.map((p) => ({ ...p, sending: sending.has(p.peer) })),
      refused: a.refused,
      keyFramesRequested: this.#keyFramesRequested,
    };
    const json = JSON.stringify(status);
    if (json === this.#last) return;
    this.#last = json;
    this.#post({ type: 'status', status });
  }
}
