/**
 * The request handler map: one function per method after the join, each run only after the role ×
 * action matrix allowed the call.
 * @packageDocumentation
 */
import type { RequestData, RequestMethod, ResponseData } from '@alcove/protocol';
import type { Participant } from '../rooms/participant.js';
import type { METHOD_RULES } from '../rooms/permissions.js';
import type { Room } from '../rooms/room.js';
import type { Connection } from './connection.js';

/** What a handler works on. */
export interface HandlerContext {
  readonly room: Room;
  readonly participant: Participant;
  readonly conn: Connection;
  readonly now: () => number;
}

type Method = keyof typeof METHOD_RULES;
type Handler<M extends RequestMethod> = (ctx: HandlerContext, data: RequestData<M>) => Promise<ResponseData<M>> | ResponseData<M>;

const ok = {} as const;

/** Every post-join method's handler. */
export const HANDLERS: { readonly [M in Method]: Handler<M> } = {
  'session.leave': ({ room, participant, conn }) => {
    room.leave(participant);
    conn.closeAfterResponse();
    return ok;
  },
  'session.ping': ({ now }) => ({ now: now() }),

  'media.getRouterRtpCapabilities': ({ room }) => ({ rtpCapabilities: room.media.rtpCapabilities }),
  'media.createTransport': ({ room, participant }, d) => room.media.createTransport(participant.id, d),
  'media.connectTransport': async ({ room, participant }, d) => {
    await room.media.connectTransport(participant.id, d);
    return ok;
  },
  'media.restartIce': ({ room, participant }, d) => room.media.restartIce(participant.id, d.transportId),
  'media.closeTransport': ({ room, participant }, d) => {
    room.media.closeTransport(participant.id, d.transportId);
    return ok;
  },
  'media.produce': ({ room, participant }, d) => room.media.produce(participant.id, d),
  'media.closeProducer': ({ room, participant }, d) => {
    room.media.closeProducer(participant.id, d.producerId);
    return ok;
  },
  'media.pauseProducer': async ({ room, participant }, d) => {
    await room.media.setProducerPaused(participant.id, d.producerId, true);
    return ok;
  },
  'media.resumeProducer': async ({ room, participant }, d) => {
    await room.media.setProducerPaused(participant.id, d.producerId, false);
    return ok;
  },
  'media.consume': ({ room, participant }, d) => room.media.consume(participant.id, d),
  'media.resumeConsumer': async ({ room, participant }, d) => {
    await room.media.setConsumerPaused(participant.id, d.consumerId, false);
    return ok;
  },
  'media.pauseConsumer': async ({ room, participant }, d) => {
    await room.media.setConsumerPaused(participant.id, d.consumerId, true);
    return ok;
  },
  'media.closeConsumer': ({ room, participant }, d) => {
    room.media.closeConsumer(participant.id, d.consumerId);
    return ok;
  },
  'media.setPreferredLayers': async ({ room, participant }, d) => {
    await room.media.setPreferredLayers(participant.id, d);
    return ok;
  },
  'media.requestKeyFrame': async ({ room, participant }, d) => {
    await room.media.requestKeyFrame(participant.id, d.producerId);
    return ok;
  },
  'media.getTransportStats': ({ room, participant }, d) => room.media.transportStats(participant.id, d.transportId),

  'e2ee.publishKey': ({ room, participant }, d) => {
    room.publishKey(participant, d.identityKey);
    return ok;
  },
  'e2ee.relay': ({ room, participant }, d) => {
    room.relay(participant, d);
    return ok;
  },
  'e2ee.verified': ({ room, participant }, d) => {
    room.verified(participant, d.peer);
    return ok;
  },

  'checklist.submit': ({ room, participant }, d) => room.submitChecklist(participant, d),
  'checklist.relay': ({ room, participant }, d) => {
    room.relayChecklist(participant, d);
    return ok;
  },

  'network.testStart': ({ room, participant }) => room.networkTests.start(participant.id),
  'network.testConnect': async ({ room, participant }, d) => {
    await room.networkTests.connect(participant.id, d);
    return ok;
  },
  'network.testProduce': ({ room, participant }, d) => room.networkTests.produce(participant.id, d),
  'network.testStats': ({ room, participant }, d) => room.networkTests.stats(participant.id, d.testId),
  'network.testEnd': ({ room, participant }, d) => {
    room.networkTests.end(participant.id, d.testId);
    return ok;
  },
  'chat.send': ({ room, participant }, d) => room.chat(participant, d),
  'chat.relay': ({ room, participant }, d) => {
    room.relayChat(participant, d);
    return ok;
  },

  'host.admit': ({ room, participant }, d) => {
    room.admit(participant, d.participantId);
    return ok;
  },
  'host.deny': ({ room, participant }, d) => {
    room.deny(participant, d.participantId);
    return ok;
  },
  'host.remove': ({ room, participant }, d) => {
    room.remove(participant, d.participantId);
    return ok;
  },
  'host.lock': ({ room, participant }) => {
    room.setLocked(participant, true);
    return ok;
  },
  'host.unlock': ({ room, participant }) => {
    room.setLocked(participant, false);
    return ok;
  },
  'host.requestMute': ({ room, participant }, d) => {
    room.requestMute(participant, d.participantId, d.kind);
    return ok;
  },
  'host.setScreenShare': ({ room, participant }, d) => {
    room.setScreenShare(participant, d.allowed);
    return ok;
  },
  'host.end': ({ room }) => {
    room.end('host');
    return ok;
  },
};
