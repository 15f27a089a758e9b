import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AgreementStatus } from '../key-agreement.js';
import type { FromWorker, TransformStats, WorkerStatus } from './messages.js';
import { ACTIVITY_INTERVAL_MS, StatusReporter } from './status.js';

const agreement = (over: Partial<AgreementStatus> = {}): AgreementStatus => ({
  localKeyed: true,
  generation: 0,
  peers: [{ peer: 'p2', paired: true, keyed: true, generation: 0, decryptedInEpoch: true, graceOpened: 0, awaitingPublishedKey: false }],
  refused: {},
  ...over,
});

function setup(wanted: string[] = []) {
  const transforms: { -readonly [K in keyof TransformStats]: TransformStats[K] }[] = [
    { participantId: 'p2', track: 'cam', direction: 'recv', frames: 0, dropped: 0 },
    { participantId: 'me', track: 'cam', direction: 'send', frames: 0, dropped: 0 },
  ];
  const posted: WorkerStatus[] = [];
  const reporter = new StatusReporter(
    () => transforms,
    (m: FromWorker) => {
      if (m.type === 'status') posted.push(m.status);
      if (m.type === 'keyFrameWanted') wanted.push(m.participantId);
    },
  );
  return { transforms, posted, reporter };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('StatusReporter (E2EE worker)', () => {
  it('posts the key state when it changes (coalesced), with which peers send frames', async () => {
    vi.useFakeTimers();
    const { transforms, posted, reporter } = setup();
    let st = agreement();
    reporter.start({ status: () => st });
    reporter.changed();
    await Promise.resolve();
    expect(posted).toHaveLength(1);
    expect(posted[0]?.peers[0]?.sending).toBe(false);
    // Frames of p2 arrive: reported at the next change, and by the once-a-second check.
    transforms[0]!.frames = 10;
    vi.advanceTimersByTime(ACTIVITY_INTERVAL_MS);
    expect(posted.at(-1)?.peers[0]?.sending).toBe(true);
    const n = posted.length;
    // Nothing changed: nothing posted. Frames stop: "not sending" one interval later.
    vi.advanceTimersByTime(ACTIVITY_INTERVAL_MS);
    expect(posted.at(-1)?.peers[0]?.sending).toBe(false);
    vi.advanceTimersByTime(ACTIVITY_INTERVAL_MS);
    expect(posted.length).toBe(n + 1);
    st = agreement({ refused: { IDENTITY_MISMATCH: 1 } });
    reporter.changed();
    reporter.changed();
    await Promise.resolve();
    expect(posted.length).toBe(n + 2);
    expect(posted.at(-1)?.refused).toEqual({ IDENTITY_MISMATCH: 1 });
    reporter.stop();
  });

  it('asks every sender for a key frame after a key change, counts it, forgets closed transformers', async () => {
    const wanted: string[] = [];
    const { posted, reporter } = setup(wanted);
    const calls: string[] = [];
    reporter.addSender({ generateKeyFrame: async () => calls.push('cam') }, 'cam');
    reporter.addSender(
      {
        generateKeyFrame: () => {
          calls.push('closed');
          return Promise.reject(new DOMException('closed', 'InvalidStateError'));
        },
      },
      'cam',
    );
    reporter.addSender({}, 'cam'); // the legacy path has no generateKeyFrame
    reporter.requestKeyFrames();
    for (let i = 0; i < 3; i++) await Promise.resolve(); // the rejection settles
    reporter.requestKeyFrames();
    expect(calls).toEqual(['cam', 'closed', 'cam']);
    // Chromium: no generateKeyFrame; the receivers of a peer that switched ask it instead.
    reporter.addReceiver({ sendKeyFrameRequest: async () => calls.push('from p2') }, 'p2');
    reporter.addReceiver({ sendKeyFrameRequest: async () => calls.push('from p3') }, 'p3');
    reporter.addReceiver({}, 'p2');
    reporter.requestKeyFramesFrom('p2');
    expect(calls.slice(3)).toEqual(['from p2']);
    expect(wanted).toEqual([]);
    // Legacy path: no transformer to ask; the main thread asks the server instead.
    reporter.requestKeyFramesFrom('p9');
    expect(wanted).toEqual(['p9']);
    // A receiver's request (media.keyFrameRequested) names one track: only its encoder is asked.
    reporter.addSender({ generateKeyFrame: async () => calls.push('mic') }, 'mic');
    reporter.requestKeyFrames('mic');
    expect(calls.slice(4)).toEqual(['mic']);
    reporter.start({ status: () => agreement() });
    await Promise.resolve();
    expect(posted.at(-1)?.keyFramesRequested).toBe(6);
    reporter.stop();
  });
});
