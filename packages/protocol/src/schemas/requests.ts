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
 * The `data` schema of every request a client may send, by method (what the server validates).
 * ARCHITECTURE §4 lists the groups. {@link REQUEST_RESULTS} holds the success responses: the two are
 * separate maps so that a client bundle, which validates only responses, does not carry the request
 * schemas (tree shaking cannot split one object).
 */
// A pure IIFE: the bundlers here do not treat valibot's schema calls as side-effect free, so a
// client bundle can drop this map only when its construction is marked pure.
export const REQUEST_DATA = /* @__PURE__ */ (() =>
  ({
    // --- session ---------------------------------------------------------------------------------
    'session.join': v.strictObject({
      token: Token,
      /** Whether this browser can do E2EE media (encoded transforms). */
      e2ee: v.boolean(),
      sdk: v.optional(str(32)),
    }),
    'session.resume': v.strictObject({ ticket: Ticket }),
    'session.leave': Ok,
    'session.ping': Ok,

    // --- media -----------------------------------------------------------------------------------
    'media.getRouterRtpCapabilities': Ok,
    'media.createTransport': v.strictObject({ direction: v.picklist(['send', 'recv']), sctpCapabilities: v.optional(SctpCapabilities) }),
    'media.connectTransport': v.strictObject({ transportId: Id, dtlsParameters: DtlsParameters }),
    'media.restartIce': TransportRef,
    'media.closeTransport': TransportRef,
    'media.produce': v.strictObject({
      transportId: Id,
      kind: MediaKind,
      rtpParameters: RtpParameters,
      source: TrackSource,
      paused: v.optional(v.boolean()),
      /** Whether this producer's frames are end-to-end encrypted. */
      e2ee: v.boolean(),
    }),
    'media.closeProducer': ProducerRef,
    'media.pauseProducer': ProducerRef,
    'media.resumeProducer': ProducerRef,
    'media.consume': v.strictObject({ transportId: Id, producerId: Id, rtpCapabilities: RtpCapabilities }),
    'media.resumeConsumer': ConsumerRef,
    'media.pauseConsumer': ConsumerRef,
    'media.closeConsumer': ConsumerRef,
    'media.setPreferredLayers': v.strictObject({ consumerId: Id, spatialLayer: uint(3), temporalLayer: v.optional(uint(3)) }),
    /** Ask the senders of a producer for a key frame (E2EE legacy path has no JS API for it). */
    'media.requestKeyFrame': v.strictObject({ producerId: Id }),
    'media.getTransportStats': TransportRef,

    // --- e2ee ------------------------------------------------------------------------------------
    'e2ee.publishKey': v.strictObject({ identityKey: b64(64), suites: v.pipe(v.array(uint(0xffff)), v.minLength(1), v.maxLength(4)) }),
    /** Relay an opaque, sealed control message (commit, reveal, key, ack, request) to one peer. */
    'e2ee.relay': v.strictObject({ to: Id, type: v.picklist(['commit', 'reveal', 'sealed', 'roster']), payload: b64(8192) }),
    'e2ee.verified': v.strictObject({ peer: Id }),

    // --- checklist -------------------------------------------------------------------------------
    /**
     * A client's checklist progress: step statuses (never answers), the consent receipt and the
     * licensure outcome. Answers go sealed to the hosts through `checklist.relay`. Resubmitting
     * replaces the previous status.
     */
    'checklist.submit': v.strictObject({
      status: ChecklistStatus,
      /** Present once the client acknowledged the policy's consent document. */
      consent: v.optional(ConsentReceipt),
      /** Outcome of the licensure check; `jurisdiction` only when the policy shares it. */
      licensure: v.optional(v.strictObject({ outcome: LicensureOutcome, jurisdiction: v.optional(Jurisdiction) })),
    }),
    /**
     * The sealed checklist channel between a guest and a host: a pair handshake (commit, reveal)
     * then sealed answers. The server checks sizes and who may talk to whom, and reads nothing.
     */
    'checklist.relay': v.strictObject({ to: Id, type: ChecklistRelayType, payload: b64(6144) }),

    // --- network test (checklist) ----------------------------------------------------------------
    /**
     * Starts a network test: a short-lived send and receive transport on a router of its own (the
     * room never sees it). Allowed while waiting.
     */
    'network.testStart': Ok,
    'network.testConnect': v.strictObject({ testId: Id, transportId: Id, dtlsParameters: DtlsParameters }),
    /** Publishes a probe track on the test's send transport and consumes it back on its receive transport. */
    'network.testProduce': v.strictObject({ testId: Id, kind: MediaKind, rtpParameters: RtpParameters, rtpCapabilities: RtpCapabilities }),
    /** What the server's engine measured of the probe's uplink so far. */
    'network.testStats': v.strictObject({ testId: Id }),
    'network.testEnd': v.strictObject({ testId: Id }),

    // --- chat ------------------------------------------------------------------------------------
    /** A sealed chat message: one body, the message key wrapped for each recipient (see `schemas/chat.ts`). */
    'chat.send': ChatSendData,
    /** A chat pair-channel message (handshake, key confirmation) to one admitted peer. */
    'chat.relay': ChatRelayData,

    // --- host --------------------------------------------------------------------------------------
    'host.admit': ParticipantRef,
    'host.deny': v.strictObject({ participantId: Id }),
    'host.remove': ParticipantRef,
    'host.lock': Ok,
    'host.unlock': Ok,
    'host.requestMute': v.strictObject({ participantId: Id, kind: MediaKind }),
    'host.setScreenShare': v.strictObject({ allowed: v.picklist(['host', 'everyone', 'nobody']) }),
    'host.end': Ok,
  }) as const)();

