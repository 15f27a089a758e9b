import type { ChecklistPolicyInfo } from '@alcove/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MediaDeviceError, UnsupportedError } from '../../session/errors.js';
import { Checklist } from '../checklist.js';
import { type TestPlatform, type TestTrack, createTestPlatform } from '../test/fakes.js';
import { analyserSizeFor, levelFromSamples } from './microphone.js';

const policy: ChecklistPolicyInfo = {
  steps: [
    { id: 'camera', required: true, allowWarning: true },
    { id: 'microphone', required: true, allowWarning: true },
    { id: 'speaker', required: false, allowWarning: true },
  ],
  requiredBeforeAdmission: false,
  jurisdictions: [],
  licensure: 'off',
  shareJurisdiction: false,
  prefillLocation: false,
};

function make(configure: (p: TestPlatform) => void = () => undefined, options: ConstructorParameters<typeof Checklist>[0] = {}) {
  const platform = createTestPlatform();
  configure(platform);
  const checklist = new Checklist({ policy, platform, ...options });
  return { platform, checklist };
}

const track = (p: TestPlatform, i = -1): TestTrack => p.media.opened.at(i)!;

describe('camera step', () => {
  it('opens the camera, shows a live preview and reports what it achieved', async () => {
    const { platform, checklist } = make((p) => (p.measuredFps = 29.64));
    const cam = checklist.camera!;
    const previews: (MediaStream | null)[] = [];
    const lists: number[] = [];
    cam.on('preview', (s) => previews.push(s));
    cam.on('devicesChanged', (d) => lists.push(d.length));
    expect(await cam.run()).toBe('passed');
    expect(cam.details).toEqual({ deviceId: 'cam-1', width: 1280, height: 720, frameRate: 30, measuredFps: 29.6 });
    expect(previews).toHaveLength(1);
    expect(previews[0]!.getVideoTracks()[0]).toBe(track(platform));
    expect(checklist.devices).toMatchObject({ cameraId: 'cam-1', cameraStream: previews[0] });
    await vi.waitFor(() => expect(lists).toEqual([2]));
    expect(cam.devices.map((d) => d.deviceId)).toEqual(['cam-1', 'cam-2']);
  });

  it('warns on a low resolution or frame rate', async () => {
    const low = make((p) => (p.media.video = { width: 320, height: 240, frameRate: 30 }));
    expect(await low.checklist.camera!.run()).toBe('warning');
    expect(low.checklist.camera!.reason).toBe('LOW_RESOLUTION');
    const slow = make((p) => (p.measuredFps = 9));
    expect(await slow.checklist.camera!.run()).toBe('warning');
    expect(slow.checklist.camera!.reason).toBe('LOW_FRAME_RATE');
  });

  it.each([
    ['NotAllowedError', 'PERMISSION_DENIED'],
    ['NotFoundError', 'DEVICE_NOT_FOUND'],
    ['NotReadableError', 'DEVICE_IN_USE'],
    ['OverconstrainedError', 'CONSTRAINTS_NOT_SATISFIED'],
  ])('maps %s to an actionable code', async (name, code) => {
    const { checklist } = make((p) => (p.media.failNext = name));
    expect(await checklist.camera!.run()).toBe('failed');
    expect(checklist.camera!.reason).toBe(code);
    expect(checklist.camera!.error).toBeInstanceOf(MediaDeviceError);
    expect(checklist.camera!.error!.code).toBe(code);
    expect(checklist.camera!.snapshot()).toMatchObject({ status: 'failed', reason: code, errorCode: code });
  });

  it('fails with a reason where the browser has no camera API', async () => {
    const { checklist } = make((p) => ((p as { mediaDevices: unknown }).mediaDevices = undefined));
    expect(await checklist.camera!.run()).toBe('failed');
    expect(checklist.camera!.reason).toBe('UNSUPPORTED_BROWSER');
  });

  it('switches to the chosen camera, stopping the previous one', async () => {
    const { platform, checklist } = make();
    const cam = checklist.camera!;
    await cam.run();
    const first = track(platform);
    expect(await cam.selectDevice('cam-2')).toBe('passed');
    expect(first.readyState).toBe('ended');
    expect((platform.media.constraints.at(-1)!.video as MediaTrackConstraints).deviceId).toEqual({ exact: 'cam-2' });
    expect(checklist.devices.cameraId).toBe('cam-2');
    await expect(cam.selectDevice('')).rejects.toMatchObject({ code: 'ANSWER_INVALID' });
  });

  it('hands the live stream over so the session reuses it; close() no longer stops it', async () => {
    const { platform, checklist } = make();
    await checklist.camera!.run();
    const stream = checklist.takeCameraStream();
    expect(stream).toBeDefined();
    expect(checklist.devices.cameraStream).toBeUndefined();
    checklist.close();
    expect(track(platform).readyState).toBe('live');
  });

  it('releases the camera on reset, on close and when the device goes away', async () => {
    const { platform, checklist } = make();
    const cam = checklist.camera!;
    const previews: (MediaStream | null)[] = [];
    cam.on('preview', (s) => previews.push(s));
    await cam.run();
    cam.reset();
    expect(track(platform).readyState).toBe('ended');
    expect(previews.at(-1)).toBeNull();
    expect(cam.status).toBe('idle');
    expect(cam.details).toBeUndefined();
    await cam.run();
    track(platform).end();
    expect(cam.stream).toBeUndefined();
    await cam.run();
    checklist.close();
    expect(track(platform).readyState).toBe('ended');
  });

  it('aborts while the browser asks for permission, releasing what arrives late', async () => {
    let open!: () => void;
    const { platform, checklist } = make((p) => (p.media.gate = new Promise((r) => (open = r))));
    const ac = new AbortController();
    const running = checklist.camera!.run(ac.signal);
    expect(checklist.camera!.status).toBe('running');
    await expect(checklist.camera!.run()).rejects.toMatchObject({ code: 'STEP_BUSY' });
    ac.abort();
    open();
    await expect(running).rejects.toMatchObject({ code: 'ABORTED' });
    expect(checklist.camera!.status).toBe('idle');
    await vi.waitFor(() => expect(track(platform).readyState).toBe('ended'));
  });
});

