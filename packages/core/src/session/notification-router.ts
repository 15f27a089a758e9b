import type { MediaKind, Notification, NotificationData, ParticipantInfo, SessionHost, WaitingEntry } from '@alcove/protocol';
import type { LeaveReason } from './events.js';

/** What each server notification turns into. Implemented by `Session`. Internal. */
export interface NotificationTarget {
  admitted(d: NotificationData<'session.admitted'>): void;
  ended(reason: 'denied' | 'removed' | 'session-ended'): void;
  lockChanged(locked: boolean): void;
  screenSharePolicyChanged(allowed: 'host' | 'everyone' | 'nobody'): void;
  serverShutdown(): void;
  participantChanged(p: ParticipantInfo): void;
  participantLeft(participantId: string, reason: LeaveReason): void;
  waitingRoomChanged(waiting: readonly WaitingEntry[]): void;
  /** Guests while waiting: the hosts' names and credentials lines. */
  hostsChanged?(hosts: readonly SessionHost[]): void;
  producerAdded(p: NotificationData<'media.producerAdded'>): void;
  /** `reason`: why the server closed it (sent to the owner and hosts), e.g. E2EE_NOT_ENCRYPTED. */
  producerClosed(producerId: string, reason?: 'E2EE_NOT_ENCRYPTED'): void;
  producerPaused(producerId: string, paused: boolean): void;
  /** A receiver asked the server for a key frame of our producer (E2EE: force one after a key switch). */
  keyFrameRequested?(producerId: string): void;
  consumerClosed(consumerId: string): void;
  transportClosed(transportId: string): void;
  chat(m: NotificationData<'chat.message'>): void;
  /** A chat pair-channel message (opaque). */
  chatControl?(d: NotificationData<'chat.control'>): void;
  muteRequested(kind: MediaKind): void;
  checklistSubmitted(d: NotificationData<'checklist.submitted'>): void;
  /** Guests: the hosts to seal checklist answers to. */
  checklistHosts?(d: NotificationData<'checklist.hosts'>): void;
  /** A sealed checklist channel message (opaque). */
  checklistMessage?(d: NotificationData<'checklist.message'>): void;
  /** An opaque E2EE handshake or control message from `from`. */
  e2eeMessage?(d: NotificationData<'e2ee.message'>): void;
  /** `participantId` confirmed that the security code with `peer` matches. */
  e2eePeerVerified?(d: NotificationData<'e2ee.peerVerified'>): void;
}

/** Dispatches one validated notification. Unknown-to-us methods (`e2ee.*`, scores, layers) are ignored here. */
export function routeNotification(n: Notification, t: NotificationTarget): void {
  switch (n.method) {
    case 'session.admitted':
      return t.admitted(n.data);
    case 'session.denied':
      return t.ended('denied');
    case 'session.removed':
      return t.ended('removed');
    case 'session.ended':
      return t.ended('session-ended');
    case 'session.lockChanged':
      return t.lockChanged(n.data.locked);
    case 'session.policyChanged':
      return t.screenSharePolicyChanged(n.data.screenShare);
    case 'session.shutdown':
      return t.serverShutdown();
    case 'participant.joined':
    case 'participant.updated':
      return t.participantChanged(n.data);
    case 'participant.left':
      return t.participantLeft(n.data.participantId, n.data.reason);
    case 'waitingRoom.changed':
      return t.waitingRoomChanged(n.data.waiting);
    case 'session.hosts':
      return t.hostsChanged?.(n.data.hosts);
    case 'media.producerAdded':
      return t.producerAdded(n.data);
    case 'media.producerClosed':
      return t.producerClosed(n.data.producerId, n.data.reason);
    case 'media.producerPaused':
      return t.producerPaused(n.data.producerId, true);
    case 'media.producerResumed':
      return t.producerPaused(n.data.producerId, false);
    case 'media.keyFrameRequested':
      return t.keyFrameRequested?.(n.data.producerId);
    case 'media.consumerClosed':
      return t.consumerClosed(n.data.consumerId);
    case 'media.transportClosed':
      return t.transportClosed(n.data.transportId);
    case 'chat.message':
      return t.chat(n.data);
    case 'chat.control':
      return t.chatControl?.(n.data);
    case 'host.muteRequested':
      return t.muteRequested(n.data.kind);
    case 'checklist.submitted':
      return t.checklistSubmitted(n.data);
    case 'checklist.hosts':
      return t.checklistHosts?.(n.data);
    case 'checklist.message':
      return t.checklistMessage?.(n.data);
    case 'e2ee.message':
      return t.e2eeMessage?.(n.data);
    case 'e2ee.peerVerified':
      return t.e2eePeerVerified?.(n.data);
    default:
      return undefined; // consumer scores and layers: not used yet
  }
}
