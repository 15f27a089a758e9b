/**
 * What engine objects need from their surroundings.
 * @internal
 */
import { describeError, type SfuLogger, type WorkerLogTag } from '../common/logger.js';
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

/** Why a packet that failed `parseRtpHeader` was dropped (one instance: nothing allocated per drop). */
export const NOT_RTP = new Error('not RTP (version, header lengths or padding)');

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

/** A transport's own share of the drop counters (see {@link countDrop}). */
export interface TransportDropScope {
  readonly id: string;
  readonly drops: DropCounters;
}

/**
 * Counts a dropped packet or a swallowed error under `reason` (worker-wide in `counters`, and in
 * `transport`'s share when given) and logs it at debug under `tag` with the error's (redacted)
 * reason. The one place drops are counted. Never throws.
 */
export function countDrop(
  log: SfuLogger,
  counters: DropCounters,
  reason: DropReason,
  tag: WorkerLogTag,
  event: string,
  error?: unknown,
  transport?: TransportDropScope,
): void {
  counters[reason]++;
  if (transport) transport.drops[reason]++;
  const l = log.tagged(tag);
  if (!l.enabled('debug')) return;
  l.debug(event, {
    ...(transport ? { transportId: transport.id } : {}),
    drop: reason,
    count: (transport ? transport.drops : counters)[reason],
    ...(error !== undefined ? { reason: describeError(error) } : {}),
  });
}

/** Total of all drop counters. */
export function totalDrops(c: DropCounters): number {
  let n = 0;
  for (const k in c) n += c[k as DropReason];
  return n;
}

/** The sending side a consumer writes to (a WebRtcTransport or a DirectTransport). */
export interface RtpSink {
  /** Whether media can be sent now (DTLS up and settled, ICE not disconnected). */
  readonly mediaReady: boolean;
  /**
   * The buffer the next outgoing RTP packet of at most `bytes` bytes is written into (with room
   * after it for the SRTP tag): the sink's own scratch when its send is synchronous, so it is only
   * valid until {@link sendRtp} and must not be kept.
   */
  rtpBuffer(bytes: number): Buffer;
  /** Sends the RTP packet written into `rtpBuffer()[0..length)` (`rtx`: a retransmission on the RTX stream). */
  sendRtp(buf: Buffer, length: number, rtx: boolean): void;
  /** Sends one RTCP compound packet. */
  sendRtcp(buf: Buffer): void;
  /** The next outgoing transport-wide sequence number (16 bits), for a packet of `bytes` sent at `nowMs`. */
  nextTransportSeq(bytes: number, nowMs: number): number;
}
