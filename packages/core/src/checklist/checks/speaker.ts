import { mapMediaError } from '../../media/dom-errors.js';
import type { AudioContextLike, AudioElementLike, AudioNodeLike } from '../../platform/platform.js';
import { UnsupportedError } from '../../session/errors.js';
import { ChecklistError } from '../errors.js';
import { BaseCheck, type PersistedStep } from './base.js';
import { listDevices, sleep } from './media-devices.js';

/** What the speaker step found. */
export interface SpeakerDetails {
  /** The output chosen, when one was. */
  readonly speakerId?: string;
  /** The client's answer: did they hear the tone. */
  readonly heard: boolean;
}

/** Speaker step events besides the common ones. */
export interface SpeakerEvents {
  /** The test tone started (`true`) or stopped (`false`). */
  tone: [playing: boolean];
  /** The output list (labels once permission is granted). */
  devicesChanged: [devices: readonly MediaDeviceInfo[]];
}

/** Defaults of the speaker step. */
export const SPEAKER_DEFAULTS = { toneMs: 2000, frequencyHz: 440 } as const;

/** Peak gain of the tone (soft, well below clipping). */
const TONE_GAIN = 0.2;

interface Tone {
  readonly audio: AudioContextLike;
  readonly nodes: AudioNodeLike[];
  readonly element: AudioElementLike | undefined;
  readonly stop: () => void;
}

/**
 * The speaker step: plays a test tone (an oscillator; routed to the chosen output through
 * `AudioContext.setSinkId` or an audio element's `setSinkId` where supported), then the client
 * confirms with {@link heard}. After the tone the step stays `running` until the answer. Not heard →
 * `failed` (`TONE_NOT_HEARD`): choose another output and play again. Call `run()` from a user gesture
 * (a click), or the browser may keep the audio suspended.
 * @example
 * const spk = checklist.speaker!;
 * if (spk.canSelectOutput) await spk.selectDevice(id);
 * await spk.run();   // plays the tone
 * spk.heard(true);   // the client's answer
 */
export class SpeakerCheck extends BaseCheck<SpeakerDetails, SpeakerEvents> {
  readonly kind = 'speaker' as const;
  #speakerId: string | undefined;
  #tone: Tone | undefined;
  #played = false;
  #devices: readonly MediaDeviceInfo[] = [];

  get speakerId(): string | undefined {
    return this.#speakerId;
  }
  get devices(): readonly MediaDeviceInfo[] {
    return this.#devices;
  }
  /** Whether the output device can be chosen here (`setSinkId`). */
  get canSelectOutput(): boolean {
    return this.ctx.platform.capabilities().setSinkId;
  }
  /** Whether the tone is playing. */
  get playing(): boolean {
    return this.#tone !== undefined;
  }

