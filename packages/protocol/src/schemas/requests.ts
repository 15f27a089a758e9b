import * as v from 'valibot';
import {
  DtlsParameters,
  Empty,
  IceCandidate,
  IceParameters,
  IceServer,
  Id,
  MediaKind,
  Role,
  RtpCapabilities,
  RtpParameters,
  SctpCapabilities,
  TrackSource,
  b64,
  str,
  uint,
} from './common.js';
import { ChatRelayData, ChatSendData, ChatSendResult } from './chat.js';
import { ChecklistRelayType, ChecklistStatus, ConsentReceipt, HostKey, Jurisdiction, LicensureOutcome, StepId } from './checklist.js';
import { ParticipantInfo, ProducerInfo, SessionHost, SessionPolicyInfo, WaitingEntry } from './entities.js';

const Token = v.pipe(v.string(), v.minLength(16), v.maxLength(4096));
const Ticket = v.pipe(v.string(), v.minLength(22), v.maxLength(128), v.regex(/^[A-Za-z0-9_-]+$/));

const JoinedResult = v.strictObject({
  sessionId: Id,
  participantId: Id,
  role: Role,
  /** `waiting`: in the waiting room (no media, no names but the hosts'); `joined`: admitted. */
  state: v.picklist(['waiting', 'joined']),
  policy: SessionPolicyInfo,
  /** Present once admitted: the only way to reattach after a drop. */
  resumeTicket: v.optional(Ticket),
  /** Present once admitted. */
  participants: v.optional(v.array(ParticipantInfo)),
  producers: v.optional(v.array(ProducerInfo)),
  /** Present for hosts. */
  waiting: v.optional(v.array(WaitingEntry)),
  /** Present for guests (waiting or admitted): the hosts to seal checklist answers to. */
  hosts: v.optional(v.array(HostKey)),
  /** Present while waiting: the hosts in the session now, with the names and credentials lines of their tokens. */
  sessionHosts: v.optional(v.pipe(v.array(SessionHost), v.maxLength(64))),
  /** Milliseconds between heartbeats the server expects. */
  heartbeatMs: uint(600_000),
  /** Present once admitted when the server has TURN: relays with credentials for this participant. */
  iceServers: v.optional(v.pipe(v.array(IceServer), v.maxLength(8))),
});

const TransportResult = v.strictObject({
  transportId: Id,
  iceParameters: IceParameters,
  iceCandidates: v.array(IceCandidate),
  dtlsParameters: DtlsParameters,
  sctpParameters: v.optional(v.strictObject({ port: uint(65535), OS: uint(65535), MIS: uint(65535), maxMessageSize: uint(2 ** 31) })),
});

const ConsumerResult = v.strictObject({
  consumerId: Id,
  producerId: Id,
  participantId: Id,
  kind: MediaKind,
  source: TrackSource,
  rtpParameters: RtpParameters,
  paused: v.boolean(),
  producerPaused: v.boolean(),
});

const ProducerRef = v.strictObject({ producerId: Id });
const ConsumerRef = v.strictObject({ consumerId: Id });
const TransportRef = v.strictObject({ transportId: Id });
const ParticipantRef = v.strictObject({ participantId: Id });
const Ok = Empty;

/**
 * Every request a client may send, by method: its `data` schema and the schema of a successful
 * response's `data`. ARCHITECTURE §4 lists the groups.
 */
