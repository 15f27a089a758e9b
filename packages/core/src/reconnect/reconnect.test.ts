import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { chatSupport } from '../chat/index.js';
import { Session } from '../session/session.js';
import type { StateChange } from '../session/state-machine.js';
import type { FailedInfo } from '../session/events.js';
import { createFakePlatform, setFakeConnectionState, type FakePlatform } from '../test/fake-platform.js';
import { createScriptedRoom, openConnections, testPolicy } from '../test/scripted-room.js';
import type { ResponseData } from '@alcove/protocol';
import type { ReconnectPolicy } from './reconnect-policy.js';

describe('Session reconnect', () => {
  let room: ReturnType<typeof createScriptedRoom>;
  let platform: FakePlatform;
  let session: Session;
  let changes: StateChange[];

  const make = async (policy?: ReconnectPolicy): Promise<void> => {
    room = createScriptedRoom();
    platform = createFakePlatform(room);
    session = Session.create({
      serverUrl: 'ws://127.0.0.1:1/ws',
      token: 'x'.repeat(32),
      platform,
      simulcast: false,
      fallback: { callbackNumber: '+1 555 0100' },
      chat: chatSupport(),
      ...(policy ? { reconnectPolicy: policy } : {}),
    });
    changes = [];
    session.on('stateChanged', (c) => changes.push(c));
    await session.join();
    // FakeHandler transports stay `new`/`connecting`; a real browser would be connected by now.
    for (const t of platform.createdTransports) setFakeConnectionState(t, 'connected');
  };
  const states = (): string[] => changes.map((c) => c.to);

  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(async () => {
    await session?.leave();
    vi.useRealTimers();
  });

  it('WebSocket cut → reconnecting at once → resume with the ticket; transports kept', async () => {
    await make();
    const transports = room.requests('media.createTransport').length;
    room.last.drop();
    await vi.advanceTimersByTimeAsync(100);
    expect(changes.slice(-2).map((c) => `${c.to}:${c.reason}`)).toEqual(['reconnecting:connection-lost', 'joined:recovered']);
    expect(session.state).toBe('joined');
    expect(room.requests('session.resume')).toEqual([{ ticket: room.ticket }]);
    expect(room.requests('session.join')).toHaveLength(1);
    expect(room.requests('media.createTransport')).toHaveLength(transports);
    expect(openConnections(room)).toHaveLength(1);
  });

  it('missed heartbeats are detected within 2 s', async () => {
    await make();
    const start = Date.now();
    let detectedAfter = -1;
    session.on('reconnecting', () => {
      detectedAfter = Date.now() - start;
    });
    room.last.silent = true;
    await vi.advanceTimersByTimeAsync(3000);
    expect(detectedAfter).toBeGreaterThan(0);
    expect(detectedAfter).toBeLessThanOrEqual(2000);
    expect(session.state).toBe('joined');
    expect(room.requests('session.resume')).toHaveLength(1);
  });

  it('ICE disconnected → ICE restart on both transports (tier 1)', async () => {
    await make();
    const [a, b] = platform.createdTransports;
    if (!a || !b) throw new Error('no transports');
    setFakeConnectionState(a, 'connected');
    setFakeConnectionState(b, 'connected');
    setFakeConnectionState(b, 'disconnected');
    expect(session.state).toBe('reconnecting');
    expect(changes.at(-1)?.reason).toBe('ice');
    await vi.advanceTimersByTimeAsync(50);
    expect(room.requests('media.restartIce')).toHaveLength(2);
    setFakeConnectionState(b, 'connected');
    await vi.advanceTimersByTimeAsync(10);
    expect(session.state).toBe('joined');
    expect(room.requests('session.resume')).toHaveLength(0);
  });

  it('escalates: ICE restart times out → resume tier rebuilds transports the server forgot', async () => {
    await make();
    const [a, b] = platform.createdTransports;
    if (!a || !b) throw new Error('no transports');
    setFakeConnectionState(a, 'connected');
    setFakeConnectionState(b, 'failed');
    room.transports.clear(); // the server dropped them: restartIce → NOT_FOUND
    const tiers: string[] = [];
    session.on('reconnected', (i) => tiers.push(i.tier));
    await vi.advanceTimersByTimeAsync(8000);
    expect(session.state).toBe('joined');
    expect(tiers).toEqual(['resume']);
    expect(platform.createdTransports.length).toBe(4);
    expect(a.closed && b.closed).toBe(true);
    expect(session.diagnostics.transports).toBe(2);
    expect(room.requests('media.produce')).toHaveLength(4); // mic + cam re-produced
  });

  it('escalates: resume ticket refused → full rejoin with the token', async () => {
    await make();
    room.ticket = 'Z'.repeat(32);
    room.last.drop();
    await vi.advanceTimersByTimeAsync(2000);
    expect(session.state).toBe('joined');
    expect(room.requests('session.join')).toHaveLength(2);
    expect(room.requests('media.createTransport')).toHaveLength(4);
    expect(session.diagnostics.transports).toBe(2);
  });

  it('a resume refused with INVALID_STATE (the server still holds the old socket) is retried, not escalated to a rejoin', async () => {
    await make();
    let refusals = 2;
    room.handle('session.resume', (d) =>
      refusals-- > 0 ? { error: 'INVALID_STATE' } : d.ticket === room.ticket ? resumed(room.ticket) : { error: 'INVALID_TOKEN' },
    );
    room.last.drop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(session.state).toBe('joined');
    expect(room.requests('session.resume')).toHaveLength(3);
    expect(room.requests('session.join')).toHaveLength(1); // no rejoin: no second trip through the waiting room
    expect(changes.at(-1)?.reason).toBe('recovered');
  });

  it('a resume refused with INVALID_STATE again and again escalates to a rejoin after three retries', async () => {
    await make();
    room.handle('session.resume', () => ({ error: 'INVALID_STATE' }));
    room.last.drop();
    await vi.advanceTimersByTimeAsync(15_000);
    expect(session.state).toBe('joined');
    expect(room.requests('session.resume')).toHaveLength(4);
    expect(room.requests('session.join')).toHaveLength(2);
  });

  it('gives up into failed with the agreed fallback when the policy returns null', async () => {
    await make({ nextRetryDelayMs: (c) => (c.attempt < 3 ? 500 : null) });
    const failed: FailedInfo[] = [];
    session.on('failed', (f) => failed.push(f));
    room.reachable = false;
    room.last.drop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(session.state).toBe('failed');
    expect(changes.at(-1)?.reason).toBe('reconnect-failed');
    expect(failed[0]?.fallback?.callbackNumber).toBe('+1 555 0100');
    expect(failed[0]?.error.code).toBe('RECONNECT_FAILED');
    expect(session.diagnostics).toMatchObject({ transports: 0, reconnectTimer: false, monitorRunning: false });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('removed while reconnecting ends the session without retrying', async () => {
    await make();
    room.handle('session.resume', () => ({ error: 'REMOVED' }));
    room.last.drop();
    await vi.advanceTimersByTimeAsync(2000);
    expect(session.state).toBe('ended');
    expect(room.requests('session.resume')).toHaveLength(1);
  });

  it('offline → reconnecting at once; online → retries immediately', async () => {
    await make();
    platform.setOnline(false);
    expect(session.state).toBe('reconnecting');
    expect(changes.at(-1)?.reason).toBe('offline');
    room.last.drop();
    room.reachable = false;
    await vi.advanceTimersByTimeAsync(5000);
    expect(session.state).toBe('reconnecting');
    expect(room.requests('session.resume')).toHaveLength(0); // no attempts while offline
    room.reachable = true;
    platform.setOnline(true);
    await vi.advanceTimersByTimeAsync(20); // far below the policy's current delay
    expect(session.state).toBe('joined');
    expect(room.requests('session.resume')).toHaveLength(1);
  });

  it('leave() during reconnect cleans up everything', async () => {
    await make();
    room.reachable = false;
    room.last.drop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(session.state).toBe('reconnecting');
    await session.leave();
    const attempts = room.connections.length;
    expect(session.state).toBe('ended');
    expect(session.diagnostics).toMatchObject({ transports: 0, reconnectTimer: false, monitorRunning: false, pendingRequests: 0 });
    expect(platform.createdTransports.every((t) => t.closed)).toBe(true);
    expect(platform.devices.opened.every((t) => t.readyState === 'ended')).toBe(true);
    expect(openConnections(room)).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(room.connections.length).toBe(attempts); // no attempt after leave()
  });

  it('10 flaps in 60 s end connected with no leaked transports, sockets or timers', async () => {
    await make();
    await vi.advanceTimersByTimeAsync(100);
    const steadyTimers = vi.getTimerCount(); // heartbeat + stats poll
    expect(steadyTimers).toBe(2);
    for (let i = 0; i < 10; i++) {
      if (i % 2 === 0) room.last.drop();
      else setFakeConnectionState(platform.createdTransports.at(-1)!, 'disconnected');
      await vi.advanceTimersByTimeAsync(3000);
      const t = platform.createdTransports.filter((x) => !x.closed);
      for (const x of t) setFakeConnectionState(x, 'connected');
      await vi.advanceTimersByTimeAsync(3000);
    }
    expect(session.state).toBe('joined');
    expect(session.diagnostics.transports).toBe(2);
    expect(platform.createdTransports.filter((t) => !t.closed)).toHaveLength(2);
    expect(openConnections(room)).toHaveLength(1);
    expect(session.diagnostics.reconnectTimer).toBe(false);
    expect(vi.getTimerCount()).toBe(steadyTimers);
  });

  it('chat sent during a drop is delivered once after resume', async () => {
    await make();
    room.last.drop();
    await vi.advanceTimersByTimeAsync(0);
    const p = session.sendChat('hello');
    expect(session.pendingChat).toBe(1);
    await vi.advanceTimersByTimeAsync(500);
    await p;
    expect(session.pendingChat).toBe(0);
    expect([...room.chatSeen.values()]).toEqual([1]);
  });

  it('a drop in the waiting room rejoins with the token and waits again (no ticket yet)', async () => {
    room = createScriptedRoom({ state: 'waiting' });
    platform = createFakePlatform(room);
    session = Session.create({ serverUrl: 'ws://127.0.0.1:1/ws', token: 'x'.repeat(32), platform });
    changes = [];
    session.on('stateChanged', (c) => changes.push(c));
    await session.join();
    room.last.drop();
    await vi.advanceTimersByTimeAsync(500);
    expect(states().slice(-2)).toEqual(['reconnecting', 'waiting']);
    expect(changes.at(-1)?.reason).toBe('rejoined-waiting');
    expect(room.requests('session.join')).toHaveLength(2);
    expect(room.requests('session.resume')).toHaveLength(0);
  });

  it('server shutdown notice → resume once the server is back', async () => {
    await make();
    room.reachable = false;
    room.last.notify('session.shutdown', { retryAfterMs: 1000 });
    await vi.advanceTimersByTimeAsync(1500);
    expect(session.state).toBe('reconnecting');
    room.reachable = true;
    await vi.advanceTimersByTimeAsync(5000);
    expect(session.state).toBe('joined');
    expect(changes.find((c) => c.to === 'reconnecting')?.reason).toBe('server-shutdown');
  });
});

/** A `session.resume` answer of the scripted room (joined, nobody else there). */
function resumed(ticket: string): ResponseData<'session.resume'> {
  return {
    sessionId: 'S1',
    participantId: 'me',
    role: 'client',
    state: 'joined',
    policy: testPolicy(),
    heartbeatMs: 10_000,
    resumeTicket: ticket,
    participants: [],
    producers: [],
  };
}
