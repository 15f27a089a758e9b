/**
 * Engine-side producer: maps incoming packets onto the router's payload types, SSRCs and header
 * extension ids, keeps receive statistics, relays keyframe requests (one outstanding, retried),
 * and fans packets out to its consumers.
 * @internal
 */
import type { WorkerLogTag } from '../common/logger.js';
import type { MediaKind, RtpMapping, RtpParameters } from '../types/index.js';
import type { DropReason, EmitFn } from './context.js';
import { E2eeTrailerCheck, type E2eeTrailerCheckOptions, e2eeTrailerCodecOf } from './e2ee-trailer.js';
import { KEYFRAME_CACHE_MAX_AGE_MS, KeyFrameCache, type KeyFrameDetector, keyFrameDetectorFor } from './keyframe.js';
import { RecvStream } from './recv-stream.js';
import { Vp8Descriptor, parseVp8PayloadDescriptor } from '../rtp/vp8.js';
import { vp8TemporalLayersOf } from './vp8-temporal.js';
import { AUDIO_LEVEL_URI, type AudioLevelSink } from './rtp-observer.js';
import { buildFir, buildNackList, buildPli } from './rtcp.js';
import { NackGenerator, NackPacketResult } from './nack-generator.js';
import {
  RtpHeaderView,
  findHeaderExtension,
  parseRtpHeader,
  readHeaderExtensionString,
  remapHeaderExtensions,
  setRtpPayloadType,
  setRtpSequenceNumber,
  setRtpSsrc,
} from '../rtp/rtp-header.js';

/** What a producer needs from the transport it belongs to. */
export interface ProducerHost {
  readonly id: string;
  /** Sends RTCP towards the remote sender. */
  sendRtcp(buf: Buffer): void;
  /** Whether RTCP can be sent now. */
  readonly mediaReady: boolean;
  /** SSRC used as sender SSRC of feedback. */
  readonly feedbackSsrc: number;
  /** Counts and logs a swallowed error (see `EngineTransport.drop`). */
  drop(reason: DropReason, tag: WorkerLogTag, event: string, error?: unknown): void;
}

/** A consumer as seen by its producer. */
export interface ProducerListener {
  /**
   * Forwards one packet of encoding (spatial layer) `layer`: `buf[0..h.packetLength)`, already
   * mapped to the router's payload type, SSRC and header-extension ids, parsed into `h`. Neither
   * may be written; `buf` may be kept (it is never written again), `h` not (it is reused).
   * `nowMs`: when the packet arrived.
   */
  sendRtp(buf: Buffer, h: RtpHeaderView, isKeyFrame: boolean, layer: number, nowMs: number): void;
  onProducerSr(ntpSec: number, ntpFrac: number, rtpTs: number, layer: number): void;
}

const RID_URI = 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id';
const RRID_URI = 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id';

/** Minimum gap between keyframe requests towards the sender (libwebrtc ignores closer ones). */
export const KEYFRAME_MIN_GAP_MS = 300;
/** Retry delay of an unanswered keyframe request. */
export const KEYFRAME_RETRY_MS = 400;
/**
 * A request deferred by {@link KEYFRAME_MIN_GAP_MS} goes out this much later than the gap: the
 * sender measures its own 300 ms from when the previous request arrived, so a request sent exactly
 * at the gap may land inside it, be ignored, and cost a {@link KEYFRAME_RETRY_MS} retry.
 */
export const KEYFRAME_GAP_MARGIN_MS = 40;

/** Empty report intervals (about 1 s each) after which a video stream is inactive (score 0). */
export const INACTIVE_VIDEO_INTERVALS = 2;
/** Empty report intervals after which an audio stream is inactive (it may pause in silence: DTX). */
export const INACTIVE_AUDIO_INTERVALS = 5;

/** How often the missing-packet lists are checked for requests to repeat (ms). */
export const NACK_TIMER_MS = 20;
/** Wait before a missing packet is requested again, when the round-trip time is unknown (ms). */
export const NACK_RETRY_MS = 100;

