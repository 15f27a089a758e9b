import type { ParticipantInfo, ProducerInfo, RequestData, ResponseData, Role, SessionPolicyInfo } from '@alcove/protocol';
import { testFakeParameters } from 'mediasoup-client';
import { FakeServer, type FakeConnection } from './fake-server.js';

/** Options of {@link createScriptedRoom}. */
export interface ScriptedRoomOptions {
  readonly role?: Role;
  /** `waiting` puts the client in the waiting room. Default `joined`. */
  readonly state?: 'waiting' | 'joined';
  readonly policy?: Partial<SessionPolicyInfo>;
  readonly participants?: ParticipantInfo[];
  readonly producers?: ProducerInfo[];
}

/** A room made by {@link createScriptedRoom}. */
export type ScriptedRoom = FakeServer & { ticket: string; transports: Set<string>; chatSeen: Map<string, number> };

/** A policy with test defaults (E2EE not required: see README). */
export function testPolicy(p: Partial<SessionPolicyInfo> = {}): SessionPolicyInfo {
  return { waitingRoom: true, e2eeRequired: false, locked: false, screenShare: 'everyone', maxParticipants: 10, recording: false, ...p };
}

function routerCaps(): ResponseData<'media.getRouterRtpCapabilities'>['rtpCapabilities'] {
  // mediasoup-client's fake capabilities, trimmed to what the protocol schema allows.
  const caps = testFakeParameters.generateRouterRtpCapabilities();
  return JSON.parse(JSON.stringify(caps)) as ResponseData<'media.getRouterRtpCapabilities'>['rtpCapabilities'];
}

/**
 * A {@link FakeServer} scripted like a small Alcove room: join/resume, router capabilities,
 * transports (mediasoup-client fake parameters), produce, consume, chat acks. Tests override
 * handlers as needed.
 */
export function createScriptedRoom(options: ScriptedRoomOptions = {}): ScriptedRoom {
  const server = new FakeServer() as ScriptedRoom;
  server.ticket = 'T'.repeat(32);
  server.transports = new Set();
  server.chatSeen = new Map();
  let producerN = 0;
  let clock = 1_700_000_000_000;
  const joined = (state: 'waiting' | 'joined'): ResponseData<'session.join'> => ({
    sessionId: 'S1',
    participantId: 'me',
    role: options.role ?? 'client',
    state,
    policy: testPolicy(options.policy),
    heartbeatMs: 10_000,
    ...(state === 'joined'
      ? { resumeTicket: server.ticket, participants: options.participants ?? [], producers: options.producers ?? [] }
      : {}),
  });
  server
    .handle('session.join', () => joined(options.state ?? 'joined'))
    .handle('session.resume', (d) => (d.ticket === server.ticket ? joined('joined') : { error: 'INVALID_TOKEN' }))
    .handle('session.ping', () => ({ now: clock++ }))
    .handle('media.getRouterRtpCapabilities', () => ({ rtpCapabilities: routerCaps() }))
    .handle('media.createTransport', () => {
      const p = testFakeParameters.generateTransportRemoteParameters();
      server.transports.add(p.id);
      return {
        transportId: p.id,
        iceParameters: { ...p.iceParameters },
        iceCandidates: p.iceCandidates.map((c) => ({
          foundation: c.foundation,
          priority: c.priority,
          ip: c.ip,
          port: c.port,
          protocol: c.protocol,
          type: c.type,
        })),
        dtlsParameters: {
          role: 'auto' as const,
          fingerprints: p.dtlsParameters.fingerprints
            .filter((f) => f.algorithm === 'sha-256')
            .map((f) => ({ algorithm: 'sha-256' as const, value: f.value })),
        },
      };
    })
    .handle('media.connectTransport', () => ({}))
    .handle('media.produce', () => ({ producerId: `prod${++producerN}` }))
    .handle('media.restartIce', (d) =>
      server.transports.has(d.transportId)
        ? { iceParameters: { usernameFragment: `u${producerN}`, password: 'p'.repeat(24), iceLite: true } }
        : { error: 'NOT_FOUND' },
    )
    .handle('media.getTransportStats', (d) =>
      server.transports.has(d.transportId) ? { bytesReceived: 1, bytesSent: 1 } : { error: 'NOT_FOUND' },
    )
    .handle('media.consume', consumeAnswer)
    .handle('chat.send', (d) => {
      server.chatSeen.set(d.id, (server.chatSeen.get(d.id) ?? 0) + 1);
      return { id: d.id, at: clock++ };
    });
  return server;
}

/**
 * The room's default `media.consume` answer, for handlers that override it and accept some requests:
 * a paused audio consumer of `d.producerId` from `p2` (mediasoup-client's fake parameters, as plain JSON).
 */
export function consumeAnswer(d: RequestData<'media.consume'>): ResponseData<'media.consume'> {
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

/** The server closes every transport it has for the client and says so (`media.transportClosed`). */
export function dropTransports(room: ScriptedRoom): void {
  const ids = [...room.transports];
  room.transports.clear();
  for (const id of ids) room.last.notify('media.transportClosed', { transportId: id });
}

/** Connections that are still open. */
export function openConnections(server: FakeServer): FakeConnection[] {
  return server.connections.filter((c) => !c.closed);
}
