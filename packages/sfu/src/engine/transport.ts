/**
 * Engine-side transport base: producer/consumer bookkeeping, SSRC/MID demux, RTCP dispatch,
 * periodic RR + REMB towards senders, and the fault hook (random drop) used by tests.
 * @internal
 */
import type { SfuLogger, WorkerLogTag } from '../common/logger.js';
import {
  countDrop,
  newDropCounters,
  totalDrops,
  type DropCounters,
  type DropReason,
  type EmitFn,
  type RtpSink,
  type TransportDropScope,
} from './context.js';
import type { EngineConsumer } from './consumer.js';
import type { EngineProducer } from './producer.js';
import type { RecvStream } from './recv-stream.js';
import { buildRemb, buildRr, walkRtcp, type ReportBlock, type RtcpVisitor } from './rtcp.js';
import { TRANSPORT_CC_URI, TransportCcRecorder } from '../rtp/transport-cc.js';
import { findHeaderExtension, readHeaderExtensionString, type RtpHeaderView } from '../rtp/rtp-header.js';
import { RateMeter } from './rate-meter.js';
import { SendSideEstimator } from './send-side-estimator.js';

/** Fault injection settings of a transport (tests only). */
export interface TransportFaults {
  /** Percentage (0..100) of outgoing RTP packets dropped. */
  dropSendPct: number;
  /** Percentage (0..100) of incoming RTP packets dropped. */
  dropRecvPct: number;
}

/** Default REMB cap announced to senders when `setMaxIncomingBitrate` was not called. */
export const DEFAULT_REMB_BPS = 5_000_000;

/** Interval of transport-wide congestion-control feedback towards senders. */
export const TRANSPORT_CC_FEEDBACK_MS = 50;

/** NTP time now as [seconds, fraction]. */
export function ntpNow(): [number, number] {
  const ms = Date.now() + 2_208_988_800_000;
  const sec = Math.floor(ms / 1000);
  const frac = Math.floor(((ms % 1000) / 1000) * 0x100000000);
  return [sec >>> 0, frac >>> 0];
}

/** The engine-side transport base class. */
export abstract class EngineTransport implements RtpSink {
  readonly id: string;
  readonly routerId: string;
  readonly producers = new Map<string, EngineProducer>();
  readonly consumers = new Map<string, EngineConsumer>();
  /** Worker-wide counters (`worker.dump()`). */
  protected readonly drops: DropCounters;
  /** This transport's share of them (`transport.getStats()`). */
  readonly transportDrops: DropCounters = newDropCounters();
  private readonly dropScope: TransportDropScope;
  protected readonly emit: EmitFn;
  protected readonly log: SfuLogger;
  readonly feedbackSsrc = (Math.floor(Math.random() * 0xfffffff0) + 1) >>> 0;
  private readonly bySsrc = new Map<number, { producer: EngineProducer; stream: RecvStream | undefined; rtx: boolean }>();
  private readonly byMid = new Map<string, EngineProducer>();
  private readonly consumerBySsrc = new Map<number, EngineConsumer>();
  maxIncomingBitrate = 0;
  readonly faults: TransportFaults = { dropSendPct: 0, dropRecvPct: 0 };
  closed = false;
  rtpPacketsReceived = 0;
  rtpBytesReceived = 0;
  rtpPacketsSent = 0;
  rtpBytesSent = 0;
  rtcpPacketsReceived = 0;
  rtcpPacketsSent = 0;
  rtpPacketsFaultDropped = 0;
  /** RTX bytes received / sent, RTCP bytes received / sent (mediasoup's transport stats). */
  rtxBytesReceived = 0;
  rtxBytesSent = 0;
  rtcpBytesReceived = 0;
  rtcpBytesSent = 0;
  /** Bitrates of the counters above, sampled every second (`recvBitrate`, `rtpSendBitrate`…). */
  private readonly rates = {
    recv: new RateMeter(),
    send: new RateMeter(),
    rtpRecv: new RateMeter(),
    rtpSend: new RateMeter(),
    rtxRecv: new RateMeter(),
    rtxSend: new RateMeter(),
  };
  private rtcpTimer: NodeJS.Timeout | undefined;
  /** The remote's transport-wide sequence number extension id (0 = not negotiated). */
  private twccExtId = 0;
  private twcc: TransportCcRecorder | undefined;
  private twccTimer: NodeJS.Timeout | undefined;
  /** Outgoing transport-wide sequence number. */
  private twccOutSeq = Math.floor(Math.random() * 0x8000);
  transportCcFeedbackSent = 0;
  /** Send-side estimate towards the remote, once it gets transport-wide sequence numbers from us. */
  estimator: SendSideEstimator | undefined;
  private readonly visitor: RtcpVisitor;
  private rtcpNow = 0;