  /** Lists outputs and emits `devicesChanged`. */
  async listDevices(): Promise<readonly MediaDeviceInfo[]> {
    this.#devices = await listDevices(this.ctx.platform, 'audiooutput');
    if (!this.closed) this.emitExtra('devicesChanged', this.#devices);
    return this.#devices;
  }

  /**
   * Chooses the output. A previous answer no longer holds: the step goes back to `idle`.
   * @throws {UnsupportedError} `UNSUPPORTED_FEATURE` where outputs cannot be chosen.
   * @throws {ChecklistError} `ANSWER_INVALID` for an empty id.
   */
  selectDevice(deviceId: string): void {
    this.assertOpen();
    if (typeof deviceId !== 'string' || deviceId === '')
      throw new ChecklistError('ANSWER_INVALID', 'deviceId is required', { stepId: this.id, field: 'deviceId' });
    if (!this.canSelectOutput) throw new UnsupportedError('UNSUPPORTED_FEATURE', 'this browser cannot choose the audio output (setSinkId)');
    if (deviceId === this.#speakerId) return;
    this.#speakerId = deviceId;
    if (this.details && !this.busy) {
      this.#played = false;
      this.setStatus('idle', { details: undefined });
    }
  }

  /**
   * The client's answer after the tone.
   * @throws {ChecklistError} `ANSWER_INVALID` before the tone was played.
   */
  heard(yes: boolean): SpeakerDetails {
    this.assertOpen();
    if (!this.#played) throw new ChecklistError('ANSWER_INVALID', 'play the test tone first', { stepId: this.id, field: 'heard' });
    if (typeof yes !== 'boolean')
      throw new ChecklistError('ANSWER_INVALID', 'heard must be true or false', { stepId: this.id, field: 'heard' });
    const details: SpeakerDetails = { ...(this.#speakerId ? { speakerId: this.#speakerId } : {}), heard: yes };
    if (yes) this.setStatus('passed', { details });
    else this.setStatus('failed', { reason: 'TONE_NOT_HEARD', details });
    return details;
  }

  /** Stops the tone if it is playing. */
  stop(): void {
    this.release();
  }

  /** Plays the tone for `toneMs`; the step then waits for {@link heard}. */
  protected async execute(signal: AbortSignal): Promise<void> {
    this.release();
    const { toneMs, frequencyHz } = this.ctx.options.speaker;
    const tone = await this.#start(frequencyHz, toneMs);
    this.#tone = tone;
    this.#played = true;
    this.emitExtra('tone', true);
    this.emitProgress(0);
    try {
      await sleep(this.ctx.platform, toneMs, signal);
    } finally {
      if (this.#tone === tone) this.release();
    }
    this.emitProgress(1);
  }

  async #start(frequencyHz: number, toneMs: number): Promise<Tone> {
    const platform = this.ctx.platform;
    let audio: AudioContextLike | undefined;
    try {
      audio = platform.createAudioContext?.();
    } catch {
      audio = undefined;
    }
    if (!audio) throw new UnsupportedError('UNSUPPORTED_FEATURE', 'no AudioContext to play the test tone');
    const osc = audio.createOscillator();
    osc.type = 'sine';
    osc.frequency.value = frequencyHz;
    const gain = audio.createGain();
    const t0 = audio.currentTime;
    const end = t0 + toneMs / 1000;
    gain.gain.setValueAtTime(0, t0);
    gain.gain.linearRampToValueAtTime(TONE_GAIN, t0 + 0.05);
    gain.gain.setValueAtTime(TONE_GAIN, Math.max(t0 + 0.05, end - 0.05));
    gain.gain.linearRampToValueAtTime(0, end);
    osc.connect(gain);
    const nodes: AudioNodeLike[] = [osc, gain];
    let element: AudioElementLike | undefined;
    const cleanup = (): void => {
      try {
        osc.stop();
      } catch {
        // not started or already stopped
      }
      for (const n of nodes) {
        try {
          n.disconnect();
        } catch {
          // ignore
        }
      }
      if (element) {
        element.pause();
        element.srcObject = null;
      }
      void audio.close().catch(() => undefined);
    };
    try {
      const id = this.#speakerId;
      const candidate = id && !audio.setSinkId && audio.createMediaStreamDestination ? platform.createAudioElement?.() : undefined;
      if (id && audio.setSinkId) {
        await audio.setSinkId(id);
        gain.connect(audio.destination);
      } else if (id && audio.createMediaStreamDestination && candidate?.setSinkId) {
        element = candidate;
        const dest = audio.createMediaStreamDestination();
        nodes.push(dest);
        gain.connect(dest);
        candidate.srcObject = dest.stream;
        await candidate.setSinkId(id);
        await candidate.play();
      } else {
        gain.connect(audio.destination);
      }
      await audio.resume().catch(() => undefined);
      osc.start();
    } catch (e) {
      cleanup();
      throw mapMediaError(e, 'speaker');
    }
    return { audio, nodes, element, stop: cleanup };
  }

  protected override release(): void {
    const t = this.#tone;
    if (!t) return;
    this.#tone = undefined;
    t.stop();
    if (!this.closed) this.emitExtra('tone', false);
  }

  protected override clearAnswer(): void {
    this.#played = false;
  }

  override persist(): PersistedStep | undefined {
    if (!this.details) return this.#speakerId ? { status: 'idle', state: { speakerId: this.#speakerId } } : undefined;
    return {
      status: this.status,
      ...(this.reason ? { reason: this.reason } : {}),
      state: { speakerId: this.#speakerId, heard: this.details.heard },
    };
  }

  override restore(saved: PersistedStep): void {
    const s = saved.state as { speakerId?: unknown; heard?: unknown } | undefined;
    if (!s || typeof s !== 'object') return;
    if (typeof s.speakerId === 'string') this.#speakerId = s.speakerId;
    if (typeof s.heard !== 'boolean' || (saved.status !== 'passed' && saved.status !== 'failed')) return;
    this.#played = true;
    const details = { ...(this.#speakerId ? { speakerId: this.#speakerId } : {}), heard: s.heard };
    this.restoreStatus({ ...saved, ...(s.heard ? {} : { reason: 'TONE_NOT_HEARD' as const }) }, details);
  }

  /** Sets the output id (restored selection). @internal */
  setSpeakerId(id: string | undefined): void {
    this.#speakerId = id;
  }
}