/** Creation data for {@link EngineProducer}. */
export interface EngineProducerOptions {
  id: string;
  kind: MediaKind;
  rtpParameters: RtpParameters;
  consumableRtpParameters: RtpParameters;
  rtpMapping: RtpMapping;
  paused: boolean;
  keyFrameRequestDelay?: number;
  /**
   * Keep the last key frame and the packets since (see {@link KEYFRAME_CACHE_MAX_PACKETS}) for a
   * consumer that starts: a browser sender ignores a second key frame request within 300 ms, so a
   * newcomer who arrives just after another viewer's request would otherwise wait for it.
   */
  keyFrameCache?: boolean;
  /** Check the E2EE trailer of every frame (see e2ee-trailer.ts); undefined: no check. */
  e2eeTrailerCheck?: E2eeTrailerCheckOptions;
}

/** The engine-side producer. */
export class EngineProducer {
  readonly id: string;
  readonly kind: MediaKind;
  readonly rtpParameters: RtpParameters;
  readonly consumableRtpParameters: RtpParameters;
  readonly host: ProducerHost;
  readonly streams: RecvStream[] = [];
  /** Streams by encoding index (simulcast spatial layer); undefined until its SSRC is known. */
  readonly layerStreams: (RecvStream | undefined)[];
  /** Number of encodings (simulcast layers). */
  readonly encodingCount: number;
  private readonly mapping: RtpMapping;
  private readonly ridExtId: number;
  private readonly rridExtId: number;
  readonly listeners = new Set<ProducerListener>();
  paused: boolean;
  closed = false;
  readonly mid: string | undefined;
  /** Producer PT → router PT; -1 when unknown. */
  private readonly ptMap = new Int16Array(128).fill(-1);
  /** Producer header-extension id → router id (0 = drop). */
  private readonly extMap = new Uint8Array(256);
  private readonly rtxPts = new Uint8Array(128);
  /** RTX PT → the PT of the codec it repairs (`apt`); -1 when not an RTX PT. */
  private readonly rtxApt = new Int16Array(128).fill(-1);
  /** Whether the sender accepts generic NACK (and the engine asks for lost packets). */
  private readonly useNack: boolean;
  private nackTimer: NodeJS.Timeout | undefined;
  private readonly detectKey: KeyFrameDetector | undefined;
  /** Clock rate of the media codec. */
  private readonly clockRate: number;
  /** Header view of the cached packets being replayed. */
  private readonly replayView = new RtpHeaderView();
  private readonly useFir: boolean;
  private firSeq = 0;
  private keyFrameOutstanding = false;
  private lastKeyFrameRequestAt = -Infinity;
  private keyFrameTimer: NodeJS.Timeout | undefined;
  private keyFrameRetries = 0;
  /** The last key frame (mapped, as forwarded) and every packet since; undefined when not kept. */
  private readonly gop: KeyFrameCache | undefined;
  /** When the cached key frame arrived (ms). */
  private gopAt = Number.NEGATIVE_INFINITY;
  /** Key frames replayed to starting consumers from the cache. */
  keyFramesReplayed = 0;
  private readonly emit: EmitFn;
  private lastScores = '';
  keyFramesReceived = 0;
  packetsDropped = 0;
  keyFrameRequestsSent = 0;
  /** Packets that arrived twice (original and retransmission), dropped. */
  packetsDuplicated = 0;
  /** AudioLevelObserver / ActiveSpeakerObserver instances observing this producer. */
  readonly levelSinks = new Set<AudioLevelSink>();
  /** The sender's id of the `ssrc-audio-level` header extension (0: not negotiated). */
  private readonly audioLevelExtId: number;
  /** The E2EE trailer check, when the producer's session requires E2EE. */
  readonly e2ee: E2eeTrailerCheck | undefined;
  /**
   * Temporal layers of each encoding (VP8 `L1T<n>`; 1 otherwise). With more than one, the bytes
   * of each temporal layer are counted per stream, for `bitrateByLayer` and for consumers that
   * lower their frame rate to fit their bandwidth.
   */
  readonly temporalLayers: number;
  /** The descriptor of the packet being counted (reused). */
  private readonly temporalDesc: Vp8Descriptor | undefined;