  constructor(id: string, routerId: string, drops: DropCounters, emit: EmitFn, log: SfuLogger) {
    this.id = id;
    this.routerId = routerId;
    this.drops = drops;
    this.emit = emit;
    this.log = log;
    this.dropScope = { id, drops: this.transportDrops };
    this.rtcpTimer = setInterval(() => {
      try {
        this.onRtcpTimer();
      } catch (e) {
        this.drop('internalErrors', 'rtcp', 'rtcp.timerFailed', e);
      }
    }, 1000);
    this.rtcpTimer.unref?.();
    this.visitor = {
      sr: (ssrc, ntpSec, ntpFrac, rtpTs) => {
        const e = this.bySsrc.get(ssrc);
        if (e?.stream && !e.rtx) e.producer.receiveSr(e.stream, ntpSec, ntpFrac, rtpTs, this.rtcpNow);
      },
      reportBlock: (ssrc, fractionLost, totalLost, _hs, _j, lsr, dlsr) => {
        const c = this.consumerBySsrc.get(ssrc);
        if (!c) return;
        const [s, f] = ntpNow();
        c.receiveReport(fractionLost, totalLost, lsr, dlsr, (((s & 0xffff) << 16) | (f >>> 16)) >>> 0);
      },
      pli: (ssrc) => this.consumerBySsrc.get(ssrc)?.receiveKeyFrameRequest(false, this.rtcpNow),
      fir: (ssrc) => this.consumerBySsrc.get(ssrc)?.receiveKeyFrameRequest(true, this.rtcpNow),
      nack: (ssrc, pid, blp) => this.consumerBySsrc.get(ssrc)?.receiveNack(pid, blp, this.rtcpNow),
      transportFeedback: (buf, offset, length) => {
        if (this.estimator?.onFeedback(buf.subarray(offset, offset + length), this.rtcpNow)) this.distributeBitrate(this.rtcpNow);
      },
    };
  }

  /** Whether media can be sent now. */
  abstract get mediaReady(): boolean;
  /** @inheritdoc */
  abstract rtpBuffer(bytes: number): Buffer;
  /** Sends the RTP packet `buf[0..length)` written into {@link rtpBuffer} (after the fault hook). */
  protected abstract transmitRtp(buf: Buffer, length: number): void;
  /** Sends an RTCP compound packet. */
  abstract sendRtcp(buf: Buffer): void;

  /**
   * Counts a dropped packet or a swallowed error under `reason`, worker-wide and for this
   * transport, and logs it at debug under `tag` with the error's (redacted) reason. Never throws.
   */
  drop(reason: DropReason, tag: WorkerLogTag, event: string, error?: unknown): void {
    countDrop(this.log, this.drops, reason, tag, event, error, this.dropScope);
  }

  /** Sends an RTP packet written into {@link rtpBuffer} towards the remote, through the fault hook. */
  sendRtp(buf: Buffer, length: number, rtx: boolean): void {
    if (this.faults.dropSendPct > 0 && Math.random() * 100 < this.faults.dropSendPct) {
      this.rtpPacketsFaultDropped++;
      this.drop('faultInjected', 'rtp', 'rtp.faultDroppedOut');
      return;
    }
    this.rtpPacketsSent++;
    this.rtpBytesSent += length;
    if (rtx) this.rtxBytesSent += length;
    this.transmitRtp(buf, length);
  }

