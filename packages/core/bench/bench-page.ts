/**
 * Page script of the session benchmark: joins with @alcove/core and times the first decoded remote
 * frame (requestVideoFrameCallback). Exposed as `window.bench`.
 */
import { Session } from '@alcove/core';

type FrameCb = (now: number) => void;
const video = document.createElement('video');
video.muted = true;
document.body.append(video);
const frames: number[] = [];
const loop = (): void => {
  (video as unknown as { requestVideoFrameCallback(cb: FrameCb): void }).requestVideoFrameCallback(() => {
    frames.push(performance.now());
    loop();
  });
};
loop();

let session: Session | undefined;
const marks: [string, number][] = [];
const bench = {
  marks,
  frames,
  now: () => performance.now(),
  /** Joins and resolves with ms from the token to the first decoded remote video frame. */
  async join(serverUrl: string, token: string): Promise<number> {
    frames.length = 0;
    const t0 = performance.now();
    const s = Session.create({ serverUrl, token, simulcast: false, publish: { audio: true, video: true } });
    session = s;
    marks.length = 0;
    s.on('stateChanged', (c) => marks.push([c.to, Math.round(performance.now() - t0)]));
    const firstFrame = new Promise<number>((resolve) => {
      s.on('trackPublished', (t) => {
        marks.push([`track-${t.kind}`, Math.round(performance.now() - t0)]);
        if (t.kind !== 'video') return;
        s.attach(t.track, video);
        const start = frames.length;
        const check = (): void => {
          const f = frames.slice(start).find((x) => x >= t0);
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
  },
};
(window as unknown as { bench: typeof bench }).bench = bench;