describe('microphone step', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('meters the level about 10 times a second and passes once the client speaks', async () => {
    const { platform, checklist } = make();
    const mic = checklist.microphone!;
    const levels: number[] = [];
    mic.on('level', (l) => levels.push(l));
    const running = mic.run();
    await vi.advanceTimersByTimeAsync(1000);
    expect(levels.length).toBeGreaterThanOrEqual(9);
    expect(levels.length).toBeLessThanOrEqual(11);
    expect(levels.every((l) => l === 0)).toBe(true);
    platform.audioContexts[0]!.amplitude = 0.1; // −20 dBFS
    await vi.advanceTimersByTimeAsync(200);
    expect(await running).toBe('passed');
    expect(levels.at(-1)).toBeCloseTo(2 / 3, 2);
    expect(mic.details).toMatchObject({ deviceId: 'mic-1', metered: true, soundDetected: true });
    expect(mic.metering).toBe(true); // the meter keeps going for the app
    mic.stop();
    const n = levels.length;
    await vi.advanceTimersByTimeAsync(1000);
    expect(levels.length).toBe(n);
    expect(track(platform).readyState).toBe('ended');
    expect(platform.audioContexts[0]!.closed).toBe(true);
    expect(mic.status).toBe('passed');
  });

  it('warns after a few seconds of silence, and passes if sound comes later', async () => {
    const { platform, checklist } = make(() => undefined, { microphone: { silenceWarningMs: 4000 } });
    const mic = checklist.microphone!;
    const running = mic.run();
    await vi.advanceTimersByTimeAsync(3500);
    expect(mic.status).toBe('running');
    await vi.advanceTimersByTimeAsync(700);
    expect(await running).toBe('warning');
    expect(mic.reason).toBe('SILENT');
    platform.audioContexts[0]!.amplitude = 0.05;
    await vi.advanceTimersByTimeAsync(200);
    expect(mic.status).toBe('passed');
    checklist.close();
    expect(track(platform).readyState).toBe('ended');
  });

  it('warns when the level cannot be measured, and maps permission errors', async () => {
    const none = make((p) => (p.audio = 'none'));
    expect(await none.checklist.microphone!.run()).toBe('warning');
    expect(none.checklist.microphone!.reason).toBe('NO_LEVEL_METER');
    expect(track(none.platform).readyState).toBe('ended');
    const denied = make((p) => (p.media.failNext = 'NotAllowedError'));
    expect(await denied.checklist.microphone!.run()).toBe('failed');
    expect(denied.checklist.microphone!.reason).toBe('PERMISSION_DENIED');
  });

  it('uses the chosen microphone', async () => {
    const { platform, checklist } = make((p) => (p.amplitude = 0.2));
    const status = checklist.microphone!.selectDevice('mic-1');
    expect(await status).toBe('idle'); // nothing to re-run yet
    const running = checklist.microphone!.run();
    await vi.advanceTimersByTimeAsync(200);
    expect(await running).toBe('passed');
    expect((platform.media.constraints.at(-1)!.audio as MediaTrackConstraints).deviceId).toEqual({ exact: 'mic-1' });
    expect(checklist.devices.microphoneId).toBe('mic-1');
    checklist.close();
  });

  it('stop() while it is still listening ends the check (idle, not busy) and releases the microphone', async () => {
    const { platform, checklist } = make();
    const mic = checklist.microphone!;
    const running = mic.run();
    await vi.advanceTimersByTimeAsync(300);
    mic.stop();
    expect(await running).toBe('idle');
    expect(mic.busy).toBe(false);
    expect(track(platform).readyState).toBe('ended');
    // It can run again.
    platform.audioContexts.at(-1)!.amplitude = 0.1;
    const again = mic.run();
    platform.audioContexts.at(-1)!.amplitude = 0.1;
    await vi.advanceTimersByTimeAsync(300);
    expect(['passed', 'running']).toContain(mic.status);
    checklist.close();
    await again.catch(() => undefined);
  });

  it('a reset while the microphone is being handed over leaves nothing open', async () => {
    const { platform, checklist } = make();
    const mic = checklist.microphone!;
    const running = mic.run().catch((e: unknown) => e);
    await Promise.resolve();
    mic.reset();
    await running;
    await vi.advanceTimersByTimeAsync(500);
    expect(mic.status).toBe('idle');
    expect(mic.metering).toBe(false);
    for (const t of platform.media.opened) expect(t.readyState).toBe('ended');
  });

  it('computes levels on a dB scale', () => {
    expect(levelFromSamples(new Float32Array(64))).toBe(0);
    expect(levelFromSamples(new Float32Array(64).fill(1))).toBe(1);
    expect(levelFromSamples(new Float32Array(64).fill(0.001))).toBeCloseTo(0, 5);
    expect(levelFromSamples(new Float32Array(0))).toBe(0);
    // By pieces: the loudest stretch counts, a short last piece included.
    const quietThenLoud = new Float32Array(100);
    quietThenLoud.fill(0.1, 90);
    expect(levelFromSamples(quietThenLoud, 10)).toBeCloseTo(2 / 3, 5);
    expect(levelFromSamples(quietThenLoud)).toBeLessThan(levelFromSamples(quietThenLoud, 10));
    const shortLast = new Float32Array(25);
    shortLast.fill(0.1, 20);
    expect(levelFromSamples(shortLast, 10)).toBeCloseTo(2 / 3, 5);
  });

  it('sizes the analyser to hold the time between two readings and half again', () => {
    expect(analyserSizeFor(48_000, 100)).toBe(8192);
    expect(analyserSizeFor(44_100, 100)).toBe(8192);
    expect(analyserSizeFor(48_000, 20)).toBe(2048);
    expect(analyserSizeFor(192_000, 1000)).toBe(32_768);
  });

  it('hears a 20 ms sound wherever it falls between two readings', async () => {
    for (let endsMsAgo = 0; endsMsAgo <= 100; endsMsAgo += 10) {
      const { platform, checklist } = make();
      const mic = checklist.microphone!;
      const running = mic.run();
      await vi.advanceTimersByTimeAsync(0);
      const ctx = platform.audioContexts[0]!;
      ctx.samples = (size) => {
        const out = new Float32Array(size);
        const end = size - (endsMsAgo * 48_000) / 1000;
        out.fill(0.1, Math.max(0, end - 960), end); // 20 ms at −20 dBFS, silence around it
        return out;
      };
      await vi.advanceTimersByTimeAsync(100);
      expect({ endsMsAgo, status: await running }).toEqual({ endsMsAgo, status: 'passed' });
      checklist.close();
    }
  });
});