  constructor(host: ProducerHost, o: EngineProducerOptions, emit: EmitFn) {
    this.id = o.id;
    this.kind = o.kind;
    this.rtpParameters = o.rtpParameters;
    this.consumableRtpParameters = o.consumableRtpParameters;
    this.host = host;
    this.paused = o.paused;
    this.audioLevelExtId = o.rtpParameters.headerExtensions?.find((e) => e.uri === AUDIO_LEVEL_URI)?.id ?? 0;
    this.emit = emit;
    this.mid = o.rtpParameters.mid;
    this.mapping = o.rtpMapping;
    this.encodingCount = Math.max(1, o.rtpMapping.encodings.length);
    this.layerStreams = new Array<RecvStream | undefined>(this.encodingCount).fill(undefined);
    const extId = (uri: string): number => o.rtpParameters.headerExtensions?.find((e) => e.uri === uri)?.id ?? 0;
    this.ridExtId = extId(RID_URI);
    this.rridExtId = extId(RRID_URI);
    for (const c of o.rtpMapping.codecs) if (c.payloadType < 128) this.ptMap[c.payloadType] = c.mappedPayloadType;
    for (const c of o.rtpParameters.codecs) {
      if (/\/rtx$/i.test(c.mimeType) && c.payloadType < 128) {
        this.rtxPts[c.payloadType] = 1;
        const apt = Number(c.parameters?.apt);
        if (Number.isInteger(apt) && apt >= 0 && apt < 128) this.rtxApt[c.payloadType] = apt;
      }
    }
    const routerIds = new Map<string, number>();
    for (const e of o.consumableRtpParameters.headerExtensions ?? []) routerIds.set(e.uri, e.id);
    for (const e of o.rtpParameters.headerExtensions ?? []) {
      const id = routerIds.get(e.uri);
      if (id !== undefined && e.id > 0 && e.id < 256) this.extMap[e.id] = id;
    }
    const media = o.rtpParameters.codecs.find((c) => !/\/(rtx|red|ulpfec|flexfec)$/i.test(c.mimeType));
    this.detectKey = media ? keyFrameDetectorFor(media.mimeType) : undefined;
    this.gop = o.keyFrameCache && this.kind === 'video' && this.detectKey && this.encodingCount === 1 ? new KeyFrameCache() : undefined;
    const e2eeCodec = media && o.e2eeTrailerCheck ? e2eeTrailerCodecOf(media.mimeType) : undefined;
    if (o.e2eeTrailerCheck && !e2eeCodec) throw new TypeError(`the E2EE trailer check does not support ${media?.mimeType ?? 'this codec'}`);
    this.e2ee = e2eeCodec && o.e2eeTrailerCheck ? new E2eeTrailerCheck(e2eeCodec, o.e2eeTrailerCheck) : undefined;
    const fb = media?.rtcpFeedback ?? [];
    this.useFir = !fb.some((f) => f.type === 'nack' && f.parameter === 'pli') && fb.some((f) => f.type === 'ccm' && f.parameter === 'fir');
    // Generic NACK (RFC 4585): `nack` without a parameter; `nack pli` is the keyframe request.
    this.useNack = fb.some((f) => f.type === 'nack' && !f.parameter);
    this.clockRate = media?.clockRate ?? 90000;
    this.temporalLayers = this.kind === 'video' ? vp8TemporalLayersOf(o.rtpParameters) : 1;
    this.temporalDesc = this.temporalLayers > 1 ? new Vp8Descriptor() : undefined;
    const encodings = o.rtpParameters.encodings ?? [];
    o.rtpMapping.encodings.forEach((m, i) => {
      if (m.ssrc !== undefined) this.addStream(m.ssrc, m.mappedSsrc, i, m.rid).rtxSsrc = encodings[i]?.rtx?.ssrc;
    });
  }

  /** Creates the stream of encoding `layer` (the one place streams are made). */
  private addStream(ssrc: number, mappedSsrc: number, layer: number, rid: string | undefined): RecvStream {
    const s = new RecvStream(ssrc, mappedSsrc, this.clockRate);
    s.layer = layer;
    s.rid = rid;
    if (this.useNack) s.nack = new NackGenerator();
    this.streams.push(s);
    this.layerStreams[layer] = s;
    return s;
  }

