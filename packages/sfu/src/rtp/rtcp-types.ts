/**
 * Typed records produced by the RTCP compound parser.
 *
 * @packageDocumentation
 */

/** RTCP packet types (RFC 3550, RFC 4585). */
export const RtcpPacketType = {
  SR: 200,
  RR: 201,
  SDES: 202,
  BYE: 203,
  APP: 204,
  RTPFB: 205,
  PSFB: 206,
  XR: 207,
} as const;

/** A reception report block (RFC 3550 §6.4.1). */
export type RtcpReportBlock = {
  /** SSRC of the reported source. */
  ssrc: number;
  /** Fraction lost since the previous report, 0–255 (x/256). */
  fractionLost: number;
  /** Cumulative packets lost (signed 24 bits). */
  totalLost: number;
  /** Extended highest sequence number received. */
  highestSeq: number;
  /** Interarrival jitter in RTP timestamp units. */
  jitter: number;
  /** Middle 32 bits of the NTP timestamp of the last SR. */
  lsr: number;
  /** Delay since the last SR, in 1/65536 s. */
  dlsr: number;
};

/** Sender report. */
export type RtcpSenderReport = {
  type: 'sr';
  ssrc: number;
  /** NTP timestamp, seconds (unsigned 32). */
  ntpSec: number;
  /** NTP timestamp, fraction (unsigned 32). */
  ntpFrac: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  reports: RtcpReportBlock[];
};

/** Receiver report. */
export type RtcpReceiverReport = { type: 'rr'; ssrc: number; reports: RtcpReportBlock[] };

/** Source description; only CNAME is kept. */
export type RtcpSdes = { type: 'sdes'; chunks: { ssrc: number; cname?: string }[] };

/** Goodbye. */
export type RtcpBye = { type: 'bye'; ssrcs: number[]; reason?: string };

/** Generic NACK (RFC 4585 §6.2.1); `items` are (PID, BLP) pairs. */
export type RtcpNack = {
  type: 'nack';
  senderSsrc: number;
  mediaSsrc: number;
  items: { pid: number; blp: number }[];
};

/** Picture loss indication. */
export type RtcpPli = { type: 'pli'; senderSsrc: number; mediaSsrc: number };

/** Full intra request (RFC 5104 §4.3.1). */
export type RtcpFir = { type: 'fir'; senderSsrc: number; entries: { ssrc: number; seq: number }[] };

/** Receiver estimated maximum bitrate (draft-alvestrand-rmcat-remb). */
export type RtcpRemb = { type: 'remb'; senderSsrc: number; bitrate: number; ssrcs: number[] };

/** Transport-wide congestion control feedback: recognised, body not decoded. */
export type RtcpTransportCc = { type: 'transport-cc'; senderSsrc: number; mediaSsrc: number };

/** Any record the parser returns. */
export type RtcpRecord =
  | RtcpSenderReport
  | RtcpReceiverReport
  | RtcpSdes
  | RtcpBye
  | RtcpNack
  | RtcpPli
  | RtcpFir
  | RtcpRemb
  | RtcpTransportCc;

/** Result of parsing an RTCP compound packet. */
export type RtcpParseResult = {
  /** Recognised packets, in order. */
  packets: RtcpRecord[];
  /** Well-formed packets of other types (APP, XR, unknown feedback…), skipped. */
  unknown: number;
  /** Whether parsing stopped at a malformed packet (the rest was discarded). */
  malformed: boolean;
};
