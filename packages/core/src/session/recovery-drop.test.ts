import { testFakeParameters } from 'mediasoup-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProducerInfo, RequestData, ResponseData } from '@alcove/protocol';
import { Session } from './session.js';
import { createFakePlatform, setFakeConnectionState, type FakePlatform } from '../test/fake-platform.js';
import { createScriptedRoom } from '../test/scripted-room.js';

/**
 * A server-side transport drop (`media.transportClosed`) must never end in `reconnected` while a
 * known remote producer has no consumer, however the repair was cut short: the server dropping the
 * new transports while the repair consumes, an attempt that fails after creating transports, or one
 * aborted by the attempt timeout in the middle of consuming.
 */
describe('recovery after the server drops the transports', () => {
  const REMOTE: ProducerInfo = { producerId: 'rp1', participantId: 'p2', kind: 'audio', source: 'mic', paused: false };
  let room: ReturnType<typeof createScriptedRoom>;
  let platform: FakePlatform;
  let session: Session | undefined;
  /** For each `reconnected`: the remote producers that had a consumer at that moment. */
  let consumedAtReconnected: string[][];
  let errors: string[];

  const flush = async (ms = 0): Promise<void> => {
    await vi.advanceTimersByTimeAsync(ms);
  };

  const join = async (): Promise<Session> => {
    room = createScriptedRoom({
      participants: [{ id: 'p2', role: 'host', displayName: 'T', connection: 'connected' }],
      producers: [REMOTE],
    });
    platform = createFakePlatform(room);
    const s = Session.create({ serverUrl: 'ws://127.0.0.1:1/ws', token: 'x'.repeat(32), platform, simulcast: false });
    session = s;
    consumedAtReconnected = [];
    errors = [];
    s.on('reconnected', () => consumedAtReconnected.push(s.remoteTracks.map((t) => t.producerId)));
    s.on('error', (e) => errors.push(e.code));
    await s.join();
    expect(s.remoteTracks.map((t) => t.producerId)).toEqual(['rp1']);
    return s;
  };

  /** The server closes every transport it has for the client and says so, as `dropTransports` does. */
  const dropTransports = (): void => {
    const ids = [...room.transports];
    room.transports.clear();
    for (const id of ids) room.last.notify('media.transportClosed', { transportId: id });
  };

  /** Runs timers until the session is `joined` again (bounded by fake time, not wall-clock). */
  const settle = async (s: Session): Promise<void> => {
    for (let i = 0; i < 200 && (s.state !== 'joined' || consumedAtReconnected.length === 0); i++) await flush(100);
    expect(s.state).toBe('joined');
  };

  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(async () => {
    await session?.leave();
    session = undefined;
    vi.useRealTimers();
  });

  it('the server drops the new transports while the repair consumes: the repair starts over', async () => {
    const s = await join();
    const consume = room.requests('media.consume').length;
    // The repair's first consume finds its transport dropped again (the drop lands mid-repair).
    let dropNext = true;
    room.handle('media.consume', (d) => {
      if (dropNext) {
        dropNext = false;
        dropTransports();
        return { error: 'NOT_FOUND' };
      }
      return room.transports.has(d.transportId) ? consumed(d) : { error: 'NOT_FOUND' };
    });
    dropTransports();
    await settle(s);
    expect(room.requests('media.consume').length - consume).toBeGreaterThanOrEqual(2);
    expect(consumedAtReconnected).toEqual([['rp1']]);
    // Consumed on a transport the server still has.
    expect(room.transports.size).toBe(2);
    expect(s.diagnostics.transports).toBe(2);
  });

  it('an attempt whose publish fails on the new transports: the next one publishes on other ones and receives', async () => {
    const s = await join();
    // The first publish on the new transports fails: the attempt stops before it consumes.
    let failNext = true;
    let failedOn = '';
    room.handle('media.produce', (d) => {
      if (failNext) {
        failedOn = d.transportId;
        failNext = false;
        // As in a browser: the send transport is up (ICE and DTLS done) when its first produce fails;
        // the receive transport stays `new` (nothing consumed on it yet).
        const send = platform.createdTransports.filter((t) => t.direction === 'send').at(-1);
        if (send) setFakeConnectionState(send, 'connected');
        return { error: 'INTERNAL_ERROR' };
      }
      return { producerId: `prod-${room.requests('media.produce').length}` };
    });
    const produced = room.requests('media.produce').length;
    dropTransports();
    await settle(s);
    expect(consumedAtReconnected).toEqual([['rp1']]);
    // Both local tracks are published again on the new transports.
    expect(s.localTracks.every((t) => typeof t.producerId === 'string')).toBe(true);
    expect(room.requests('media.produce').length - produced).toBeGreaterThanOrEqual(3);
    // Not on the send transport where a produce failed: a browser's offer there already has the
    // failed track's m-line, so producing again on it fails ("order of m-lines ... doesn't match").
    const after = room.requests('media.produce').slice(-2) as { transportId: string }[];
    expect(after.map((p) => p.transportId === failedOn)).toEqual([false, false]);
  });

  it('a repair that failed after forgetting the transports: the next one still consumes the known producers', async () => {
    const s = await join();
    // The first attempt forgets the dropped transports, then loading the device for new ones is
    // refused (rate-limited): the next attempt starts with no transports and the socket kept (no
    // resume result to take the producers from).
    let limitNext = true;
    room.handle('media.getRouterRtpCapabilities', () => {
      if (limitNext) {
        limitNext = false;
        return { error: 'RATE_LIMITED' };
      }
      return { rtpCapabilities: JSON.parse(JSON.stringify(testFakeParameters.generateRouterRtpCapabilities())) };
    });
    const caps = room.requests('media.getRouterRtpCapabilities').length;
    dropTransports();
    await settle(s);
    expect(room.requests('media.getRouterRtpCapabilities').length - caps).toBeGreaterThanOrEqual(2);
    expect(room.requests('session.resume')).toHaveLength(0);
    expect(consumedAtReconnected).toEqual([['rp1']]);
  });

  it('a consume the server rate-limits during the repair is retried, not given up', async () => {
    const s = await join();
    // A repair sends many requests at once; the server's per-connection limit refuses one consume.
    let limitNext = true;
    room.handle('media.consume', (d) => {
      if (limitNext) {
        limitNext = false;
        return { error: 'RATE_LIMITED' };
      }
      return consumed(d);
    });
    dropTransports();
    await settle(s);
    expect(consumedAtReconnected).toEqual([['rp1']]);
  });

  it('a consumer the server could not resume (rate-limited) is made again, not kept paused', async () => {
    const s = await join();
    const resumedOk = new Set<string>();
    let limitNext = true;
    room.handle('media.resumeConsumer', (d) => {
      if (limitNext) {
        limitNext = false;
        return { error: 'RATE_LIMITED' };
      }
      resumedOk.add(d.consumerId);
      return {};
    });
    const resumedAtReconnected: boolean[] = [];
    s.on('reconnected', () => resumedAtReconnected.push(s.remoteTracks.every((t) => resumedOk.has(t.id))));
    dropTransports();
    await settle(s);
    expect(consumedAtReconnected).toEqual([['rp1']]);
    // Every consumer received at `reconnected` was resumed on the server (a paused one gets nothing).
    expect(resumedAtReconnected).toEqual([true]);
  });

  it('a remote producer gone without a producerClosed is forgotten, not waited for', async () => {
    const s = await join();
    // The server no longer has rp1 (its producerClosed never reached this client); the transports are fine.
    room.handle('media.consume', () => ({ error: 'NOT_FOUND' }));
    dropTransports();
    await settle(s);
    expect(consumedAtReconnected).toEqual([[]]);
    expect(s.state).toBe('joined');
  });

  it('an attempt aborted (attempt timeout) while consuming does not declare recovery', async () => {
    const s = await join();
    // The first consume after the drop never gets an answer: the controller's attempt timeout aborts it.
    let hangNext = true;
    room.handle('media.consume', (d) => {
      if (hangNext) {
        hangNext = false;
        return 'no-reply';
      }
      return consumed(d);
    });
    dropTransports();
    await settle(s);
    expect(consumedAtReconnected).toEqual([['rp1']]);
    expect(errors).not.toContain('ABORTED');
  });
});

/** A `media.consume` answer the fake handler accepts (mediasoup-client's fake parameters, as plain JSON). */
function consumed(d: RequestData<'media.consume'>): ResponseData<'media.consume'> {
  const c = testFakeParameters.generateConsumerRemoteParameters({ codecMimeType: 'audio/opus' });
  return {
    consumerId: c.id ?? `c-${d.producerId}`,
    producerId: d.producerId,
    participantId: 'p2',
    kind: 'audio',
    source: 'mic',
    rtpParameters: JSON.parse(JSON.stringify(c.rtpParameters)) as ResponseData<'media.consume'>['rtpParameters'],
    paused: true,
    producerPaused: false,
  };
}