describe('speaker step', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('plays a test tone, then waits for the client to say whether they heard it', async () => {
    const { platform, checklist } = make();
    const spk = checklist.speaker!;
    const tones: boolean[] = [];
    spk.on('tone', (p) => tones.push(p));
    expect(() => spk.heard(true)).toThrow(expect.objectContaining({ code: 'ANSWER_INVALID' }));
    const running = spk.run();
    await vi.advanceTimersByTimeAsync(0);
    const osc = platform.audioContexts[0]!.oscillators[0]!;
    expect(osc.started).toBe(true);
    expect(osc.frequency.value).toBe(440);
    expect(tones).toEqual([true]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(await running).toBe('running');
    expect(tones).toEqual([true, false]);
    expect(osc.stopped).toBe(true);
    expect(platform.audioContexts[0]!.closed).toBe(true);
    spk.heard(false);
    expect(spk.status).toBe('failed');
    expect(spk.reason).toBe('TONE_NOT_HEARD');
    spk.heard(true);
    expect(spk.status).toBe('passed');
    expect(spk.details).toEqual({ heard: true });
  });

  it('routes the tone to the chosen output: AudioContext.setSinkId, else an audio element', async () => {
    const sink = make((p) => (p.audio = 'sink'));
    sink.checklist.speaker!.selectDevice('spk-2');
    const r1 = sink.checklist.speaker!.run();
    await vi.advanceTimersByTimeAsync(2000);
    await r1;
    expect(sink.platform.audioContexts[0]!.sinkId).toBe('spk-2');
    expect(sink.checklist.devices.speakerId).toBe('spk-2');

    const element = make();
    element.checklist.speaker!.selectDevice('spk-2');
    const r2 = element.checklist.speaker!.run();
    await vi.advanceTimersByTimeAsync(0);
    expect(element.platform.audioElements[0]).toMatchObject({ sinkId: 'spk-2', playing: true });
    await vi.advanceTimersByTimeAsync(2000);
    await r2;
    expect(element.platform.audioElements[0]!.playing).toBe(false);
  });

  it('a new output asks again; output choice needs setSinkId', async () => {
    const { checklist } = make();
    const spk = checklist.speaker!;
    const r = spk.run();
    await vi.advanceTimersByTimeAsync(2000);
    await r;
    spk.heard(true);
    spk.selectDevice('spk-2');
    expect(spk.status).toBe('idle');
    const unsupported = make((p) => (p.caps = { ...p.caps, setSinkId: false }));
    expect(() => unsupported.checklist.speaker!.selectDevice('spk-2')).toThrow(UnsupportedError);
    expect(unsupported.checklist.speaker!.canSelectOutput).toBe(false);
  });

  it('fails where there is no audio, and can be skipped when optional', async () => {
    const { checklist } = make((p) => (p.audio = 'none'));
    expect(await checklist.speaker!.run()).toBe('failed');
    expect(checklist.speaker!.reason).toBe('UNSUPPORTED_FEATURE');
    checklist.speaker!.skip();
    expect(checklist.speaker!.status).toBe('skipped');
    expect(checklist.speaker!.satisfied).toBe(true);
  });

  it('stops the tone when reset mid-play', async () => {
    const { platform, checklist } = make();
    const running = checklist.speaker!.run();
    await vi.advanceTimersByTimeAsync(500);
    checklist.speaker!.reset();
    expect(await running).toBe('idle');
    expect(platform.audioContexts[0]!.oscillators[0]!.stopped).toBe(true);
    expect(checklist.speaker!.playing).toBe(false);
  });
});