  /** Registers a producer for demux. Returns an error message on conflict. */
  addProducer(p: EngineProducer): string | undefined {
    const { media, rtx } = p.ssrcs;
    for (const s of [...media, ...rtx]) if (this.bySsrc.has(s)) return `ssrc ${s} already in use`;
    if (p.mid !== undefined && this.byMid.has(p.mid)) return `mid ${p.mid} already in use`;
    for (const s of p.streams) {
      this.bySsrc.set(s.ssrc, { producer: p, stream: s, rtx: false });
      if (s.rtxSsrc !== undefined) this.bySsrc.set(s.rtxSsrc, { producer: p, stream: s, rtx: true });
    }
    if (p.mid !== undefined) this.byMid.set(p.mid, p);
    this.producers.set(p.id, p);
    if (this.twccExtId === 0) {
      const id = p.rtpParameters.headerExtensions?.find((e) => e.uri === TRANSPORT_CC_URI)?.id ?? 0;
      if (id > 0 && id < 256) this.startTransportCc(id);
    }
    return undefined;
  }

  /** Starts recording transport-wide sequence numbers (extension `id`) and sending feedback. */
  private startTransportCc(id: number): void {
    this.twccExtId = id;
    this.twcc = new TransportCcRecorder({ senderSsrc: this.feedbackSsrc });
    this.twccTimer = setInterval(() => {
      try {
        this.sendTransportCcFeedback();
      } catch (e) {
        this.drop('internalErrors', 'rtcp', 'rtcp.transportCcFeedbackFailed', e);
      }
    }, TRANSPORT_CC_FEEDBACK_MS);
    this.twccTimer.unref?.();
  }

  private sendTransportCcFeedback(): void {
    const twcc = this.twcc;
    if (!twcc || this.closed || !twcc.pending || !this.mediaReady) return;
    for (const fb of twcc.buildFeedback()) {
      this.sendRtcp(fb);
      this.transportCcFeedbackSent++;
    }
  }

  /** The next outgoing transport-wide sequence number, noted with the packet's size and send time. */
  nextTransportSeq(bytes: number, nowMs: number): number {
    this.twccOutSeq = (this.twccOutSeq + 1) & 0xffff;
    this.estimator ??= new SendSideEstimator();
    this.estimator.onPacketSent(this.twccOutSeq, bytes, nowMs);
    return this.twccOutSeq;
  }

  /** Unregisters a producer. */
  removeProducer(p: EngineProducer): void {
    this.producers.delete(p.id);
    for (const [k, v] of this.bySsrc) if (v.producer === p) this.bySsrc.delete(k);
    if (p.mid !== undefined && this.byMid.get(p.mid) === p) this.byMid.delete(p.mid);
  }

  /** Registers a consumer for RTCP demux. */
  addConsumer(c: EngineConsumer): void {
    this.consumers.set(c.id, c);
    this.consumerBySsrc.set(c.ssrc, c);
    if (c.rtxSsrc !== undefined) this.consumerBySsrc.set(c.rtxSsrc, c);
  }

  /** Unregisters a consumer. */
  removeConsumer(c: EngineConsumer): void {
    this.consumers.delete(c.id);
    for (const [k, v] of this.consumerBySsrc) if (v === c) this.consumerBySsrc.delete(k);
  }

