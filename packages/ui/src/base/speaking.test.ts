import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { analyserSizeFor } from '@alcove/core/checklist';
import { SpeakingMeter } from './speaking.js';

const RATE = 48_000;
/** What the fake analysers hold: the most recent `fftSize` samples, newest last. */
let audio: (fftSize: number) => Float32Array = (n) => new Float32Array(n);

class FakeAudioContext {
  readonly sampleRate = RATE;
  state = 'running';
  createMediaStreamSource() {
    return { connect: () => undefined, disconnect: () => undefined };
  }
  createAnalyser() {
    return {
      fftSize: 2048,
      getFloatTimeDomainData(into: Float32Array) {
        into.set(audio(this.fftSize));
      },
    };
  }
  resume = vi.fn(async () => undefined);
  close = async () => undefined;
}

/** `ms` of tone at `amplitude` ending `endsMsAgo` before now, silence elsewhere. */
function burst(ms: number, endsMsAgo: number, amplitude: number) {
  return (n: number) => {
    const out = new Float32Array(n);
    const end = n - Math.round((endsMsAgo * RATE) / 1000);
    for (let i = Math.max(0, end - Math.round((ms * RATE) / 1000)); i < end; i++) out[i] = amplitude * (i % 2 ? 1 : -1);
    return out;
  };
}

describe('SpeakingMeter', () => {
  const track = {} as MediaStreamTrack;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    vi.stubGlobal('AudioContext', FakeAudioContext);
    vi.stubGlobal(
      'MediaStream',
      class {
        constructor(readonly tracks: unknown[]) {}
      },
    );
    audio = (n) => new Float32Array(n);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('hears a 20 ms sound wherever it falls between two samples (not only in the last few milliseconds)', () => {
    for (let endsMsAgo = 0; endsMsAgo <= 200; endsMsAgo += 10) {
      const changes = vi.fn();
      const meter = new SpeakingMeter(changes);
      meter.watch('peer', track);
      audio = burst(20, endsMsAgo, 0.5);
      vi.advanceTimersByTime(200);
      expect({ endsMsAgo, speaking: meter.speaking('peer') }).toEqual({ endsMsAgo, speaking: true });
      expect(changes).toHaveBeenCalledTimes(1);
      meter.close();
    }
  });

  it('counts one loud 10 ms stretch even when the window as a whole is quiet', () => {
    const meter = new SpeakingMeter(() => undefined);
    meter.watch('peer', track);
    audio = burst(20, 100, 0.05);
    const whole = audio(analyserSizeFor(RATE, 200));
    // Averaged over the whole window the sound is under the threshold; its loudest piece is over it.
    expect(Math.sqrt(whole.reduce((s, v) => s + v * v, 0) / whole.length)).toBeLessThan(0.02);
    vi.advanceTimersByTime(200);
    expect(meter.speaking('peer')).toBe(true);
    meter.close();
  });

  it('is silent for silence, and stops reporting speech 600 ms after the last sound', () => {
    const changes = vi.fn();
    const meter = new SpeakingMeter(changes);
    meter.watch('peer', track);
    vi.advanceTimersByTime(1000);
    expect(meter.speaking('peer')).toBe(false);
    expect(changes).not.toHaveBeenCalled();
    audio = burst(20, 50, 0.5);
    vi.advanceTimersByTime(200);
    expect(meter.speaking('peer')).toBe(true);
    audio = (n) => new Float32Array(n);
    vi.advanceTimersByTime(400);
    expect(meter.speaking('peer')).toBe(true);
    vi.advanceTimersByTime(400);
    expect(meter.speaking('peer')).toBe(false);
    expect(changes).toHaveBeenCalledTimes(2);
    meter.close();
  });

  it('resumes a context the browser made suspended', () => {
    const meter = new SpeakingMeter(() => undefined);
    const made: FakeAudioContext[] = [];
    vi.stubGlobal(
      'AudioContext',
      class extends FakeAudioContext {
        constructor() {
          super();
          this.state = 'suspended';
          made.push(this);
        }
      },
    );
    meter.watch('peer', track);
    expect(made).toHaveLength(1);
    expect(made[0]!.resume).toHaveBeenCalledTimes(1);
    meter.close();
  });
});
