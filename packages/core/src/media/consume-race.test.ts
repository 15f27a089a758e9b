import { describe, expect, it, vi } from 'vitest';
import type { ProducerInfo, RequestData } from '@alcove/protocol';
import type { Session } from '../session/session.js';
import { setFakeConnectionState } from '../test/fake-platform.js';
import type { FakeConnection } from '../test/fake-server.js';
import { REMOTE_HOST, useFakeTimeSession } from '../test/fake-time-session.js';
import { consumeAnswer, dropTransports, testPolicy } from '../test/scripted-room.js';

/**
 * A remote producer is consumed once, however its consumes meet: one announced by
 * `media.producerAdded` while a recovery (a transport rebuild, a resume's reconcile) consumes every
 * known producer, or a refused consume's retry firing while a recovery consumes the same producer.
 * Each test holds the first consume of that producer until a second one reaches the server (the
 * race, before the fix) or 1 s of fake time has passed (no second one comes), so the order is fixed.
 */
describe('one consume per remote producer', () => {
  const MIC: ProducerInfo = { producerId: 'rp1', participantId: 'p2', kind: 'audio', source: 'mic', paused: false };
  const CAM: ProducerInfo = { producerId: 'rp2', participantId: 'p2', kind: 'video', source: 'cam', paused: false };
  const fx = useFakeTimeSession();
  let published: string[];

  const join = async (): Promise<Session> => {
    published = [];
    const s = await fx.join({ producers: [MIC], listen: (s) => s.on('trackPublished', (t) => published.push(t.producerId)) });
    expect(published).toEqual(['rp1']);
    return s;
  };

  /** `media.consume` requests for rp2. */
  const consumesOfCam = (): RequestData<'media.consume'>[] =>
    (fx.room.requests('media.consume') as RequestData<'media.consume'>[]).filter((d) => d.producerId === 'rp2');
  /** The consumers the server made for rp2. */
  let camConsumers: string[];
  /** Whether rp2's held consume was answered. */
  let answered: boolean;

  /**
   * Runs fake time until the session is joined with rp2 received and the held consume answered
   * (bounded by fake time, not wall-clock; short of the media monitor's no-inbound-media check,
   * fake transports carry nothing).
   */
  const settle = async (s: Session, steps = 30): Promise<void> => {
    for (let i = 0; i < steps && !(answered && s.state === 'joined' && s.remoteTracks.some((t) => t.producerId === 'rp2')); i++) {
      await vi.advanceTimersByTimeAsync(100);
    }
  };

  /**
   * Answers `media.consume`; rp2's first accepted request (after `refusals` refused ones) is held
   * until a second one arrives or 1 s passes. `seen` sees every request first.
   */
  const holdFirstCamConsume = (refusals = 0, seen?: (d: RequestData<'media.consume'>, conn: FakeConnection) => void): void => {
    camConsumers = [];
    let left = refusals;
    let release: (() => void) | undefined;
    let held = false;
    answered = false;
    fx.room.handle('media.consume', async (d, conn) => {
      seen?.(d, conn);
      if (d.producerId !== 'rp2') return consumeAnswer(d);
      if (left-- > 0) return { error: 'RATE_LIMITED' };
      if (!held) {
        held = true;
        await new Promise<void>((resolve) => {
          release = resolve;
          setTimeout(resolve, 1000);
        });
        answered = true;
      } else {
        release?.();
      }
      const r = consumeAnswer(d);
      camConsumers.push(r.consumerId);
      return r;
    });
  };

  /** The server's resume answer, listing `producers`. */
  const resumeWith = (producers: ProducerInfo[], before?: () => void): void => {
    fx.room.handle('session.resume', (d) => {
      before?.();
      return {
        sessionId: 'S1',
        participantId: 'me',
        role: 'client',
        state: 'joined',
        policy: testPolicy(),
        heartbeatMs: 10_000,
        resumeTicket: d.ticket,
        participants: [REMOTE_HOST],
        producers,
      };
    });
  };

  /** Consumers this client asked the server to close. */
  const closedConsumers = (): string[] =>
    (fx.room.requests('media.closeConsumer') as RequestData<'media.closeConsumer'>[]).map((d) => d.consumerId);

  const expectOneCam = (s: Session): void => {
    expect(s.state).toBe('joined');
    expect(s.remoteTracks.filter((t) => t.producerId === 'rp2')).toHaveLength(1);
    expect(published.filter((p) => p === 'rp2')).toEqual(['rp2']);
    // Every consumer the server made for rp2 but this client does not keep was closed on the server.
    const kept = new Set(s.remoteTracks.map((t) => t.id));
    expect(camConsumers.filter((c) => !kept.has(c) && !closedConsumers().includes(c))).toEqual([]);
    expect(fx.errors).toEqual([]);
  };

  it('announced while a transport rebuild consumes every known producer: consumed once', async () => {
    const s = await join();
    // The rebuild's consume of rp1 is when rp2 is announced: the new receive transport exists, and
    // the rebuild's start() already took its list of producers (rp1); its complete() finds rp2
    // without a consumer while the announcement's consume is still on its way.
    let announced = false;
    holdFirstCamConsume(0, (d, conn) => {
      if (d.producerId === 'rp1' && !announced) {
        announced = true;
        conn.notify('media.producerAdded', CAM);
      }
    });
    dropTransports(fx.room);
    await settle(s);
    expect(announced).toBe(true);
    expect(consumesOfCam()).toHaveLength(1);
    expectOneCam(s);
  });

  it('announced just before a resume whose reconcile lists it: consumed once', async () => {
    const s = await join();
    holdFirstCamConsume();
    for (const t of fx.platform.createdTransports) setFakeConnectionState(t, 'connected');
    // The announcement reaches the new socket before the resume's answer, which lists rp2 too.
    resumeWith([MIC, CAM], () => fx.room.last.notify('media.producerAdded', CAM));
    const transports = fx.room.requests('media.createTransport').length;
    fx.room.last.drop();
    await settle(s);
    expect(fx.room.requests('session.resume')).toHaveLength(1);
    expect(fx.room.requests('media.createTransport')).toHaveLength(transports);
    expect(consumesOfCam()).toHaveLength(1);
    expectOneCam(s);
  });

  it("a refused consume's retry fires while a resume's reconcile consumes the same producer: consumed once", async () => {
    const s = await join();
    // rp2's first consume is refused for now (retry in 0.5 s); the resume's reconcile consumes it
    // before that and is held past the retry.
    holdFirstCamConsume(1);
    for (const t of fx.platform.createdTransports) setFakeConnectionState(t, 'connected');
    fx.room.last.notify('media.producerAdded', CAM);
    await vi.advanceTimersByTimeAsync(0);
    expect(consumesOfCam()).toHaveLength(1);
    resumeWith([MIC, CAM]);
    fx.room.last.drop();
    await settle(s);
    expect(fx.room.requests('session.resume')).toHaveLength(1);
    // The refused one, then the reconcile's; the retry joins it.
    expect(consumesOfCam()).toHaveLength(2);
    expectOneCam(s);
    // Nothing more is asked once consumed.
    await vi.advanceTimersByTimeAsync(2000);
    expect(consumesOfCam()).toHaveLength(2);
  });

  it("announced while a resume's consume of it hangs until the attempt times out: no error, consumed once after", async () => {
    const s = await join();
    for (const t of fx.platform.createdTransports) setFakeConnectionState(t, 'connected');
    // The reconcile's consume of rp2 never gets an answer (the attempt timeout aborts it); the
    // announcement arriving meanwhile joins it, and must neither report the abort nor give up.
    let hung = false;
    fx.room.handle('media.consume', (d, conn) => {
      if (d.producerId === 'rp2' && !hung) {
        hung = true;
        conn.notify('media.producerAdded', CAM);
        return 'no-reply';
      }
      answered = true;
      return consumeAnswer(d);
    });
    answered = false;
    resumeWith([MIC, CAM]);
    fx.room.last.drop();
    await settle(s, 150);
    expect(hung).toBe(true);
    expect(s.remoteTracks.filter((t) => t.producerId === 'rp2')).toHaveLength(1);
    expect(published.filter((p) => p === 'rp2')).toEqual(['rp2']);
    expect(consumesOfCam()).toHaveLength(2);
    expect(fx.errors).toEqual([]);
  });

  it('transports replaced while a consumer is being resumed: that consumer is not published', async () => {
    const s = await join();
    // rp2's first consumer is made, and its resume held until the rebuild consumes rp2 again.
    let release: (() => void) | undefined;
    const first = new Set<string>();
    fx.room.handle('media.consume', (d) => {
      const r = consumeAnswer(d);
      if (d.producerId === 'rp2' && first.size === 0) first.add(r.consumerId);
      else if (d.producerId === 'rp2') release?.();
      return r;
    });
    fx.room.handle('media.resumeConsumer', async (d) => {
      if (first.has(d.consumerId)) await new Promise<void>((resolve) => (release = resolve));
      return {};
    });
    fx.room.last.notify('media.producerAdded', CAM);
    for (let i = 0; i < 10 && !release; i++) await vi.advanceTimersByTimeAsync(0);
    expect(release).toBeDefined();
    dropTransports(fx.room);
    for (let i = 0; i < 30 && !(s.state === 'joined' && published.includes('rp2')); i++) await vi.advanceTimersByTimeAsync(100);
    await vi.advanceTimersByTimeAsync(0);
    expect(s.state).toBe('joined');
    const cams = s.remoteTracks.filter((t) => t.producerId === 'rp2');
    expect(cams).toHaveLength(1);
    expect(first.has(cams[0]?.id ?? '')).toBe(false);
    // One trackPublished for rp2: the new consumer's, not the dropped one's as well.
    expect(published.filter((p) => p === 'rp2')).toEqual(['rp2']);
  });
});
