/**
 * What engine objects need from their surroundings.
 * @internal
 */
import type { RtpPacket } from 'werift';

/** Emits an event towards the main-thread proxy with id `targetId`. */
export type EmitFn = (targetId: string, event: string, data?: unknown) => void;

/**
 * Counters of dropped datagrams and packets and of swallowed errors on the media path, by reason
 * (worker-wide in `worker.dump()`, per transport in `transport.getStats()`).
 */
export interface DropCounters {
  stunMalformed: number;
  stunUnknownUfrag: number;
  stunBadIntegrity: number;
  dtlsUnknownTuple: number;
  dtlsMalformed: number;
  rtpUnknownTuple: number;
  rtpMalformed: number;
  rtpUnknownSsrc: number;
  rtcpMalformed: number;
  srtpAuthFailed: number;
  unknownType: number;
  faultInjected: number;
  /** DTLS handshakes that failed (connect error, alert, fingerprint mismatch, key setup). */
  dtlsHandshakeFailed: number;
  /** Datagrams that could not be encrypted or sent. */
  sendFailed: number;
  /** Exceptions caught on the media path (timers, RTCP handling, forwarding). */
  internalErrors: number;
  /** ICE-TCP streams rejected for bad framing (empty or oversize frame) or traffic before authentication. */
  tcpMalformed: number;
  /** ICE-TCP connections refused (too many) or closed for never authenticating. */
  tcpRejected: number;
}

/** A reason a packet was dropped or an error swallowed. */
export type DropReason = keyof DropCounters;

/** A fresh set of zeroed counters. */
export function newDropCounters(): DropCounters {
  return {
    stunMalformed: 0,
    stunUnknownUfrag: 0,
    stunBadIntegrity: 0,
    dtlsUnknownTuple: 0,
    dtlsMalformed: 0,
    rtpUnknownTuple: 0,
    rtpMalformed: 0,
    rtpUnknownSsrc: 0,
    rtcpMalformed: 0,
    srtpAuthFailed: 0,
    unknownType: 0,
    faultInjected: 0,
    dtlsHandshakeFailed: 0,
    sendFailed: 0,
    internalErrors: 0,
    tcpMalformed: 0,
    tcpRejected: 0,
  };
}

/** Total of all drop counters. */
export function totalDrops(c: DropCounters): number {
  let n = 0;
  for (const v of Object.values(c)) n += v;
  return n;
}

/** The sending side a consumer writes to (a WebRtcTransport or a DirectTransport). */
export interface RtpSink {
  /** Whether media can be sent now (DTLS up and settled, ICE not disconnected). */
  readonly mediaReady: boolean;
  /** Sends one RTP packet whose header has already been rewritten for the consumer. */
  sendRtp(packet: RtpPacket): void;
  /** Sends one RTCP compound packet. */
  sendRtcp(buf: Buffer): void;
  /** The next outgoing transport-wide sequence number as a reused 2-byte extension value, for a packet of `bytes`. */
  nextTransportSeqPayload(bytes: number): Buffer;
}
