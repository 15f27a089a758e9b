import { Device } from 'mediasoup-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ResponseData } from '@alcove/protocol';
import { Session } from '../session/session.js';
import { createFakePlatform, setFakeConnectionState, type FakePlatform } from '../test/fake-platform.js';
import { createScriptedRoom, testPolicy } from '../test/scripted-room.js';

const ICE_SERVERS = [
  {
    urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:443?transport=tcp'],
    username: '1800000000:abcdefghijkl',
    credential: 'c2VjcmV0LWNyZWRlbnRpYWw=',
  },
];

describe('TURN relays from the server (iceServers) and relay-only media', () => {
  let session: Session | undefined;
  const options: Record<string, unknown>[] = [];

  beforeEach(() => {
    vi.useFakeTimers();
    options.length = 0;
    for (const m of ['createSendTransport', 'createRecvTransport'] as const) {
      const original = Device.prototype[m];
      vi.spyOn(Device.prototype, m).mockImplementation(function (this: Device, o: Parameters<Device['createSendTransport']>[0]) {
        options.push(o as unknown as Record<string, unknown>);
        return original.call(this, o);
      });
    }
  });
  afterEach(async () => {
    await session?.leave();
    session = undefined;
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  /** A room whose join result carries `iceServers` (or none). */
  const start = async (
    iceServers: typeof ICE_SERVERS | undefined,
    policy?: 'all' | 'relay',
  ): Promise<{ errors: string[]; room: ReturnType<typeof createScriptedRoom>; platform: FakePlatform }> => {
    const room = createScriptedRoom();
    room.handle(
      'session.join',
      (): ResponseData<'session.join'> => ({
        sessionId: 'S1',
        participantId: 'me',
        role: 'client',
        state: 'joined',
        policy: testPolicy(),
        heartbeatMs: 10_000,
        resumeTicket: room.ticket,
        participants: [],
        producers: [],
        ...(iceServers ? { iceServers } : {}),
      }),
    );
    const platform = createFakePlatform(room);
    session = Session.create({
      serverUrl: 'ws://127.0.0.1:1/ws',
      token: 'x'.repeat(32),
      platform,
      simulcast: false,
      ...(policy ? { iceTransportPolicy: policy } : {}),
    });
    const errors: string[] = [];
    session.on('error', (e) => errors.push(e.code));
    const joined = await session.join().then(
      () => undefined,
      (e: { code?: string }) => e.code ?? 'no code',
    );
    if (joined) errors.push(`join:${joined}`);
    return { errors, room, platform };
  };

  it('gives the TURN servers of the join result to both transports', async () => {
    expect((await start(ICE_SERVERS)).errors).toEqual([]);
    expect(options).toHaveLength(2);
    for (const o of options) {
      expect(o.iceServers).toEqual(ICE_SERVERS);
      expect(o.iceTransportPolicy).toBeUndefined();
    }
  });

  it("iceTransportPolicy 'relay' asks for relayed candidates only", async () => {
    await start(ICE_SERVERS, 'relay');
    expect(options).toHaveLength(2);
    for (const o of options) expect(o).toMatchObject({ iceServers: ICE_SERVERS, iceTransportPolicy: 'relay' });
  });

  it("'relay' without TURN on the server: no transport at all, and UNSUPPORTED_FEATURE says why", async () => {
    const { errors, room } = await start(undefined, 'relay');
    // The join itself fails with the reason (no half-call whose media never connects).
    expect(errors).toContain('join:UNSUPPORTED_FEATURE');
    expect(options).toHaveLength(0);
    expect(room.requests('media.createTransport')).toHaveLength(0);
  });

  it('without TURN and without relay-only, transports get no iceServers', async () => {
    await start(undefined);
    expect(options).toHaveLength(2);
    for (const o of options) expect(o.iceServers).toBeUndefined();
  });

  it('a resume hands the fresh credentials to the transports it keeps', async () => {
    const { room, platform } = await start(ICE_SERVERS);
    for (const t of platform.createdTransports) setFakeConnectionState(t, 'connected');
    const fresh = [{ ...ICE_SERVERS[0]!, username: '1800099999:mnopqrstuvwx', credential: 'ZnJlc2gtY3JlZGVudGlhbA==' }];
    room.handle('session.resume', (d) => ({
      sessionId: 'S1',
      participantId: 'me',
      role: 'client',
      state: 'joined',
      policy: testPolicy(),
      heartbeatMs: 10_000,
      resumeTicket: (d as { ticket: string }).ticket,
      participants: [],
      producers: [],
      iceServers: fresh,
    }));
    const updates: unknown[] = [];
    for (const t of platform.createdTransports) {
      vi.spyOn(t, 'updateIceServers').mockImplementation(async (o) => {
        updates.push(o?.iceServers);
      });
    }
    const transports = room.requests('media.createTransport').length;
    room.last.drop();
    await vi.advanceTimersByTimeAsync(100);
    expect(session?.state).toBe('joined');
    expect(room.requests('session.resume')).toHaveLength(1);
    expect(room.requests('media.createTransport')).toHaveLength(transports);
    expect(updates).toEqual([fresh, fresh]);
  });
});