  /**
   * Handles an incoming, decrypted RTP packet `buf[0..h.packetLength)` whose header is parsed into
   * `h` (the caller's view, reused for the next packet); `bytes` is its size on the wire, `nowMs`
   * its arrival (the one timestamp taken for it). The producer rewrites the packet in place and
   * consumers may keep `buf` (retransmission): it must be the packet's own buffer, never reused.
   */
  receiveRtp(buf: Buffer, h: RtpHeaderView, bytes: number, nowMs: number): void {
    if (this.faults.dropRecvPct > 0 && Math.random() * 100 < this.faults.dropRecvPct) {
      this.drop('faultInjected', 'rtp', 'rtp.faultDroppedIn');
      return;
    }
    this.rtpPacketsReceived++;
    this.rtpBytesReceived += bytes;
    const ssrc = h.ssrc;
    if (this.twcc) {
      // Every packet with a transport-wide sequence number counts, probes and RTX included.
      const at = findHeaderExtension(buf, h, this.twccExtId);
      if (at >= 0 && h.foundLength >= 2) this.twcc.record((buf[at]! << 8) | buf[at + 1]!, nowMs, ssrc);
    }
    let e = this.bySsrc.get(ssrc);
    if (!e) {
      const p = this.producerByMidExtension(buf, h);
      const learned = p?.learnSsrc(ssrc, buf, h);
      if (!p || !learned) {
        this.drop('rtpUnknownSsrc', 'rtp', 'rtp.unknownSsrc');
        return;
      }
      e = { producer: p, stream: learned.stream, rtx: learned.rtx };
      this.bySsrc.set(ssrc, e);
    }
    if (!e.stream) {
      this.drop('rtpUnknownSsrc', 'rtp', 'rtp.unknownSsrc');
      return;
    }
    if (e.rtx) {
      this.rtxBytesReceived += bytes;
      e.producer.receiveRtx(buf, h, e.stream, nowMs);
      return;
    }
    e.producer.receiveRtp(buf, h, e.stream, nowMs);
  }

  /** The producer named by the packet's MID header extension (an SSRC not seen yet; allocates a string). */
  private producerByMidExtension(buf: Buffer, h: RtpHeaderView): EngineProducer | undefined {
    for (const p of this.producers.values()) {
      const id = p.midExtensionId;
      if (id === undefined) continue;
      const mid = readHeaderExtensionString(buf, h, id);
      if (mid !== undefined) return this.byMid.get(mid);
    }
    return undefined;
  }

  /** Handles an incoming, decrypted RTCP compound packet. */
  receiveRtcp(buf: Buffer): void {
    this.rtcpPacketsReceived++;
    this.rtcpBytesReceived += buf.length;
    this.rtcpNow = performance.now();
    if (!walkRtcp(buf, this.visitor)) this.drop('rtcpMalformed', 'rtcp', 'rtcp.malformed');
  }

  /** Every second: RR + REMB to senders; scores. */
  protected onRtcpTimer(): void {
    if (this.closed) return;
    const now = performance.now();
    if (this.producers.size > 0 && this.mediaReady) {
      const blocks: ReportBlock[] = [];
      const ssrcs: number[] = [];
      for (const p of this.producers.values()) {
        for (const s of p.streams) {
          if (s.packetsReceived === 0) continue;
          blocks.push(s.reportBlock(now));
          ssrcs.push(s.ssrc);
        }
        p.updateScores();
      }
      if (blocks.length > 0) {
        const rr = buildRr(this.feedbackSsrc, blocks);
        const remb = buildRemb(this.feedbackSsrc, this.maxIncomingBitrate || DEFAULT_REMB_BPS, ssrcs);
        this.sendRtcp(Buffer.concat([rr, remb]));
      }
    }
    for (const c of this.consumers.values()) {
      c.emitScore();
      c.sendRate.update(c.bytesSent, now);
    }
    this.sampleRates(now);
    this.distributeBitrate(now);
  }

  private sampleRates(now: number): void {
    const r = this.rates;
    r.recv.update(this.rtpBytesReceived + this.rtcpBytesReceived, now);
    r.send.update(this.rtpBytesSent + this.rtcpBytesSent, now);
    r.rtpRecv.update(this.rtpBytesReceived - this.rtxBytesReceived, now);
    r.rtpSend.update(this.rtpBytesSent - this.rtxBytesSent, now);
    r.rtxRecv.update(this.rtxBytesReceived, now);
    r.rtxSend.update(this.rtxBytesSent, now);
  }