/** The schema of a successful response's `data`, by request method (what a client validates). */
export const REQUEST_RESULTS = {
  'session.join': JoinedResult,
  'session.resume': JoinedResult,
  'session.leave': Ok,
  'session.ping': v.strictObject({ now: uint(Number.MAX_SAFE_INTEGER) }),
  'media.getRouterRtpCapabilities': v.strictObject({ rtpCapabilities: RtpCapabilities }),
  'media.createTransport': TransportResult,
  'media.connectTransport': Ok,
  'media.restartIce': v.strictObject({ iceParameters: IceParameters }),
  'media.closeTransport': Ok,
  'media.produce': ProducerRef,
  'media.closeProducer': Ok,
  'media.pauseProducer': Ok,
  'media.resumeProducer': Ok,
  'media.consume': ConsumerResult,
  'media.resumeConsumer': Ok,
  'media.pauseConsumer': Ok,
  'media.closeConsumer': Ok,
  'media.setPreferredLayers': Ok,
  'media.requestKeyFrame': Ok,
  'media.getTransportStats': v.strictObject({
    bytesReceived: uint(Number.MAX_SAFE_INTEGER),
    bytesSent: uint(Number.MAX_SAFE_INTEGER),
    rtpPacketsLost: v.optional(uint(Number.MAX_SAFE_INTEGER)),
  }),
  'e2ee.publishKey': Ok,
  'e2ee.relay': Ok,
  'e2ee.verified': Ok,
  'checklist.submit': v.strictObject({
    /** Whether the admission requirements are met now. */
    admissible: v.boolean(),
    /** Required steps not yet done (in policy order). */
    missing: v.array(StepId),
  }),
  'checklist.relay': Ok,
  'network.testStart': v.strictObject({
    testId: Id,
    rtpCapabilities: RtpCapabilities,
    send: TransportResult,
    recv: TransportResult,
    /** The server closes the test after this many ms. */
    timeoutMs: uint(600_000),
  }),
  'network.testConnect': Ok,
  'network.testProduce': v.strictObject({ producerId: Id, consumerId: Id, kind: MediaKind, rtpParameters: RtpParameters }),
  'network.testStats': v.strictObject({
    packetsReceived: uint(Number.MAX_SAFE_INTEGER),
    packetsLost: uint(Number.MAX_SAFE_INTEGER),
    bytesReceived: uint(Number.MAX_SAFE_INTEGER),
    /** Interarrival jitter in ms, when known. */
    jitterMs: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(60_000))),
  }),
  'network.testEnd': Ok,
  'chat.send': ChatSendResult,
  'chat.relay': Ok,
  'host.admit': Ok,
  'host.deny': Ok,
  'host.remove': Ok,
  'host.lock': Ok,
  'host.unlock': Ok,
  'host.requestMute': Ok,
  'host.setScreenShare': Ok,
  'host.end': Ok,
} as const satisfies Record<keyof typeof REQUEST_DATA, v.GenericSchema>;

/**
 * Every request a client may send, by method: its `data` schema and the schema of a successful
 * response's `data` (the two maps above, paired).
 */
export const REQUESTS: {
  readonly [M in keyof typeof REQUEST_DATA]: { readonly data: (typeof REQUEST_DATA)[M]; readonly result: (typeof REQUEST_RESULTS)[M] };
} = /* @__PURE__ */ pair();

function pair(): typeof REQUESTS {
  const out: Record<string, { data: unknown; result: unknown }> = {};
  for (const m of Object.keys(REQUEST_DATA) as (keyof typeof REQUEST_DATA)[])
    out[m] = { data: REQUEST_DATA[m], result: REQUEST_RESULTS[m] };
  return out as unknown as typeof REQUESTS;
}

/** A request method name. */
export type RequestMethod = keyof typeof REQUESTS;
/** The `data` of a request of method `M`. */
export type RequestData<M extends RequestMethod> = v.InferOutput<(typeof REQUESTS)[M]['data']>;
/** The `data` of a successful response to method `M`. */
export type ResponseData<M extends RequestMethod> = v.InferOutput<(typeof REQUESTS)[M]['result']>;
