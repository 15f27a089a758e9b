import * as v from 'valibot';
import { Empty, IceServer, Id, MediaKind, b64, uint } from './common.js';
import { ChatControlData, ChatMessageData } from './chat.js';
import { ChecklistRelayType, ChecklistStatus, HostKey, LicensureOutcome, Sha256Hex, StepId, ConsentVersion } from './checklist.js';
import { ParticipantInfo, ProducerInfo, ReasonText, SessionHost, WaitingEntry } from './entities.js';

const LeaveReason = v.picklist(['left', 'removed', 'timeout', 'ended']);

/** Every notification the server may send, by method: the schema of its `data`. */
export const NOTIFICATIONS = {
  // --- session ---------------------------------------------------------------------------------
  'session.admitted': v.strictObject({
    resumeTicket: v.pipe(v.string(), v.minLength(22), v.maxLength(128)),
    participants: v.array(ParticipantInfo),
    producers: v.array(ProducerInfo),
    /** Present when the server has TURN: relays with credentials for this participant. */
    iceServers: v.optional(v.pipe(v.array(IceServer), v.maxLength(8))),
  }),
  'session.denied': v.strictObject({ reason: v.optional(ReasonText) }),
  'session.removed': Empty,
  'session.ended': v.strictObject({ reason: v.picklist(['host', 'admin', 'idle', 'shutdown', 'host-absent', 'waiting-expired']) }),
  'session.lockChanged': v.strictObject({ locked: v.boolean() }),
  'session.policyChanged': v.strictObject({ screenShare: v.picklist(['host', 'everyone', 'nobody']) }),
  /** Waiting guests: the hosts in the session (names, credentials lines) changed. */
  'session.hosts': v.strictObject({ hosts: v.pipe(v.array(SessionHost), v.maxLength(64)) }),
  /** The server is going down; reconnect with the resume ticket after `retryAfterMs`. */
  'session.shutdown': v.strictObject({ retryAfterMs: uint(600_000) }),

  // --- participants ----------------------------------------------------------------------------
  'participant.joined': ParticipantInfo,
  'participant.updated': ParticipantInfo,
  'participant.left': v.strictObject({ participantId: Id, reason: LeaveReason }),
  /** Host only: who waits, with checklist status. */
  'waitingRoom.changed': v.strictObject({ waiting: v.array(WaitingEntry) }),

  // --- media -----------------------------------------------------------------------------------
  'media.producerAdded': ProducerInfo,
  /** `reason` (to the owner and hosts only): why the server closed it, e.g. `E2EE_NOT_ENCRYPTED`. */
  'media.producerClosed': v.strictObject({ producerId: Id, reason: v.optional(v.picklist(['E2EE_NOT_ENCRYPTED'])) }),
  'media.producerPaused': v.strictObject({ producerId: Id }),
  'media.producerResumed': v.strictObject({ producerId: Id }),
  'media.consumerClosed': v.strictObject({ consumerId: Id }),
  'media.consumerPaused': v.strictObject({ consumerId: Id }),
  'media.consumerResumed': v.strictObject({ consumerId: Id }),
  'media.consumerLayersChanged': v.strictObject({
    consumerId: Id,
    spatialLayer: v.nullable(uint(3)),
    temporalLayer: v.nullable(uint(3)),
  }),
  'media.consumerScore': v.strictObject({ consumerId: Id, score: uint(10), producerScore: uint(10) }),
  /** The server closed a transport (fault, restart): the client must recreate it. */
  'media.transportClosed': v.strictObject({ transportId: Id }),
  /** The other side asks this sender for a key frame (E2EE key switch). */
  'media.keyFrameRequested': v.strictObject({ producerId: Id }),

  // --- e2ee ------------------------------------------------------------------------------------
  'e2ee.message': v.strictObject({ from: Id, type: v.picklist(['commit', 'reveal', 'sealed', 'roster']), payload: b64(8192) }),
  'e2ee.peerVerified': v.strictObject({ participantId: Id, peer: Id }),

  // --- checklist -------------------------------------------------------------------------------
  /** Hosts: a client's checklist status changed (statuses and outcomes only, never answers). */
  'checklist.submitted': v.strictObject({
    participantId: Id,
    status: ChecklistStatus,
    admissible: v.boolean(),
    missing: v.array(StepId),
    licensure: v.optional(LicensureOutcome),
    /** The consent the client signed; `verified`: the server checked the signature. */
    consent: v.optional(v.strictObject({ version: ConsentVersion, sha256: Sha256Hex, verified: v.boolean() })),
  }),
  /** Guests: the hosts (and identity keys) to seal checklist answers to changed. */
  'checklist.hosts': v.strictObject({ hosts: v.array(HostKey) }),
  /** A sealed-channel message from a guest or a host (opaque). */
  'checklist.message': v.strictObject({ from: Id, type: ChecklistRelayType, payload: b64(6144) }),

  // --- chat ------------------------------------------------------------------------------------
  /** A sealed chat message with the message key wrapped for this recipient. */
  'chat.message': ChatMessageData,
  /** A chat pair-channel message (handshake, key confirmation) from a peer. */
  'chat.control': ChatControlData,

  // --- host ------------------------------------------------------------------------------------
  'host.muteRequested': v.strictObject({ kind: MediaKind }),
} as const;

/** A notification method name. */
export type NotificationMethod = keyof typeof NOTIFICATIONS;
/** The `data` of a notification of method `M`. */
export type NotificationData<M extends NotificationMethod> = v.InferOutput<(typeof NOTIFICATIONS)[M]>;