  /**
   * Shares the send-side estimate among this transport's simulcast and SVC consumers (what the others
   * send is taken off first), which pick their layers from it.
   */
  protected distributeBitrate(nowMs: number): void {
    // Until the path showed congestion once, the estimate is a guess: it limits nothing.
    if (!this.estimator || this.estimator.decreases === 0) return;
    const estimate = this.estimator.estimate;
    let fixed = 0;
    let layered = 0;
    for (const c of this.consumers.values()) {
      if (!c.active) continue;
      if (c.simulcast || c.svc) layered++;
      else fixed += c.producer.bitrate;
    }
    if (layered === 0) return;
    const share = Math.max(0, estimate - fixed) / layered;
    for (const c of this.consumers.values()) if ((c.simulcast || c.svc) && c.active) c.setAvailableBitrate(share, nowMs);
  }

  /** Notifies consumers that media can now flow. */
  protected onMediaReady(): void {
    for (const c of this.consumers.values()) {
      try {
        c.onSinkReady();
      } catch (e) {
        this.drop('internalErrors', 'rtp', 'rtp.consumerStartFailed', e);
      }
    }
  }

  /** Transport stats common to both kinds. */
  baseStats(): Record<string, unknown> {
    return {
      transportId: this.id,
      timestamp: Date.now(),
      // mediasoup's transport stats (all RTP and RTCP bytes; RTP alone; RTX alone), bitrates over
      // the last second. No probation packets are sent.
      bytesReceived: this.rtpBytesReceived + this.rtcpBytesReceived,
      recvBitrate: this.rates.recv.bps,
      bytesSent: this.rtpBytesSent + this.rtcpBytesSent,
      sendBitrate: this.rates.send.bps,
      rtpBytesReceived: this.rtpBytesReceived - this.rtxBytesReceived,
      rtpRecvBitrate: this.rates.rtpRecv.bps,
      rtpBytesSent: this.rtpBytesSent - this.rtxBytesSent,
      rtpSendBitrate: this.rates.rtpSend.bps,
      rtxBytesReceived: this.rtxBytesReceived,
      rtxRecvBitrate: this.rates.rtxRecv.bps,
      rtxBytesSent: this.rtxBytesSent,
      rtxSendBitrate: this.rates.rtxSend.bps,
      probationBytesSent: 0,
      probationSendBitrate: 0,
      // Alcove additions: packet counts.
      rtpPacketsReceived: this.rtpPacketsReceived,
      rtpPacketsSent: this.rtpPacketsSent,
      rtcpPacketsReceived: this.rtcpPacketsReceived,
      rtcpPacketsSent: this.rtcpPacketsSent,
      rtpPacketsFaultDropped: this.rtpPacketsFaultDropped,
      maxIncomingBitrate: this.maxIncomingBitrate || undefined,
      // Alcove additions: transport-wide congestion control towards the remote sender.
      transportCcPacketsRecorded: this.twcc?.packetsRecorded ?? 0,
      transportCcFeedbackSent: this.transportCcFeedbackSent,
      availableOutgoingBitrate: this.estimator ? Math.round(this.estimator.estimate) : undefined,
      // Alcove addition: packets dropped and errors swallowed on this transport, by reason.
      drops: { ...this.transportDrops },
      droppedTotal: totalDrops(this.transportDrops),
    };
  }

  /** Stops timers; producers/consumers are closed by the engine. */
  close(): void {
    this.closed = true;
    if (this.rtcpTimer) clearInterval(this.rtcpTimer);
    this.rtcpTimer = undefined;
    if (this.twccTimer) clearInterval(this.twccTimer);
    this.twccTimer = undefined;
  }
}