export const REQUESTS = {
  // --- session ---------------------------------------------------------------------------------
  'session.join': {
    data: v.strictObject({
      token: Token,
      /** Whether this browser can do E2EE media (encoded transforms). */
      e2ee: v.boolean(),
      sdk: v.optional(str(32)),
    }),
    result: JoinedResult,
  },
  'session.resume': { data: v.strictObject({ ticket: Ticket }), result: JoinedResult },
  'session.leave': { data: Ok, result: Ok },
  'session.ping': { data: Ok, result: v.strictObject({ now: uint(Number.MAX_SAFE_INTEGER) }) },

  // --- media -----------------------------------------------------------------------------------
  'media.getRouterRtpCapabilities': { data: Ok, result: v.strictObject({ rtpCapabilities: RtpCapabilities }) },
  'media.createTransport': {
    data: v.strictObject({ direction: v.picklist(['send', 'recv']), sctpCapabilities: v.optional(SctpCapabilities) }),
    result: TransportResult,
  },
  'media.connectTransport': {
    data: v.strictObject({ transportId: Id, dtlsParameters: DtlsParameters }),
    result: Ok,
  },
  'media.restartIce': { data: TransportRef, result: v.strictObject({ iceParameters: IceParameters }) },
  'media.closeTransport': { data: TransportRef, result: Ok },
  'media.produce': {
    data: v.strictObject({
      transportId: Id,
      kind: MediaKind,
      rtpParameters: RtpParameters,
      source: TrackSource,
      paused: v.optional(v.boolean()),
      /** Whether this producer's frames are end-to-end encrypted. */
      e2ee: v.boolean(),
    }),
    result: ProducerRef,
  },
  'media.closeProducer': { data: ProducerRef, result: Ok },
  'media.pauseProducer': { data: ProducerRef, result: Ok },
  'media.resumeProducer': { data: ProducerRef, result: Ok },
  'media.consume': {
    data: v.strictObject({ transportId: Id, producerId: Id, rtpCapabilities: RtpCapabilities }),
    result: ConsumerResult,
  },
  'media.resumeConsumer': { data: ConsumerRef, result: Ok },
  'media.pauseConsumer': { data: ConsumerRef, result: Ok },
  'media.closeConsumer': { data: ConsumerRef, result: Ok },
  'media.setPreferredLayers': {
    data: v.strictObject({ consumerId: Id, spatialLayer: uint(3), temporalLayer: v.optional(uint(3)) }),
    result: Ok,
  },
  /** Ask the senders of a producer for a key frame (E2EE legacy path has no JS API for it). */
  'media.requestKeyFrame': { data: v.strictObject({ producerId: Id }), result: Ok },
  'media.getTransportStats': {
    data: TransportRef,
    result: v.strictObject({
      bytesReceived: uint(Number.MAX_SAFE_INTEGER),
      bytesSent: uint(Number.MAX_SAFE_INTEGER),
      rtpPacketsLost: v.optional(uint(Number.MAX_SAFE_INTEGER)),
    }),
  },

  // --- e2ee ------------------------------------------------------------------------------------
  'e2ee.publishKey': {
    data: v.strictObject({ identityKey: b64(64), suites: v.pipe(v.array(uint(0xffff)), v.minLength(1), v.maxLength(4)) }),
    result: Ok,
  },
  /** Relay an opaque, sealed control message (commit, reveal, key, ack, request) to one peer. */
  'e2ee.relay': {
    data: v.strictObject({ to: Id, type: v.picklist(['commit', 'reveal', 'sealed', 'roster']), payload: b64(8192) }),
    result: Ok,
  },
  'e2ee.verified': { data: v.strictObject({ peer: Id }), result: Ok },

  // --- checklist -------------------------------------------------------------------------------
  /**
   * A client's checklist progress: step statuses (never answers), the consent receipt and the
   * licensure outcome. Answers go sealed to the hosts through `checklist.relay`. Resubmitting
   * replaces the previous status.
   */
  'checklist.submit': {
    data: v.strictObject({
      status: ChecklistStatus,
      /** Present once the client acknowledged the policy's consent document. */
      consent: v.optional(ConsentReceipt),
      /** Outcome of the licensure check; `jurisdiction` only when the policy shares it. */
      licensure: v.optional(v.strictObject({ outcome: LicensureOutcome, jurisdiction: v.optional(Jurisdiction) })),
    }),
    result: v.strictObject({
      /** Whether the admission requirements are met now. */
      admissible: v.boolean(),
      /** Required steps not yet done (in policy order). */
      missing: v.array(StepId),
    }),
  },
  /**
   * The sealed checklist channel between a guest and a host: a pair handshake (commit, reveal)
   * then sealed answers. The server checks sizes and who may talk to whom, and reads nothing.
   */
  'checklist.relay': {
    data: v.strictObject({ to: Id, type: ChecklistRelayType, payload: b64(6144) }),
    result: Ok,
  },

  // --- network test (checklist) ----------------------------------------------------------------
  /**
   * Starts a network test: a short-lived send and receive transport on a router of its own (the
   * room never sees it). Allowed while waiting.
   */
  'network.testStart': {
    data: Ok,
    result: v.strictObject({
      testId: Id,
      rtpCapabilities: RtpCapabilities,
      send: TransportResult,
      recv: TransportResult,
      /** The server closes the test after this many ms. */
      timeoutMs: uint(600_000),
    }),
  },
  'network.testConnect': {
    data: v.strictObject({ testId: Id, transportId: Id, dtlsParameters: DtlsParameters }),
    result: Ok,
  },
  /** Publishes a probe track on the test's send transport and consumes it back on its receive transport. */
  'network.testProduce': {
    data: v.strictObject({ testId: Id, kind: MediaKind, rtpParameters: RtpParameters, rtpCapabilities: RtpCapabilities }),
    result: v.strictObject({ producerId: Id, consumerId: Id, kind: MediaKind, rtpParameters: RtpParameters }),
  },
  /** What the server's engine measured of the probe's uplink so far. */
  'network.testStats': {
    data: v.strictObject({ testId: Id }),
    result: v.strictObject({
      packetsReceived: uint(Number.MAX_SAFE_INTEGER),
      packetsLost: uint(Number.MAX_SAFE_INTEGER),
      bytesReceived: uint(Number.MAX_SAFE_INTEGER),
      /** Interarrival jitter in ms, when known. */
      jitterMs: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(60_000))),
    }),
  },
  'network.testEnd': { data: v.strictObject({ testId: Id }), result: Ok },

  // --- chat ------------------------------------------------------------------------------------
  /** A sealed chat message: one body, the message key wrapped for each recipient (see `schemas/chat.ts`). */
  'chat.send': { data: ChatSendData, result: ChatSendResult },
  /** A chat pair-channel message (handshake, key confirmation) to one admitted peer. */
  'chat.relay': { data: ChatRelayData, result: Ok },

  // --- host --------------------------------------------------------------------------------------
  'host.admit': { data: ParticipantRef, result: Ok },
  'host.deny': { data: v.strictObject({ participantId: Id }), result: Ok },
  'host.remove': { data: ParticipantRef, result: Ok },
  'host.lock': { data: Ok, result: Ok },
  'host.unlock': { data: Ok, result: Ok },
  'host.requestMute': { data: v.strictObject({ participantId: Id, kind: MediaKind }), result: Ok },
  'host.setScreenShare': { data: v.strictObject({ allowed: v.picklist(['host', 'everyone', 'nobody']) }), result: Ok },
  'host.end': { data: Ok, result: Ok },
} as const;

/** A request method name. */
export type RequestMethod = keyof typeof REQUESTS;
/** The `data` of a request of method `M`. */
export type RequestData<M extends RequestMethod> = v.InferOutput<(typeof REQUESTS)[M]['data']>;
/** The `data` of a successful response to method `M`. */
export type ResponseData<M extends RequestMethod> = v.InferOutput<(typeof REQUESTS)[M]['result']>;
