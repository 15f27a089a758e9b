/**
 * Page script of the session benchmark: joins with @alcove/core (E2EE on with the worker at
 * /e2ee-worker.js, or off), records every decoded remote video frame (requestVideoFrameCallback)
 * and the session's own events, all on the wall clock (`performance.timeOrigin + performance.now()`,
 * the same clock as the bench's `Date.now()` on this machine). Exposed as `window.bench`.
 */
import { Session } from '@alcove/core';

type FrameCb = (now: number) => void;
const wall = (): number => performance.timeOrigin + performance.now();

const video = document.createElement('video');
video.muted = true;
video.autoplay = true;
document.body.append(video);
/** Wall-clock time of every remote video frame presented. */
const frames: number[] = [];
const loop = (): void => {
  (video as unknown as { requestVideoFrameCallback(cb: FrameCb): void }).requestVideoFrameCallback(() => {
    frames.push(wall());
    loop();
  });
};
loop();

let session: Session | undefined;
/** The session's events: [name, wall ms, detail]. Nothing secret (states, causes, error codes). */
const events: [string, number, string][] = [];
const marks: [string, number][] = [];
const bench = {
  marks,
  frames,
  events,
  now: wall,
  /** The first frame presented after wall time `t`, or undefined. */
  frameAfter(t: number): number | undefined {
    return frames.find((x) => x > t);
  },
  /**
   * The longest gap between presented frames within [from, to] (wall ms), counting the gap from
   * `from` to the first frame, and the number of frames in the window.
   */
  longestGap(from: number, to: number): { gap: number; frames: number } {
    let last = from;
    let gap = 0;
    let n = 0;
    for (const f of frames) {
      if (f < from || f > to) continue;
      gap = Math.max(gap, f - last);
      last = f;
      n++;
    }
    return { gap, frames: n };
  },
  /** How many frames were presented after wall time `t`. */
  framesAfter(t: number): number {
    return frames.filter((x) => x > t).length;
  },
  /** The E2EE state of the sender `participantId`: its key generation and whether it decrypted in it. */
  peerKey(participantId: string): { generation: number; decrypted: boolean } | undefined {
    const p = session?.e2eeState.peers.find((x) => x.participantId === participantId);
    return p ? { generation: p.keyGeneration, decrypted: p.decryptedInEpoch } : undefined;
  },
  /** Frames of `participantId`'s camera the E2EE worker dropped so far (any reason), or -1 without stats. */
  async droppedFrom(participantId: string): Promise<number> {
    const all = (await session?.getE2eeStats()) ?? [];
    const t = all.find((x) => x.direction === 'recv' && x.participantId === participantId && x.track === 'cam');
    return t ? t.dropped : -1;
  },
  /** The first event `name` at or after wall time `t`, or undefined. */
  eventAfter(name: string, t: number): number | undefined {
    return events.find((e) => e[0] === name && e[1] >= t)?.[1];
  },
  /**
   * Joins and resolves with ms from the token to the first decoded remote video frame. `e2ee`:
   * with the E2EE worker (the default for sessions), or `e2ee: 'off'`.
   */
  async join(serverUrl: string, token: string, e2ee: boolean, publish = true): Promise<number> {
    frames.length = 0;
    events.length = 0;
    marks.length = 0;
    const t0 = wall();
    const s = Session.create({
      serverUrl,
      token,
      simulcast: false,
      publish: { audio: publish, video: publish },
      ...(e2ee ? { e2eeWorker: () => new Worker('/e2ee-worker.js', { type: 'module' }) } : { e2ee: 'off' as const }),
    });
    session = s;
    const log = (name: string, detail = ''): void => void events.push([name, wall(), detail]);
    s.on('stateChanged', (c) => {
      marks.push([c.to, Math.round(wall() - t0)]);
      log('state', c.to);
    });
    s.on('reconnecting', (i) => log('reconnecting', `${i.cause}/${i.tier}`));
    s.on('reconnected', (i) => log('reconnected', `${i.cause}/${i.tier}`));
    s.on('error', (e) => log('error', e.code));
    s.on('e2eePeerKeyed', () => marks.push(['keyed', Math.round(wall() - t0)]));
    const firstFrame = new Promise<number>((resolve) => {
      s.on('trackPublished', (t) => {
        marks.push([`track-${t.kind}`, Math.round(wall() - t0)]);
        if (t.kind !== 'video') return;
        // A rebuilt transport publishes the track again: the same element shows it.
        s.attach(t.track, video);
        const attachedAt = wall();
        const check = (): void => {
          const f = frames.find((x) => x >= attachedAt);
          if (f !== undefined) resolve(f - t0);
          else setTimeout(check, 5);
        };
        check();
      });
    });
    await s.join();
    return firstFrame;
  },
  state: () => session?.state,
  async leave(): Promise<void> {
    await session?.leave();
    session = undefined;
    // The next join's first frame must be its own, not the last one of this stream.
    video.srcObject = null;
  },
};
(window as unknown as { bench: typeof bench }).bench = bench;
