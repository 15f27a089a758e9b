import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { chatSupport } from '../chat/index.js';
import { Session } from './session.js';
import { createFakePlatform, type FakePlatform } from '../test/fake-platform.js';
import { createScriptedRoom, openConnections, testPolicy } from '../test/scripted-room.js';
import type { StateChange } from './state-machine.js';
import { InvalidStateError } from './errors.js';
import { createLogger, type LogRecord } from '../platform/logger.js';

const flush = async (ms = 0): Promise<void> => {
  await vi.advanceTimersByTimeAsync(ms);
};

describe('Session', () => {
  let room: ReturnType<typeof createScriptedRoom>;
  let platform: FakePlatform;
  let session: Session;
  let changes: StateChange[];

  const make = (opts: Parameters<typeof createScriptedRoom>[0] = {}, extra: Partial<Parameters<typeof Session.create>[0]> = {}): void => {
    room = createScriptedRoom(opts);
    platform = createFakePlatform(room);
    session = Session.create({ serverUrl: 'ws://127.0.0.1:1/ws', token: 'x'.repeat(32), platform, simulcast: false, ...extra });
    changes = [];
    session.on('stateChanged', (c) => changes.push(c));
  };

  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(async () => {
    await session?.leave();
    vi.useRealTimers();
  });

  it('joins, publishes camera and microphone, and leaves cleanly', async () => {
    make();
    await session.join();
    expect(session.state).toBe('joined');
    expect(changes.map((c) => c.to)).toEqual(['connecting', 'joined']);
    expect(
      room
        .requests('media.produce')
        .map((d) => (d as { source: string }).source)
        .sort(),
    ).toEqual(['cam', 'mic']);
    expect(room.requests('media.produce').every((d) => (d as { e2ee: boolean }).e2ee === false)).toBe(true);
    expect(session.diagnostics.transports).toBe(2);
    const tracks = platform.devices.opened;
    await session.leave();
    expect(session.state).toBe('ended');
    expect(tracks.every((t) => t.readyState === 'ended')).toBe(true);
    expect(session.diagnostics).toMatchObject({ transports: 0, reconnectTimer: false, monitorRunning: false, pendingRequests: 0 });
    expect(room.requests('session.leave')).toHaveLength(1);
  });

  it('waits in the waiting room without media until admitted', async () => {
    make({ state: 'waiting' });
    await session.join();
    expect(session.state).toBe('waiting');
    expect(room.requests('media.createTransport')).toHaveLength(0);
    expect(platform.devices.opened).toHaveLength(0);
    await flush(10);
    expect(room.requests('media.getRouterRtpCapabilities')).toHaveLength(1); // device preloaded while waiting
    room.last.notify('session.admitted', { resumeTicket: room.ticket, participants: [], producers: [] });
    await flush(10);
    expect(session.state).toBe('joined');
    expect(changes.at(-1)).toEqual({ from: 'waiting', to: 'joined', reason: 'admitted' });
    expect(room.requests('media.produce')).toHaveLength(2);
    expect(room.requests('media.getRouterRtpCapabilities')).toHaveLength(1); // reused, not loaded again
    expect(platform.createdDevices).toHaveLength(1);
  });

  it('rejects illegal moves with InvalidStateError', async () => {
    make();
    expect(() => session.setCameraEnabled(false)).toThrow(InvalidStateError);
    await session.join();
    await expect(session.join()).rejects.toBeInstanceOf(InvalidStateError);
    await session.leave();
    await expect(session.join()).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });

  it('fails the join with the server code and ends in failed', async () => {
    make();
    room.handle('session.join', () => ({ error: 'SESSION_LOCKED' }));
    await expect(session.join()).rejects.toMatchObject({ code: 'SESSION_LOCKED' });
    expect(session.state).toBe('failed');
  });

  it('the failed event carries the callback number agreed in the checklist (read before teardown)', async () => {
    let cleared = false;
    const plugin = {
      createBinding: () => ({
        checklist: undefined,
        summaries: new Map(),
        identityKey: 'AAAA',
        attach: () => undefined,
        joined: () => undefined,
        hostsChanged: () => undefined,
        message: () => undefined,
        participantGone: () => undefined,
        devices: () => ({}),
        fallback: () => (cleared ? undefined : { callbackNumber: '+16155550199', plan: 'therapist-calls' }),
        close: () => {
          cleared = true;
        },
      }),
    };
    make({}, { checklist: plugin });
    room.handle('session.join', () => ({ error: 'SESSION_LOCKED' }));
    const failed: unknown[] = [];
    session.on('failed', (info) => failed.push(info.fallback));
    await expect(session.join()).rejects.toMatchObject({ code: 'SESSION_LOCKED' });
    expect(failed).toEqual([{ callbackNumber: '+16155550199', plan: 'therapist-calls' }]);
    expect(cleared).toBe(true);
  });

  it('host controls need the host role', async () => {
    make({ role: 'client' });
    await session.join();
    await expect(session.admit('p2')).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    expect(room.requests('host.admit')).toHaveLength(0);
  });

  it("a waiting guest learns the hosts' names and credentials lines (join result, then session.hosts), kept once admitted", async () => {
    make({ state: 'waiting' });
    const seen: string[][] = [];
    session.on('hostsChanged', (hosts) => seen.push(hosts.map((h) => `${h.displayName}|${h.credentials ?? ''}`)));
    const ada = { participantId: 'h1', displayName: 'Dr. Ada', credentials: 'Licensed clinical psychologist' };
    room.handle('session.join', () => ({
      sessionId: 'S1',
      participantId: 'me',
      role: 'client',
      state: 'waiting',
      policy: testPolicy(),
      heartbeatMs: 10_000,
      sessionHosts: [ada],
    }));
    expect(session.hosts).toEqual([]);
    await session.join();
    expect(session.state).toBe('waiting');
    expect(session.hosts).toEqual([ada]);
    room.last.notify('session.hosts', { hosts: [ada, { participantId: 'h2', displayName: 'Bo' }] });
    await flush();
    expect(session.hosts.map((h) => h.participantId)).toEqual(['h1', 'h2']);
    room.last.notify('session.hosts', { hosts: [] });
    await flush();
    expect(session.hosts).toEqual([]);
    expect(seen).toEqual([['Dr. Ada|Licensed clinical psychologist'], ['Dr. Ada|Licensed clinical psychologist', 'Bo|'], []]);
    // A malformed list (over-long credentials line) is dropped by the protocol check, never applied.
    room.last.notify('session.hosts', { hosts: [{ participantId: 'h3', displayName: 'X', credentials: 'x'.repeat(121) }] });
    await flush();
    expect(session.hosts).toEqual([]);
    expect(seen).toHaveLength(3);
  });

  it('host sees the waiting list and admits', async () => {
    make({ role: 'host' });
    const lists: number[] = [];
    session.on('waitingRoomChanged', (w) => lists.push(w.length));
    await session.join();
    room.last.notify('waitingRoom.changed', {
      waiting: [
        { id: 'p2', role: 'client', displayName: 'Client', since: 1, checklist: { steps: { consent: 'passed' }, complete: false } },
      ],
    });
    await flush();
    expect(session.waiting[0]?.checklist?.steps.consent).toBe('passed');
    await session.admit('p2');
    expect(room.requests('host.admit')).toEqual([{ participantId: 'p2' }]);
    expect(lists).toEqual([1]);
  });

  it('camera off releases the camera; on captures again; mute is seen as paused producer', async () => {
    make();
    await session.join();
    const cam = platform.devices.opened.find((t) => t.kind === 'video');
    await session.setCameraEnabled(false);
    expect(cam?.readyState).toBe('ended');
    expect(room.requests('media.pauseProducer')).toHaveLength(1);
    expect(session.localTracks.find((t) => t.source === 'cam')).toMatchObject({ track: null, muted: true });
    await session.setCameraEnabled(true);
    expect(platform.devices.opened.filter((t) => t.kind === 'video')).toHaveLength(2);
    expect(room.requests('media.resumeProducer')).toHaveLength(1);
    await session.setMicrophoneEnabled(false);
    expect(session.localTracks.find((t) => t.source === 'mic')?.muted).toBe(true);
  });

  it('switches devices live and maps permission errors', async () => {
    make();
    await session.join();
    await session.switchDevice('video', 'cam-2');
    expect(session.localTracks.find((t) => t.source === 'cam')?.deviceId).toBe('cam-2');
    platform.devices.failNext = 'NotReadableError';
    await expect(session.switchDevice('video', 'cam-1')).rejects.toMatchObject({ code: 'DEVICE_IN_USE', name: 'MediaDeviceError' });
  });

  it('consumes remote producers and reports mute changes', async () => {
    make({
      participants: [{ id: 'p2', role: 'host', displayName: 'T', connection: 'connected' }],
      producers: [{ producerId: 'rp1', participantId: 'p2', kind: 'audio', source: 'mic', paused: false }],
    });
    const published: string[] = [];
    const muted: boolean[] = [];
    session.on('trackPublished', (t) => published.push(t.producerId));
    session.on('trackMuted', (_t, m) => muted.push(m));
    await session.join();
    expect(published).toEqual(['rp1']);
    expect(room.requests('media.resumeConsumer')).toHaveLength(1);
    room.last.notify('media.producerPaused', { producerId: 'rp1' });
    await flush();
    expect(muted).toEqual([true]);
    expect(session.participants[0]?.tracks[0]?.muted).toBe(true);
    room.last.notify('media.producerClosed', { producerId: 'rp1' });
    await flush();
    expect(session.remoteTracks).toHaveLength(0);
  });

  it('closes its own producer and stops its track when the server finds its media not encrypted', async () => {
    make();
    const errors: string[] = [];
    session.on('error', (e) => errors.push(e.code));
    const changed: { source: string; track: unknown }[] = [];
    session.on('localTrackChanged', (t) => changed.push({ source: t.source, track: t.track }));
    await session.join();
    const cam = session.localTracks.find((t) => t.source === 'cam');
    const track = cam?.track;
    expect(cam?.producerId).toBeTypeOf('string');
    expect(track?.readyState).toBe('live');
    room.last.notify('media.producerClosed', { producerId: cam?.producerId ?? '', reason: 'E2EE_NOT_ENCRYPTED' });
    await flush();
    expect(errors).toEqual(['E2EE_NOT_ENCRYPTED']);
    expect(track?.readyState).toBe('ended');
    expect(session.localTracks.find((t) => t.source === 'cam')).toBeUndefined();
    expect(changed.at(-1)).toEqual({ source: 'cam', track: null });
    expect(session.localTracks.find((t) => t.source === 'mic')?.track?.readyState).toBe('live');
    expect(room.requests('media.closeProducer')).toHaveLength(0); // the server closed it already
  });

  it('a throwing listener does not break the state machine', async () => {
    make();
    const errors: unknown[] = [];
    const prev = (globalThis as { reportError?: unknown }).reportError;
    (globalThis as { reportError?: unknown }).reportError = (e: unknown) => errors.push(e);
    const thrower = (): void => {
      throw new Error('boom');
    };
    session.on('stateChanged', thrower);
    const seen: string[] = [];
    session.on('stateChanged', (c) => seen.push(c.to));
    await session.join();
    session.off('stateChanged', thrower);
    (globalThis as { reportError?: unknown }).reportError = prev;
    expect(session.state).toBe('joined');
    expect(seen).toEqual(['connecting', 'joined']);
    expect(errors.length).toBe(2);
  });

  it('ends when removed by the host', async () => {
    make();
    await session.join();
    room.last.notify('session.removed', {});
    await flush();
    expect(session.state).toBe('ended');
    expect(openConnections(room)).toHaveLength(0);
  });

  it('screen share follows the session policy and stops when the host disallows it', async () => {
    make({ role: 'client', policy: { screenShare: 'host' } });
    await session.join();
    expect(() => session.startScreenShare()).toThrow(expect.objectContaining({ code: 'SCREEN_SHARE_NOT_ALLOWED' }));
    room.last.notify('session.policyChanged', { screenShare: 'everyone' });
    await flush();
    await session.startScreenShare();
    expect(room.requests('media.produce').map((d) => (d as { source: string }).source)).toContain('screen');
    const screen = platform.devices.opened.find((t) => t.kind === 'video' && t.getSettings().deviceId === 'screen');
    room.last.notify('session.policyChanged', { screenShare: 'nobody' });
    await flush(10);
    expect(screen?.readyState).toBe('ended');
    expect(room.requests('media.closeProducer')).toHaveLength(1);
  });

  it('speaker selection reports UnsupportedError where setSinkId is missing', async () => {
    make();
    await session.join();
    await expect(session.setAudioOutput('spk')).rejects.toMatchObject({ name: 'UnsupportedError', code: 'UNSUPPORTED_FEATURE' });
  });

  it('E2EE-required sessions: publishes nothing and says why (fail closed)', async () => {
    make({ policy: { e2eeRequired: true } });
    const codes: string[] = [];
    session.on('error', (e) => codes.push(e.code));
    await session.join();
    expect(room.requests('media.produce')).toHaveLength(0);
    expect(platform.devices.opened).toHaveLength(0);
    expect(codes).toEqual(['E2EE_UNAVAILABLE']);
    expect(() => session.setCameraEnabled(true)).toThrow(expect.objectContaining({ code: 'E2EE_UNAVAILABLE' }));
    expect(platform.devices.opened).toHaveLength(0);
  });

  it('without the chat plug-in, sendChat is refused with a typed error and nothing is sent', async () => {
    make();
    await session.join();
    const refused = await session.sendChat('hi').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ name: 'UnsupportedError', code: 'UNSUPPORTED_FEATURE' });
    expect((refused as Error).message).toContain('chatSupport()');
    expect(session.pendingChat).toBe(0);
    expect(room.requests('chat.send')).toHaveLength(0);
  });

  it('chat to chosen recipients; a host mute request arrives as an event', async () => {
    make({}, { chat: chatSupport() });
    const asked: string[] = [];
    session.on('muteRequested', (k) => asked.push(k));
    await session.join();
    const m = await session.sendChat('hi', { to: ['p2'] });
    expect(m).toMatchObject({ from: 'me', text: 'hi', to: ['p2'] });
    // Sealed: only wrapped keys name recipients, and p2 (not in this scripted room) gets none.
    expect(room.requests('chat.send')[0]).toMatchObject({ seq: 1, keys: [] });
    expect(JSON.stringify(room.requests('chat.send'))).not.toContain('hi"');
    room.last.notify('host.muteRequested', { kind: 'audio' });
    await flush();
    expect(asked).toEqual(['audio']);
  });

  it('counts and logs at debug the errors it swallows, through Platform.logger, without the token', async () => {
    const records: LogRecord[] = [];
    const token = `CANARYTOKEN${'x'.repeat(24)}`;
    room = createScriptedRoom();
    platform = Object.assign(createFakePlatform(room), { logger: createLogger({ level: 'debug', sink: (r) => records.push(r) }) });
    session = Session.create({ serverUrl: 'ws://127.0.0.1:1/ws', token, platform, simulcast: false });
    await session.join();
    expect(session.diagnostics.swallowedErrors).toEqual({});
    room.handle('media.closeProducer', () => ({ error: 'NOT_FOUND' }));
    room.handle('session.leave', () => ({ error: 'NOT_FOUND' }));
    await session.startScreenShare();
    await session.stopScreenShare();
    await session.leave();
    expect(session.diagnostics.swallowedErrors).toMatchObject({ 'media.closeProducer': 1, 'session.leave': 1 });
    const failures = records.filter((r) => r.event.endsWith('Failed')).map((r) => [r.level, r.namespace, r.event, r.fields.reason]);
    expect(failures).toEqual([
      ['debug', 'alcove:media', 'media.closeProducerFailed', 'NOT_FOUND'],
      ['debug', 'alcove:session', 'session.leaveFailed', 'NOT_FOUND'],
    ]);
    expect(records.some((r) => r.namespace === 'alcove:session' && r.event === 'session.stateChanged' && r.fields.to === 'joined')).toBe(
      true,
    );
    expect(JSON.stringify(records)).not.toContain('CANARYTOKEN');
  });
});
