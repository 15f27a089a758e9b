import { describe, expect, it, vi } from 'vitest';
import type { ProducerInfo, RequestData } from '@alcove/protocol';
import { useFakeTimeSession } from '../test/fake-time-session.js';
import { consumeAnswer } from '../test/scripted-room.js';

/**
 * A producer announced while the session is joined (`media.producerAdded`, no recovery running)
 * whose consume the server refuses for now (`RATE_LIMITED` after a reconnect's burst) is consumed
 * later, not forgotten; a refusal for good is not retried; a producer that goes away is not retried.
 */
describe('consume of a new producer refused for now', () => {
  const MIC: ProducerInfo = { producerId: 'rp9', participantId: 'p2', kind: 'audio', source: 'mic', paused: false };
  const fx = useFakeTimeSession();

  const consumes = (): number =>
    (fx.room.requests('media.consume') as RequestData<'media.consume'>[]).filter((d) => d.producerId === 'rp9').length;

  /** Answers `media.consume` of rp9 with `code` `times` times, then accepts it. */
  const refuse = (code: string, times: number): void => {
    let left = times;
    fx.room.handle('media.consume', (d) => (d.producerId === 'rp9' && left-- > 0 ? { error: code } : consumeAnswer(d)));
  };

  it('RATE_LIMITED twice: retried with growing delays, then the remote track arrives', async () => {
    const s = await fx.join();
    refuse('RATE_LIMITED', 2);
    fx.room.last.notify('media.producerAdded', MIC);
    await vi.advanceTimersByTimeAsync(0);
    expect(consumes()).toBe(1);
    expect(s.remoteTracks).toEqual([]);
    // First retry after 0.5 s, the second 1 s after that.
    await vi.advanceTimersByTimeAsync(499);
    expect(consumes()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(consumes()).toBe(2);
    await vi.advanceTimersByTimeAsync(999);
    expect(consumes()).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(consumes()).toBe(3);
    expect(s.remoteTracks.map((t) => t.producerId)).toEqual(['rp9']);
    expect(fx.errors).toEqual([]);
    expect(s.diagnostics.swallowedErrors).toMatchObject({ 'media.consume': 2 });
    // Nothing more is asked once it is consumed (longer than the longest retry delay; not so long
    // that the media monitor's no-inbound-media check, fake transports carry nothing, kicks in).
    await vi.advanceTimersByTimeAsync(8_000);
    expect(consumes()).toBe(3);
  });

  it('the producer closes while the consume is refused: the retries stop', async () => {
    const s = await fx.join();
    refuse('RATE_LIMITED', Number.POSITIVE_INFINITY);
    fx.room.last.notify('media.producerAdded', MIC);
    await vi.advanceTimersByTimeAsync(2000); // the first try, and retries at 0.5 s and 1.5 s
    expect(consumes()).toBe(3);
    fx.room.last.notify('media.producerClosed', { producerId: 'rp9' });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(consumes()).toBe(3);
    expect(s.remoteTracks).toEqual([]);
  });

  it('the retry delay stops growing at 8 s and ends when the session leaves', async () => {
    await fx.join();
    refuse('RATE_LIMITED', Number.POSITIVE_INFINITY);
    fx.room.last.notify('media.producerAdded', MIC);
    await vi.advanceTimersByTimeAsync(0.5e3 + 1e3 + 2e3 + 4e3 + 8e3); // first try + 5 retries
    expect(consumes()).toBe(6);
    await vi.advanceTimersByTimeAsync(8000);
    expect(consumes()).toBe(7);
    await fx.leave();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(consumes()).toBe(7);
  });

  it('NOT_FOUND (the producer is gone) is not retried and is reported as before', async () => {
    await fx.join();
    refuse('NOT_FOUND', Number.POSITIVE_INFINITY);
    fx.room.last.notify('media.producerAdded', MIC);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(consumes()).toBe(1);
    expect(fx.errors).toEqual(['NOT_FOUND']);
  });
});