  /** SSRCs this producer receives on (media and RTX). */
  get ssrcs(): { media: number[]; rtx: number[] } {
    return {
      media: this.streams.map((s) => s.ssrc),
      rtx: this.streams.flatMap((s) => (s.rtxSsrc === undefined ? [] : [s.rtxSsrc])),
    };
  }

  /** The header-extension id the remote uses for MID, if negotiated. */
  get midExtensionId(): number | undefined {
    return this.rtpParameters.headerExtensions?.find((e) => e.uri === 'urn:ietf:params:rtp-hdrext:sdes:mid')?.id;
  }

  /** Finds the stream by media SSRC. */
  streamBySsrc(ssrc: number): RecvStream | undefined {
    for (const s of this.streams) if (s.ssrc === ssrc) return s;
    return undefined;
  }

  /**
   * Learns the stream of an SSRC seen with this producer's MID (encodings without SSRC): by its
   * RID header extension (simulcast), as the RTX of a layer by its repaired RID, or as the single
   * stream of a one-encoding producer. Allocates (a string): only for the first packets of an SSRC.
   */
  learnSsrc(ssrc: number, buf: Uint8Array, h: RtpHeaderView): { stream: RecvStream; rtx: boolean } | undefined {
    const rid = this.ridExtId ? readHeaderExtensionString(buf, h, this.ridExtId) : undefined;
    const rrid = rid === undefined && this.rridExtId ? readHeaderExtensionString(buf, h, this.rridExtId) : undefined;
    if (rid !== undefined || rrid !== undefined) {
      const i = this.mapping.encodings.findIndex((m) => m.rid === (rid ?? rrid));
      if (i < 0) return undefined;
      const existing = this.layerStreams[i];
      if (rrid !== undefined) {
        if (!existing || (existing.rtxSsrc !== undefined && existing.rtxSsrc !== ssrc)) return undefined;
        existing.rtxSsrc = ssrc;
        return { stream: existing, rtx: true };
      }
      if (existing) return existing.ssrc === ssrc ? { stream: existing, rtx: false } : undefined;
      return { stream: this.addStream(ssrc, this.mapping.encodings[i]!.mappedSsrc, i, rid), rtx: false };
    }
    if (this.streams.length > 0 || this.encodingCount > 1) return undefined;
    return { stream: this.addStream(ssrc, ssrc, 0, undefined), rtx: false };
  }

  /**
   * Handles an RTX packet (RFC 4588) of `stream`: restores the original sequence number, payload
   * type and SSRC in place (the payload moves back over the original sequence number) and takes it
   * as a media packet. Padding-only RTX (bandwidth probes) is dropped.
   */
  receiveRtx(buf: Buffer, h: RtpHeaderView, stream: RecvStream, nowMs: number): void {
    stream.packetsRetransmittedRx++;
    const apt = h.payloadType < 128 ? this.rtxApt[h.payloadType]! : -1;
    const po = h.payloadOffset;
    if (apt < 0 || h.payloadLength <= 2) return;
    const osn = (buf[po]! << 8) | buf[po + 1]!;
    buf.copyWithin(po, po + 2, h.packetLength);
    h.packetLength -= 2;
    h.payloadLength -= 2;
    setRtpSequenceNumber(buf, osn);
    h.sequenceNumber = osn;
    setRtpPayloadType(buf, apt);
    h.payloadType = apt;
    setRtpSsrc(buf, stream.ssrc);
    h.ssrc = stream.ssrc;
    this.receiveRtp(buf, h, stream, nowMs);
  }

