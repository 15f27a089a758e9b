import type { ParticipantInfo, ProducerInfo, ResponseData, Role, SessionPolicyInfo } from '@alcove/protocol';
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
export function createScriptedRoom(
  options: ScriptedRoomOptions = {},
): FakeServer & { ticket: string; transports: Set<string>; chatSeen: Map<string, number> } {
  const server = new FakeServer() as FakeServer & { ticket: string; transports: Set<string>; chatSeen: Map<string, number> };
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
    .handle('media.consume', (d) => {
      const c = testFakeParameters.generateConsumerRemoteParameters({ codecMimeType: 'audio/opus' });
      return {
        consumerId: c.id ?? `c-${d.producerId}`,
        producerId: d.producerId,
        participantId: 'p2',
        kind: 'audio' as const,
        source: 'mic' as const,
        rtpParameters: JSON.parse(JSON.stringify(c.rtpParameters)) as ResponseData<'media.consume'>['rtpParameters'],
        paused: true,
        producerPaused: false,
      };
    })
    .handle('chat.send', (d) => {
      server.chatSeen.set(d.id, (server.chatSeen.get(d.id) ?? 0) + 1);
      return { id: d.id, at: clock++ };
    });
  return server;
}

/** Connections that are still open. */
export function openConnections(server: FakeServer): FakeConnection[] {
  return server.connections.filter((c) => !c.closed);
}
