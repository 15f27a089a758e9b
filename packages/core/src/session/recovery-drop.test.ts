import { testFakeParameters } from 'mediasoup-client';
import { describe, expect, it, vi } from 'vitest';
import type { ProducerInfo } from '@alcove/protocol';
import type { Session } from './session.js';
import { setFakeConnectionState } from '../test/fake-platform.js';
import { useFakeTimeSession } from '../test/fake-time-session.js';
import { consumeAnswer, dropTransports } from '../test/scripted-room.js';

/**
 * A server-side transport drop (`media.transportClosed`) must never end in `reconnected` while a
 * known remote producer has no consumer, however the repair was cut short: the server dropping the
 * new transports while the repair consumes, an attempt that fails after creating transports, or one
 * aborted by the attempt timeout in the middle of consuming.
 */
describe('recovery after the server drops the transports', () => {
  const REMOTE: ProducerInfo = { producerId: 'rp1', participantId: 'p2', kind: 'audio', source: 'mic', paused: false };
  const fx = useFakeTimeSession();
  /** For each `reconnected`: the remote producers that had a consumer at that moment. */
  let consumedAtReconnected: string[][];

  const flush = async (ms = 0): Promise<void> => {
    await vi.advanceTimersByTimeAsync(ms);
  };

  const join = async (): Promise<Session> => {
    consumedAtReconnected = [];
    const s = await fx.join({
      producers: [REMOTE],
      listen: (s) => s.on('reconnected', () => consumedAtReconnected.push(s.remoteTracks.map((t) => t.producerId))),
    });
    expect(s.remoteTracks.map((t) => t.producerId)).toEqual(['rp1']);
    return s;
  };

  /** Runs timers until the session is `joined` again (bounded by fake time, not wall-clock). */
  const settle = async (s: Session): Promise<void> => {
    for (let i = 0; i < 200 && (s.state !== 'joined' || consumedAtReconnected.length === 0); i++) await flush(100);
    expect(s.state).toBe('joined');
  };

  it('the server drops the new transports while the repair consumes: the repair starts over', async () => {
    const s = await join();
    const consume = fx.room.requests('media.consume').length;
    // The repair's first consume finds its transport dropped again (the drop lands mid-repair).
    let dropNext = true;
    fx.room.handle('media.consume', (d) => {
      if (dropNext) {
        dropNext = false;
        dropTransports(fx.room);
        return { error: 'NOT_FOUND' };
      }
      return fx.room.transports.has(d.transportId) ? consumeAnswer(d) : { error: 'NOT_FOUND' };
    });
    dropTransports(fx.room);
    await settle(s);
    expect(fx.room.requests('media.consume').length - consume).toBeGreaterThanOrEqual(2);
    expect(consumedAtReconnected).toEqual([['rp1']]);
    // Consumed on a transport the server still has.
    expect(fx.room.transports.size).toBe(2);
    expect(s.diagnostics.transports).toBe(2);
  });

  it('an attempt whose publish fails on the new transports: the next one publishes on other ones and receives', async () => {
    const s = await join();
    // The first publish on the new transports fails: the attempt stops before it consumes.
    let failNext = true;
    let failedOn = '';
    fx.room.handle('media.produce', (d) => {
      if (failNext) {
        failedOn = d.transportId;
        failNext = false;
        // As in a browser: the send transport is up (ICE and DTLS done) when its first produce fails;
        // the receive transport stays `new` (nothing consumed on it yet).
        const send = fx.platform.createdTransports.filter((t) => t.direction === 'send').at(-1);
        if (send) setFakeConnectionState(send, 'connected');
        return { error: 'INTERNAL_ERROR' };
      }
      return { producerId: `prod-${fx.room.requests('media.produce').length}` };
    });
    const produced = fx.room.requests('media.produce').length;
    dropTransports(fx.room);
    await settle(s);
    expect(consumedAtReconnected).toEqual([['rp1']]);
    // Both local tracks are published again on the new transports.
    expect(s.localTracks.every((t) => typeof t.producerId === 'string')).toBe(true);
    expect(fx.room.requests('media.produce').length - produced).toBeGreaterThanOrEqual(3);
    // Not on the send transport where a produce failed: a browser's offer there already has the
    // failed track's m-line, so producing again on it fails ("order of m-lines ... doesn't match").
    const after = fx.room.requests('media.produce').slice(-2) as { transportId: string }[];
    expect(after.map((p) => p.transportId === failedOn)).toEqual([false, false]);
  });

  it('a repair that failed after forgetting the transports: the next one still consumes the known producers', async () => {
    const s = await join();
    // The first attempt forgets the dropped transports, then loading the device for new ones is
    // refused (rate-limited): the next attempt starts with no transports and the socket kept (no
    // resume result to take the producers from).
    let limitNext = true;
    fx.room.handle('media.getRouterRtpCapabilities', () => {
      if (limitNext) {
        limitNext = false;
        return { error: 'RATE_LIMITED' };
      }
      return { rtpCapabilities: JSON.parse(JSON.stringify(testFakeParameters.generateRouterRtpCapabilities())) };
    });
    const caps = fx.room.requests('media.getRouterRtpCapabilities').length;
    dropTransports(fx.room);
    await settle(s);
    expect(fx.room.requests('media.getRouterRtpCapabilities').length - caps).toBeGreaterThanOrEqual(2);
    expect(fx.room.requests('session.resume')).toHaveLength(0);
    expect(consumedAtReconnected).toEqual([['rp1']]);
  });

  it('a consume the server rate-limits during the repair is retried, not given up', async () => {
    const s = await join();
    // A repair sends many requests at once; the server's per-connection limit refuses one consume.
    let limitNext = true;
    fx.room.handle('media.consume', (d) => {
      if (limitNext) {
        limitNext = false;
        return { error: 'RATE_LIMITED' };
      }
      return consumeAnswer(d);
    });
    dropTransports(fx.room);
    await settle(s);
    expect(consumedAtReconnected).toEqual([['rp1']]);
  });

  it('a consumer the server could not resume (rate-limited) is made again, not kept paused', async () => {
    const s = await join();
    const resumedOk = new Set<string>();
    let limitNext = true;
    fx.room.handle('media.resumeConsumer', (d) => {
      if (limitNext) {
        limitNext = false;
        return { error: 'RATE_LIMITED' };
      }
      resumedOk.add(d.consumerId);
      return {};
    });
    const resumedAtReconnected: boolean[] = [];
    s.on('reconnected', () => resumedAtReconnected.push(s.remoteTracks.every((t) => resumedOk.has(t.id))));
    dropTransports(fx.room);
    await settle(s);
    expect(consumedAtReconnected).toEqual([['rp1']]);
    // Every consumer received at `reconnected` was resumed on the server (a paused one gets nothing).
    expect(resumedAtReconnected).toEqual([true]);
  });

  it('a remote producer gone without a producerClosed is forgotten, not waited for', async () => {
    const s = await join();
    // The server no longer has rp1 (its producerClosed never reached this client); the transports are fine.
    fx.room.handle('media.consume', () => ({ error: 'NOT_FOUND' }));
    dropTransports(fx.room);
    await settle(s);
    expect(consumedAtReconnected).toEqual([[]]);
    expect(s.state).toBe('joined');
  });

  it('an attempt aborted (attempt timeout) while consuming does not declare recovery', async () => {
    const s = await join();
    // The first consume after the drop never gets an answer: the controller's attempt timeout aborts it.
    let hangNext = true;
    fx.room.handle('media.consume', (d) => {
      if (hangNext) {
        hangNext = false;
        return 'no-reply';
      }
      return consumeAnswer(d);
    });
    dropTransports(fx.room);
    await settle(s);
    expect(consumedAtReconnected).toEqual([['rp1']]);
    expect(fx.errors).not.toContain('ABORTED');
  });
});