  /**
   * Handles one incoming media packet of `stream` (`buf[0..h.packetLength)`, parsed into `h`):
   * maps payload type, SSRC and header-extension ids in place and hands it to the consumers.
   */
  receiveRtp(buf: Buffer, h: RtpHeaderView, stream: RecvStream, nowMs: number): void {
    const pt = h.payloadType;
    if (this.rtxPts[pt]) {
      // RTX on the media SSRC's stream (an SSRC learned from MID): decapsulate it.
      if (h.ssrc === stream.ssrc && this.rtxApt[pt]! >= 0 && this.rtxApt[pt] !== pt) this.receiveRtx(buf, h, stream, nowMs);
      else stream.packetsRetransmittedRx++;
      return;
    }
    const length = h.payloadLength;
    const nack = stream.nack;
    if (nack) {
      const r = nack.onPacket(h.sequenceNumber, nowMs);
      if (r === NackPacketResult.Reset) this.requestKeyFrame(nowMs);
      else if (r === NackPacketResult.Old) {
        // A duplicate (the original and its retransmission both arrived): forward it once only.
        if (length > 0) this.packetsDuplicated++;
        return;
      }
      if (nack.added > 0) this.sendNacks(nowMs);
    }
    stream.onPacket(h.sequenceNumber, h.timestamp, length, nowMs);
    const mapped = this.ptMap[pt]!;
    if (mapped < 0) {
      this.packetsDropped++;
      return;
    }
    if (length === 0) return; // padding-only (probing)
    const po = h.payloadOffset;
    if (this.e2ee && !this.checkE2ee(buf, po, length, h.marker)) return;
    if (this.levelSinks.size > 0 && !this.paused) this.reportAudioLevel(buf, h);
    const td = this.temporalDesc;
    if (td) {
      // Bytes per temporal layer (a descriptor that cannot be read counts in the base layer).
      const tid = parseVp8PayloadDescriptor(buf, po, length, td) && td.hasTid ? Math.min(td.tid, this.temporalLayers - 1) : 0;
      stream.temporalBytes[tid]! += length;
    }
    if (h.extension && !remapHeaderExtensions(buf, h, this.extMap)) {
      this.packetsDropped++;
      this.host.drop('rtpMalformed', 'rtp', 'rtp.malformedExtensions');
      return;
    }
    setRtpPayloadType(buf, mapped);
    h.payloadType = mapped;
    setRtpSsrc(buf, stream.mappedSsrc);
    h.ssrc = stream.mappedSsrc;
    let isKey = false;
    if (this.detectKey?.(buf, po, length)) {
      isKey = true;
      this.keyFramesReceived++;
      this.onKeyFrame();
    }
    if (this.gop?.add(buf, h.packetLength, h.timestamp, isKey)) this.gopAt = nowMs;
    if (this.paused) return;
    const layer = stream.layer;
    for (const l of this.listeners) l.sendRtp(buf, h, isKey, layer, nowMs);
  }

  /** Runs the E2EE trailer check; on the first failure emits `e2eetrailermissing` once. False: drop the packet. */
  private checkE2ee(buf: Uint8Array, offset: number, length: number, marker: boolean): boolean {
    const c = this.e2ee!;
    const failedBefore = c.failure !== undefined;
    if (c.onPacket(buf, marker || this.kind === 'audio', offset, length)) return true;
    this.packetsDropped++;
    if (!failedBefore) this.emit(this.id, 'e2eetrailermissing', { reason: c.failure, framesPassed: c.passed });
    return false;
  }

  /** Hands the packet's audio level (RFC 6464, before the extension ids are remapped) to the observers. */
  private reportAudioLevel(buf: Uint8Array, h: RtpHeaderView): void {
    const id = this.audioLevelExtId;
    if (id === 0) return;
    const at = findHeaderExtension(buf, h, id);
    if (at < 0 || h.foundLength < 1) return;
    const b = buf[at]!;
    for (const sink of this.levelSinks) sink.onAudioLevel(this, b & 0x7f, (b & 0x80) !== 0);
  }

  /** Sends NACKs for the packets each stream should request now; re-arms the retry timer. */
  private sendNacks(nowMs: number): void {
    let pending = false;
    for (const s of this.streams) {
      const g = s.nack;
      if (!g || g.size === 0) continue;
      const n = g.collect(nowMs, NACK_RETRY_MS);
      if (n > 0 && this.host.mediaReady) {
        this.host.sendRtcp(buildNackList(this.host.feedbackSsrc, s.ssrc, g.out.subarray(0, n)));
        s.nackCount++;
        s.nackPacketCount += n;
      }
      if (g.size > 0) pending = true;
    }
    if (pending && !this.nackTimer && !this.closed) {
      this.nackTimer = setTimeout(() => {
        this.nackTimer = undefined;
        try {
          this.sendNacks(performance.now());
        } catch (e) {
          this.host.drop('internalErrors', 'rtcp', 'rtcp.nackTimerFailed', e);
        }
      }, NACK_TIMER_MS);
      this.nackTimer.unref?.();
    }
  }

