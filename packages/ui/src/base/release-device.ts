import type { AnyCheck } from '@alcove/core/checklist';

/**
 * Stops what a device step of the checklist holds (camera preview, microphone meter, test tone);
 * its result stays (the tone may still be playing when the person answered). A camera or
 * microphone check still running is reset instead: `stop()` alone would leave it running with
 * nothing to finish it (the microphone waits for sound that can no longer come). Steps of other
 * kinds hold nothing.
 */
export function releaseDevice(s: AnyCheck | undefined): void {
  if (s?.kind !== 'camera' && s?.kind !== 'microphone' && s?.kind !== 'speaker') return;
  if (s.closed || !s.busy || s.kind === 'speaker') return s.stop();
  s.reset();
  // A reset in the instant the device is being opened can leave it open (the check goes on setting
  // it up after the abort): once that settled, let go of whatever it still holds.
  setTimeout(() => {
    if (!s.busy && (s.kind === 'microphone' ? s.metering : s.stream)) s.stop();
  }, 0);
}