  /** Handles an SR from the sender for one of this producer's streams. */
  receiveSr(stream: RecvStream, ntpSec: number, ntpFrac: number, rtpTs: number, nowMs: number): void {
    stream.onSr(ntpSec, ntpFrac, nowMs);
    if (this.paused) return;
    for (const l of this.listeners) l.onProducerSr(ntpSec, ntpFrac, rtpTs, stream.layer);
  }

  /**
   * Asks the sender for a keyframe: at most one outstanding request, never two closer than
   * {@link KEYFRAME_MIN_GAP_MS}, retried after {@link KEYFRAME_RETRY_MS} until one arrives.
   */
  requestKeyFrame(nowMs: number): void {
    if (this.closed || this.kind !== 'video') return;
    if (this.keyFrameOutstanding) return;
    if (nowMs - this.lastKeyFrameRequestAt < KEYFRAME_MIN_GAP_MS) {
      this.keyFrameOutstanding = true;
      this.armRetry(KEYFRAME_MIN_GAP_MS + KEYFRAME_GAP_MARGIN_MS - (nowMs - this.lastKeyFrameRequestAt));
      return;
    }
    this.keyFrameOutstanding = true;
    this.keyFrameRetries = 0;
    this.sendKeyFrameRequest(nowMs);
  }

  /**
   * Starts `listener` (a consumer starting to forward) at once from the cached key frame and the
   * packets since, when the producer keeps one that is at most {@link KEYFRAME_CACHE_MAX_AGE_MS} old
   * and arrived at or after `notBefore` (the consumer's creation: an E2EE sender ratchets its key
   * when a participant is admitted, so only a key frame sent after the newcomer's consumer existed
   * is one the newcomer can decrypt).
   * @returns whether it did (otherwise the caller requests a key frame).
   */
  replayKeyFrame(listener: ProducerListener, nowMs: number, notBefore: number): boolean {
    const gop = this.gop;
    if (!gop || gop.count === 0 || this.closed || this.paused || this.gopAt < notBefore || nowMs - this.gopAt > KEYFRAME_CACHE_MAX_AGE_MS)
      return false;
    const h = this.replayView;
    for (let i = 0; i < gop.count; i++) {
      const buf = gop.buffer(i);
      if (parseRtpHeader(buf, h, gop.length(i))) listener.sendRtp(buf, h, i === 0, 0, nowMs);
    }
    this.keyFramesReplayed++;
    return true;
  }

  private sendKeyFrameRequest(nowMs: number): void {
    this.lastKeyFrameRequestAt = nowMs;
    if (this.host.mediaReady) {
      for (const s of this.streams) {
        const buf = this.useFir ? buildFir(this.host.feedbackSsrc, s.ssrc, this.firSeq++) : buildPli(this.host.feedbackSsrc, s.ssrc);
        this.host.sendRtcp(buf);
        this.keyFrameRequestsSent++;
      }
    }
    this.armRetry(KEYFRAME_RETRY_MS);
  }

  private armRetry(ms: number): void {
    if (this.keyFrameTimer) clearTimeout(this.keyFrameTimer);
    this.keyFrameTimer = setTimeout(() => {
      this.keyFrameTimer = undefined;
      try {
        if (!this.keyFrameOutstanding || this.closed) return;
        if (++this.keyFrameRetries > 10) {
          this.keyFrameOutstanding = false;
          return;
        }
        this.sendKeyFrameRequest(performance.now());
      } catch (e) {
        // Never let a timer throw; the next keyframe request starts over.
        this.host.drop('internalErrors', 'rtcp', 'rtcp.keyFrameRetryFailed', e);
      }
    }, ms);
    this.keyFrameTimer.unref?.();
  }

  private onKeyFrame(): void {
    this.keyFrameOutstanding = false;
    if (this.keyFrameTimer) {
      clearTimeout(this.keyFrameTimer);
      this.keyFrameTimer = undefined;
    }
  }

  /** Sum of the streams' bitrates, bit/s. */
  get bitrate(): number {
    let b = 0;
    for (const s of this.streams) b += s.bitrate;
    return b;
  }

  /**
   * Emits `score` when any stream's score changed; updates the streams' bitrates. As mediasoup, an
   * encoding that stopped arriving (a simulcast layer the sender dropped) scores 0 — after
   * {@link INACTIVE_VIDEO_INTERVALS} / {@link INACTIVE_AUDIO_INTERVALS} empty report intervals,
   * unless the producer is paused — until its packets come back.
   */
  updateScores(): void {
    const now = performance.now();
    const inactiveAfter = this.kind === 'audio' ? INACTIVE_AUDIO_INTERVALS : INACTIVE_VIDEO_INTERVALS;
    for (const s of this.streams) {
      s.updateBitrate(now);
      if (!this.paused && s.idleIntervals >= inactiveAfter) s.score = 0;
    }
    const scores = this.scores();
    const key = scores.map((s) => s.score).join(',');
    if (key !== this.lastScores) {
      this.lastScores = key;
      this.emit(this.id, 'score', scores);
    }
  }

  /** Per-encoding scores, mediasoup's `ProducerScore[]`: in encoding order, the streams that have received RTP. */
  scores(): { encodingIdx: number; ssrc: number; rid?: string; score: number }[] {
    return this.layerStreams
      .filter((s): s is RecvStream => s !== undefined && s.packetsReceived > 0)
      .map((s) => ({
        encodingIdx: s.layer,
        ssrc: s.ssrc,
        ...(s.rid !== undefined ? { rid: s.rid } : {}),
        score: s.score,
      }));
  }

  /**
   * mediasoup's `bitrateByLayer` of one stream with temporal layers: `"0.<temporal>"` (the stream's
   * one spatial layer, as a simulcast encoding has) → bit/s of that temporal layer and those below
   * it, what a consumer of it receives; `{}` for a stream without layers.
   */
  private bitrateByLayer(s: RecvStream): Record<string, number> {
    if (this.temporalLayers <= 1) return {};
    const out: Record<string, number> = {};
    for (let t = 0; t < this.temporalLayers; t++) out[`0.${t}`] = Math.round(s.temporalLayerBitrate(t));
    return out;
  }

  /** mediasoup-like `inbound-rtp` stats. */
  getStats(): Record<string, unknown>[] {
    const media = this.rtpParameters.codecs[0];
    // As mediasoup: a stream has stats once it has received RTP (none before).
    return this.streams
      .filter((s) => s.packetsReceived > 0)
      .map((s) => ({
        type: 'inbound-rtp',
        timestamp: Date.now(),
        ssrc: s.ssrc,
        rtxSsrc: s.rtxSsrc,
        ...(s.rid !== undefined ? { rid: s.rid } : {}),
        kind: this.kind,
        mimeType: media?.mimeType,
        packetCount: s.packetsReceived,
        byteCount: s.bytesReceived,
        bitrate: Math.round(s.bitrate),
        bitrateByLayer: this.bitrateByLayer(s),
        packetsLost: s.packetsLost,
        fractionLost: s.fractionLost,
        packetsDiscarded: this.packetsDropped,
        packetsRetransmitted: s.packetsRetransmittedRx,
        packetsRepaired: s.nack?.recovered ?? 0,
        nackCount: s.nackCount,
        nackPacketCount: s.nackPacketCount,
        packetsDuplicated: this.packetsDuplicated,
        jitter: s.jitterUnits,
        score: s.score,
        keyFramesReceived: this.keyFramesReceived,
        keyFrameRequestsSent: this.keyFrameRequestsSent,
        pliCount: this.useFir ? 0 : this.keyFrameRequestsSent,
        firCount: this.useFir ? this.keyFrameRequestsSent : 0,
      }));
  }

  /** Stops timers. */
  close(): void {
    this.closed = true;
    if (this.keyFrameTimer) clearTimeout(this.keyFrameTimer);
    if (this.nackTimer) clearTimeout(this.nackTimer);
    this.listeners.clear();
    this.gop?.clear();
  }
}
