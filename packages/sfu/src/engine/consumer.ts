/**
 * Engine-side consumer: rewrites SSRC, payload type, sequence number, timestamp and header
 * extensions of each forwarded packet for its receiver, keeps seq/ts continuous across
 * pause/resume, drops video deltas until a keyframe after (re)start, answers NACKs from a
 * retransmission ring (RTX when negotiated), throttles keyframe requests and rewrites SRs.
 * @internal
 */
import type { MediaKind, RtpParameters } from '../types/index.js';
import type { EmitFn, RtpSink } from './context.js';
import type { EngineProducer, ProducerListener } from './producer.js';
import { RateMeter } from './rate-meter.js';
import { buildSr } from './rtcp.js';
import { scoreFromFraction } from './recv-stream.js';
import { TRANSPORT_CC_URI } from '../rtp/transport-cc.js';
import { RtpHeaderRewrite, RtpHeaderView, parseRtpHeader, writeRewrittenRtpHeader } from '../rtp/rtp-header.js';
import { Vp8Descriptor, parseVp8PayloadDescriptor } from '../rtp/vp8.js';
import { SVC_DROP, SVC_FORWARD_MARKER, SvcLayerSelector, SvcSeqMapper, svcLayersOf } from './svc-layers.js';
import { Vp8TemporalSelector, vp8TemporalLayersOf } from './vp8-temporal.js';

const RING = 1024;
const MASK = RING - 1;
/** Wait before a simulcast consumer goes up a layer after the bandwidth made it go down (ms). */
export const BWE_UP_HOLD_MS = 4000;
/**
 * A consumer relays at most one receiver keyframe request per this many ms (PLI storms; the
 * producer also keeps one request outstanding and ≥ 300 ms apart). Not longer: an E2EE receiver
 * asks again as soon as it holds a newly switched key, often well within a second of its first
 * request, and holding that back kept a newcomer's picture waiting.
 */
export const CONSUMER_KEYFRAME_RELAY_GAP_MS = 300;

/** Creation data for {@link EngineConsumer}. */
export interface EngineConsumerOptions {
  id: string;
  kind: MediaKind;
  rtpParameters: RtpParameters;
  paused: boolean;
  /** Preferred layers of a simulcast consumer (default: the highest). */
  preferredLayers?: { spatialLayer: number; temporalLayer?: number } | undefined;
}

/** Spatial and temporal layer of a simulcast consumer (mediasoup's `ConsumerLayers`). */
export interface EngineConsumerLayers {
  spatialLayer: number;
  temporalLayer: number;
}

/** The engine-side consumer. */
export class EngineConsumer implements ProducerListener {
  readonly id: string;
  readonly kind: MediaKind;
  readonly producer: EngineProducer;
  readonly sink: RtpSink;
  readonly rtpParameters: RtpParameters;
  readonly ssrc: number;
  readonly rtxSsrc: number | undefined;
  private readonly rtxPt: number;
  private readonly ptMap = new Int16Array(128).fill(-1);
  /**
   * The header this consumer writes: router → consumer extension ids, its MID, the transport-wide
   * sequence number element (when the receiver has it); refilled per packet.
   */
  private readonly rw = new RtpHeaderRewrite();
  /** Header view of a packet retransmitted from the ring. */
  private readonly nackView = new RtpHeaderView();
  private readonly clockRate: number;
  paused: boolean;
  producerPaused: boolean;
  closed = false;
  private syncRequired = true;
  private started = false;
  private seqOffset = 0;
  private tsOffset = 0;
  private lastSeq = 0;
  private lastTs = 0;
  private lastSentAt = 0;
  private rtxSeq = Math.floor(Math.random() * 0xffff);
  /** Forwarded packets by output sequence number: the producer's (mapped) packet buffer and length. */
  private readonly ringBuf: (Buffer | undefined)[] = new Array<Buffer | undefined>(RING).fill(undefined);
  private readonly ringLen = new Uint16Array(RING);
  private readonly ringSeq = new Int32Array(RING).fill(-1);
  private readonly ringTs = new Uint32Array(RING);
  /** Rewritten VP8 picture id (-1: none) and TL0PICIDX (-1: none) of each ring slot (simulcast). */
  private readonly ringPic = new Int32Array(RING).fill(-1);
  private readonly ringTl0 = new Int16Array(RING).fill(-1);
  /** Whether this consumer picks one of several producer encodings (simulcast). */
  readonly simulcast: boolean;
  /** Layer selection of an SVC consumer (one VP9 stream with several layers; see svc-layers.ts). */
  readonly svc: SvcLayerSelector | undefined;
  private readonly svcSeq: SvcSeqMapper | undefined;
  /** RTP marker forced on each ring slot (SVC: the last forwarded spatial layer ends the picture). */
  private readonly ringMark: Uint8Array | undefined;
  private readonly vp8: boolean;
  private readonly temporalLayers: number;
  /** Layer switched to: the preferred one, lowered to what the bandwidth allows. */
  private targetSpatial = 0;
  private preferredSpatial = 0;
  private preferredTemporal = 0;
  /** Highest layer the transport's estimate allows (bandwidth-driven selection). */
  private bweSpatial = Number.POSITIVE_INFINITY;
  /**
   * Highest temporal layer the estimate allows (VP8 simulcast): below the top only when even the
   * lowest spatial layer does not fit, so a weak link gets fewer frames rather than a congested one.
   */
  private bweTemporal = Number.POSITIVE_INFINITY;
  private lastBweDownAt = -Infinity;
  private lastBweUpAt = -Infinity;
  /** Wait before going up again after going down; doubled when an attempt up fails quickly. */
  private upHoldMs = BWE_UP_HOLD_MS;
  /** Spatial layer being forwarded; -1 before the first keyframe. */
  currentSpatial = -1;
  /**
   * VP8 simulcast: temporal layers, and one continuous picture id / TL0PICIDX / sequence across
   * dropped frames and layer switches (see vp8-temporal.ts).
   */
  readonly vp8Temporal: Vp8TemporalSelector | undefined;
  /** The descriptor {@link write} rewrites (the selector's, parsed from the packet being sent). */
  private readonly desc: Vp8Descriptor;
  layerSwitches = 0;
  private lastRelayAt = -Infinity;
  /** When this consumer was created (ms): only a key frame from then on is replayed to it. */
  private readonly createdAt = performance.now();
  private readonly emit: EmitFn;
  private lastScoreKey = '';
  packetsSent = 0;
  bytesSent = 0;
  /** `bitrate` of the stats, sampled by the transport every second. */
  readonly sendRate = new RateMeter();
  nackCount = 0;
  nackPacketCount = 0;
  packetsRetransmitted = 0;
  pliCount = 0;
  firCount = 0;
  keyFramesForwarded = 0;
  packetsDiscarded = 0;
  fractionLost = 0;
  packetsLost = 0;
  roundTripTime = 0;
  score = 10;

  constructor(producer: EngineProducer, sink: RtpSink, o: EngineConsumerOptions, emit: EmitFn) {
    this.id = o.id;
    this.kind = o.kind;
    this.producer = producer;
    this.sink = sink;
    this.rtpParameters = o.rtpParameters;
    this.paused = o.paused;
    this.producerPaused = producer.paused;
    this.emit = emit;
    const enc = o.rtpParameters.encodings?.[0];
    this.ssrc = enc?.ssrc ?? 0;
    this.rtxSsrc = enc?.rtx?.ssrc;
    const media = o.rtpParameters.codecs.find((c) => !/\/(rtx|red|ulpfec|flexfec)$/i.test(c.mimeType));
    this.clockRate = media?.clockRate ?? 90000;
    // Router PT → consumer PT by mime type and clock rate (consumer PTs are the router's in practice).
    for (const rc of producer.consumableRtpParameters.codecs) {
      const cc = o.rtpParameters.codecs.find(
        (c) => c.mimeType.toLowerCase() === rc.mimeType.toLowerCase() && c.clockRate === rc.clockRate && !/\/rtx$/i.test(c.mimeType),
      );
      if (cc && rc.payloadType < 128) this.ptMap[rc.payloadType] = cc.payloadType;
    }
    const rtx = o.rtpParameters.codecs.find((c) => /\/rtx$/i.test(c.mimeType));
    this.rtxPt = this.rtxSsrc !== undefined && rtx ? rtx.payloadType : -1;
    const consumerIds = new Map<string, number>();
    for (const e of o.rtpParameters.headerExtensions ?? []) consumerIds.set(e.uri, e.id);
    const rw = this.rw;
    for (const e of producer.consumableRtpParameters.headerExtensions ?? []) {
      const id = consumerIds.get(e.uri);
      if (id !== undefined && e.id > 0 && e.id < 256) rw.extIds[e.id] = id;
      if (e.uri === 'urn:ietf:params:rtp-hdrext:sdes:mid') rw.midId = e.id;
      if (e.uri === TRANSPORT_CC_URI && id !== undefined) rw.twccId = e.id;
    }
    rw.midValue = o.rtpParameters.mid !== undefined ? Buffer.from(o.rtpParameters.mid, 'utf8') : undefined;
    // As mediasoup: one VP8 encoding with temporal layers (`L1T3`) is simulcast of one spatial layer.
    this.simulcast = o.kind === 'video' && (producer.encodingCount > 1 || vp8TemporalLayersOf(producer.rtpParameters) > 1);
    const svcCounts = o.kind === 'video' && !this.simulcast ? svcLayersOf(o.rtpParameters) : undefined;
    this.svc = svcCounts ? new SvcLayerSelector(svcCounts, o.preferredLayers) : undefined;
    this.svcSeq = svcCounts ? new SvcSeqMapper() : undefined;
    this.ringMark = svcCounts ? new Uint8Array(RING) : undefined;
    this.vp8 = /^video\/vp8$/i.test(media?.mimeType ?? '');
    this.temporalLayers = Number(/T(\d+)/.exec(o.rtpParameters.encodings?.[0]?.scalabilityMode ?? '')?.[1] ?? 1) || 1;
    const maxSpatial = producer.encodingCount - 1;
    this.preferredSpatial = Math.min(maxSpatial, Math.max(0, o.preferredLayers?.spatialLayer ?? maxSpatial));
    this.targetSpatial = this.preferredSpatial;
    this.preferredTemporal = Math.min(this.temporalLayers - 1, Math.max(0, o.preferredLayers?.temporalLayer ?? this.temporalLayers - 1));
    this.vp8Temporal = this.simulcast && this.vp8 ? new Vp8TemporalSelector(this.temporalLayers, this.preferredTemporal) : undefined;
    this.desc = this.vp8Temporal?.desc ?? new Vp8Descriptor();
  }

  /** Preferred layers (simulcast only). */
  get preferredLayers(): EngineConsumerLayers | undefined {
    if (this.svc) return { spatialLayer: this.svc.targetSpatial, temporalLayer: this.svc.targetTemporal };
    return this.simulcast ? { spatialLayer: this.preferredSpatial, temporalLayer: this.preferredTemporal } : undefined;
  }

  /** Layers being forwarded (simulcast: VP8 selects temporal layers, other codecs forward them all). */
  get currentLayers(): EngineConsumerLayers | undefined {
    if (this.svc)
      return this.svc.currentSpatial >= 0 ? { spatialLayer: this.svc.currentSpatial, temporalLayer: this.svc.currentTemporal } : undefined;
    return this.simulcast && this.currentSpatial >= 0
      ? { spatialLayer: this.currentSpatial, temporalLayer: Math.max(0, this.vp8Temporal?.current ?? this.temporalLayers - 1) }
      : undefined;
  }

  /**
   * Sets the preferred layers; a simulcast consumer switches at the next keyframe of that layer
   * (requested now). Returns the layers in effect (clamped), undefined for a single-layer consumer.
   */
  setPreferredLayers(spatialLayer: number, temporalLayer?: number): EngineConsumerLayers | undefined {
    if (this.svc) {
      // SVC: down at the next picture, up at the next key picture (requested now).
      if (this.svc.setTarget(spatialLayer, temporalLayer) && this.active) this.producer.requestKeyFrame(performance.now());
      return this.preferredLayers;
    }
    if (!this.simulcast) return undefined;
    this.preferredSpatial = Math.min(this.producer.encodingCount - 1, Math.max(0, Math.floor(spatialLayer)));
    this.preferredTemporal = Math.min(this.temporalLayers - 1, Math.max(0, Math.floor(temporalLayer ?? this.temporalLayers - 1)));
    this.retarget();
    return this.preferredLayers;
  }

  private retarget(): void {
    if (this.svc) {
      // SVC: the selector caps its layers itself (down at the next picture, up at a key picture).
      if (this.svc.setBweCap(this.bweSpatial) && this.active) this.producer.requestKeyFrame(performance.now());
      return;
    }
    // Temporal: down at the next frame, up at the next layer-sync frame (no key frame needed).
    this.vp8Temporal?.setTarget(Math.min(this.preferredTemporal, this.bweTemporal));
    const target = Math.min(this.preferredSpatial, this.bweSpatial);
    if (target === this.targetSpatial) return;
    this.targetSpatial = target;
    if (target !== this.currentSpatial && this.active) this.producer.requestKeyFrame(performance.now());
  }

  /**
   * The share of the transport's send-side estimate this consumer may use: picks the highest rung
   * of the layer ladder (up to the preferred layers) whose current bitrate fits, else the lowest.
   * The ladder is the spatial layers; with VP8 temporal layers, the lowest spatial layer's temporal
   * layers come first (`0.0`, `0.1`, `0.2`, then `1`, `2`…), each measured from the stream. Goes
   * down at once, up one rung only after {@link BWE_UP_HOLD_MS} (doubled, up to 32 s, after a
   * failed attempt).
   */
  setAvailableBitrate(bps: number, nowMs: number): void {
    const svc = this.svc;
    if (!this.simulcast && !svc) return;
    if (svc) {
      // SVC: what a spatial layer costs is it and every layer below, measured from the stream.
      svc.sampleRates(nowMs);
      if (!svc.ratesKnown) return;
    }
    const layers = this.producer.layerStreams;
    const count = svc ? svc.availableSpatial : layers.length;
    // Rungs below the top of the lowest spatial layer: its lower temporal layers.
    const lowTemporal = this.vp8Temporal ? Math.max(0, Math.min(this.vp8Temporal.temporalLayers, this.producer.temporalLayers) - 1) : 0;
    const rungs = count + lowTemporal;
    let fit = -1;
    for (let r = 0; r < rungs; r++) {
      let rate: number;
      if (svc) rate = svc.cumulativeBitrate(r);
      else if (r < lowTemporal) rate = layers[0]?.temporalLayerBitrate(r) ?? 0;
      else rate = layers[r - lowTemporal]?.bitrate ?? 0;
      if (rate <= 0) continue;
      if (rate <= bps) fit = r;
    }
    if (fit < 0) fit = 0;
    const current =
      this.bweSpatial === Number.POSITIVE_INFINITY
        ? rungs - 1
        : Math.min(this.bweSpatial, count - 1) + (this.bweSpatial === 0 ? Math.min(this.bweTemporal, lowTemporal) : lowTemporal);
    let next = current;
    if (fit < current) {
      if (nowMs - this.lastBweUpAt < this.upHoldMs) this.upHoldMs = Math.min(32_000, this.upHoldMs * 2);
      else this.upHoldMs = BWE_UP_HOLD_MS;
      this.lastBweDownAt = nowMs;
      next = fit;
    } else if (fit > current && nowMs - this.lastBweDownAt >= this.upHoldMs) {
      // One rung at a time: the next one's rate is the probe.
      this.lastBweUpAt = nowMs;
      next = current + 1;
    }
    if (next !== current) {
      this.bweSpatial = Math.max(0, next - lowTemporal);
      this.bweTemporal = next < lowTemporal ? next : Number.POSITIVE_INFINITY;
    }
    this.retarget();
  }

  /** Whether a keyframe of `layer` may start forwarding it: the target, or a step towards it. */
  private acceptsLayer(layer: number): boolean {
    const cur = this.currentSpatial;
    const target = this.targetSpatial;
    if (layer === target) return true;
    if (cur < 0) return layer < target; // start on what comes first, go up later
    return cur < target && layer > cur && layer < target;
  }

  /** Whether packets flow to the receiver now. */
  get active(): boolean {
    return !this.closed && !this.paused && !this.producerPaused && this.sink.mediaReady;
  }

  /** Forwards one producer packet (already mapped to router PT/SSRC/extension ids) of `layer`. */
  sendRtp(buf: Buffer, h: RtpHeaderView, isKeyFrame: boolean, layer: number, now: number): void {
    if (!this.active) return;
    const pt = this.ptMap[h.payloadType]!;
    if (pt < 0) {
      this.packetsDiscarded++;
      return;
    }
    let inSeq = h.sequenceNumber;
    let marker = false;
    if (this.svc) {
      // Only the layers up to the current ones; renumbered so the dropped ones leave no gap.
      const v = this.svc.select(buf, h.payloadOffset, h.payloadLength);
      if (this.svc.changed) {
        this.layerSwitches++;
        this.emit(this.id, 'layerschange', this.currentLayers);
      }
      if (this.svc.needsKeyFrame) this.producer.requestKeyFrame(now);
      inSeq = this.svcSeq!.map(h.sequenceNumber, v !== SVC_DROP);
      if (inSeq < 0) return;
      marker = v === SVC_FORWARD_MARKER;
    }
    if (this.simulcast && layer !== this.currentSpatial) {
      if (!isKeyFrame || !this.acceptsLayer(layer)) {
        if (this.currentSpatial < 0) this.producer.requestKeyFrame(now);
        return;
      }
      // Switch at this keyframe: new sequence, timestamp and picture-id offsets.
      this.currentSpatial = layer;
      this.syncRequired = true;
      this.vp8Temporal?.resync();
      this.layerSwitches++;
      this.emit(this.id, 'layerschange', this.currentLayers);
      if (layer !== this.targetSpatial) this.producer.requestKeyFrame(now);
    }
    if (this.syncRequired) {
      if (this.kind === 'video' && !isKeyFrame) {
        this.packetsDiscarded++;
        this.producer.requestKeyFrame(now);
        return;
      }
      if (!this.started) {
        this.seqOffset = 0;
        this.tsOffset = 0;
      } else {
        this.seqOffset = (this.lastSeq + 1 - inSeq) & 0xffff;
        const elapsed = Math.max(1, Math.round(((now - this.lastSentAt) * this.clockRate) / 1000));
        this.tsOffset = (this.lastTs + elapsed - h.timestamp) >>> 0;
      }
      this.syncRequired = false;
      this.started = true;
    }
    let pic = -1;
    let tl0 = -1;
    const vp8t = this.vp8Temporal;
    if (vp8t) {
      // VP8 temporal layers: frames above the current layer dropped, the rest renumbered (seq, picture id, TL0PICIDX).
      inSeq = vp8t.select(buf, h.payloadOffset, h.payloadLength, inSeq, h.timestamp, isKeyFrame);
      if (vp8t.changed) {
        this.layerSwitches++;
        this.emit(this.id, 'layerschange', this.currentLayers);
      }
      if (inSeq < 0) return;
      pic = vp8t.pic;
      tl0 = vp8t.tl0;
    }
    const seq = (inSeq + this.seqOffset) & 0xffff;
    const ts = (h.timestamp + this.tsOffset) >>> 0;
    if (isKeyFrame) this.keyFramesForwarded++;
    // The descriptor parsed by the selector (this.desc) is not parsed again.
    this.write(buf, h, this.ssrc, pt, seq, ts, marker || h.marker, -1, pic, tl0, true, now);
    const idx = seq & MASK;
    if (this.ringMark) this.ringMark[idx] = marker ? 1 : 0;
    this.ringBuf[idx] = buf;
    this.ringLen[idx] = h.packetLength;
    this.ringSeq[idx] = seq;
    this.ringTs[idx] = ts;
    this.ringPic[idx] = pic;
    this.ringTl0[idx] = tl0;
    const d = (seq - this.lastSeq) & 0xffff;
    if (this.packetsSent === 0 || (d > 0 && d < 0x8000)) {
      this.lastSeq = seq;
      this.lastTs = ts;
    }
    this.lastSentAt = now;
    this.packetsSent++;
    this.bytesSent += h.payloadLength + 12;
  }

  /**
   * Writes the packet `src` (parsed into `h`) for the receiver into the sink's buffer: this
   * consumer's header (SSRC, PT, sequence number, timestamp, marker, extension ids, its MID and the
   * transport's own transport-wide sequence number), the RTX original sequence number when `osn` ≥ 0,
   * the payload, and the VP8 picture id / TL0PICIDX when `pic`/`tl0` ≥ 0 (`descParsed`: `this.desc`
   * already holds `src`'s descriptor); then sends it. `src` is not written.
   */
  private write(
    src: Buffer,
    h: RtpHeaderView,
    ssrc: number,
    pt: number,
    seq: number,
    ts: number,
    marker: boolean,
    osn: number,
    pic: number,
    tl0: number,
    descParsed: boolean,
    nowMs: number,
  ): void {
    const sink = this.sink;
    const rw = this.rw;
    const po = h.payloadOffset;
    const n = h.payloadLength;
    // Room for the header as received, grown by the two-byte form and a longer MID, and the OSN.
    const out = sink.rtpBuffer(po + h.extensionLength + (rw.midValue?.length ?? 0) + 8 + 2 + n);
    rw.ssrc = ssrc;
    rw.payloadType = pt;
    rw.sequenceNumber = seq;
    rw.timestamp = ts;
    rw.marker = marker;
    let p = writeRewrittenRtpHeader(src, h, out, rw);
    if (osn >= 0) {
      out[p++] = osn >>> 8;
      out[p++] = osn & 0xff;
    }
    src.copy(out, p, po, po + n);
    if ((pic >= 0 || tl0 >= 0) && (descParsed || parseVp8PayloadDescriptor(src, po, n, this.desc))) {
      const d = this.desc;
      const shift = p - po;
      if (pic >= 0 && d.pictureIdOffset >= 0) {
        const at = d.pictureIdOffset + shift;
        if (d.pictureIdLong) {
          out[at] = 0x80 | ((pic >> 8) & 0x7f);
          out[at + 1] = pic & 0xff;
        } else out[at] = pic & 0x7f;
      }
      if (tl0 >= 0 && d.tl0PicIdxOffset >= 0) out[d.tl0PicIdxOffset + shift] = tl0;
    }
    const length = p + n;
    if (rw.twccOffset >= 0) {
      // The sender's transport-wide sequence number means nothing here: number our own packets.
      const t = sink.nextTransportSeq(length, nowMs);
      out[rw.twccOffset] = t >>> 8;
      out[rw.twccOffset + 1] = t & 0xff;
    }
    sink.sendRtp(out, length, osn >= 0);
  }

  /** Handles one NACK FCI (PID + BLP) from the receiver (at `nowMs`). */
  receiveNack(pid: number, blp: number, nowMs: number): void {
    this.nackCount++;
    const v = this.nackView;
    for (let i = -1; i < 16; i++) {
      if (i >= 0 && !(blp & (1 << i))) continue;
      const seq = (pid + i + 1) & 0xffff;
      this.nackPacketCount++;
      const idx = seq & MASK;
      const buf = this.ringBuf[idx];
      if (!buf || this.ringSeq[idx] !== seq || !this.sink.mediaReady || !parseRtpHeader(buf, v, this.ringLen[idx]!)) continue;
      const pt = this.ptMap[v.payloadType]!;
      if (pt < 0) continue;
      // SVC: the marker the first send forced (the packet keeps the producer's).
      const marker = v.marker || (this.ringMark !== undefined && this.ringMark[idx] === 1);
      if (this.rtxSsrc !== undefined && this.rtxPt >= 0) {
        this.rtxSeq = (this.rtxSeq + 1) & 0xffff;
        this.write(
          buf,
          v,
          this.rtxSsrc,
          this.rtxPt,
          this.rtxSeq,
          this.ringTs[idx]!,
          marker,
          seq,
          this.ringPic[idx]!,
          this.ringTl0[idx]!,
          false,
          nowMs,
        );
      } else {
        this.write(buf, v, this.ssrc, pt, seq, this.ringTs[idx]!, marker, -1, this.ringPic[idx]!, this.ringTl0[idx]!, false, nowMs);
      }
      this.packetsRetransmitted++;
    }
  }

  /** Handles a PLI/FIR from the receiver: relayed to the producer, throttled per consumer. */
  receiveKeyFrameRequest(fir: boolean, nowMs: number): void {
    if (fir) this.firCount++;
    else this.pliCount++;
    if (!this.active) return;
    if (nowMs - this.lastRelayAt < CONSUMER_KEYFRAME_RELAY_GAP_MS) return;
    this.lastRelayAt = nowMs;
    this.producer.requestKeyFrame(nowMs);
  }

  /** Handles a report block about this consumer's stream from the receiver. */
  receiveReport(fractionLost: number, totalLost: number, lsr: number, dlsr: number, nowNtpMiddle: number): void {
    this.fractionLost = fractionLost;
    this.packetsLost = totalLost;
    if (lsr !== 0) {
      const rtt = ((nowNtpMiddle - lsr - dlsr) >>> 0) / 65536;
      if (rtt < 60) this.roundTripTime = rtt * 1000;
    }
    this.score = scoreFromFraction(fractionLost);
    this.emitScore();
  }

  /**
   * Emits `score` when it changed. As mediasoup: `producerScores` per encoding, in encoding order (0
   * for one not received yet); `producerScore` that of the encoding forwarded (simulcast: the current
   * spatial layer, 0 before one is forwarded).
   */
  emitScore(): void {
    const layers = this.producer.layerStreams;
    const producerScores = this.producer.streams.length === 0 ? [] : layers.map((s) => (s && s.packetsReceived > 0 ? s.score : 0));
    const producerScore = this.simulcast
      ? this.currentSpatial >= 0
        ? (producerScores[this.currentSpatial] ?? 0)
        : 0
      : (producerScores[0] ?? 0);
    const key = `${this.score}/${producerScore}/${producerScores.join(',')}`;
    if (key === this.lastScoreKey) return;
    this.lastScoreKey = key;
    this.emit(this.id, 'score', { score: this.score, producerScore, producerScores });
  }

  /** Rewrites a producer SR onto this consumer's SSRC and timestamp space. */
  onProducerSr(ntpSec: number, ntpFrac: number, rtpTs: number, layer = 0): void {
    if (!this.started || !this.active) return;
    if (this.simulcast && layer !== this.currentSpatial) return;
    this.sink.sendRtcp(buildSr(this.ssrc, ntpSec, ntpFrac, (rtpTs + this.tsOffset) >>> 0, this.packetsSent, this.bytesSent));
  }

  /** Called when the sink became able to send: get a keyframe. */
  onSinkReady(): void {
    this.requestStartKeyFrame(performance.now());
  }

  /**
   * Gets this (active, video) consumer a key frame to start from: a consumer that never forwarded
   * (a newcomer) starts at once from the producer's cached key frame when one arrived since the
   * consumer was created (e.g. another viewer's request made the sender produce it a moment ago,
   * while this consumer waited for its transport), which the sender would not repeat within
   * 300 ms; otherwise the producer asks the sender.
   */
  requestStartKeyFrame(nowMs: number): void {
    if (this.kind !== 'video' || !this.active) return;
    // Single-stream consumers only (simulcast of several encodings and SVC consumers pick layers at
    // key frames of their own; one VP8 encoding with temporal layers takes the replay like any packets).
    const oneStream = !this.svc && this.producer.encodingCount === 1;
    if (!this.started && oneStream && this.syncRequired && this.producer.replayKeyFrame(this, nowMs, this.createdAt)) return;
    this.producer.requestKeyFrame(nowMs);
  }

  /** Pauses forwarding. */
  pause(): void {
    this.paused = true;
  }

  /** Resumes forwarding; video waits for (and requests) a keyframe. */
  resume(): void {
    const wasActive = this.active;
    this.paused = false;
    if (!wasActive && this.active) this.restart();
  }

  /** The producer paused/resumed. */
  setProducerPaused(paused: boolean): void {
    const wasActive = this.active;
    this.producerPaused = paused;
    if (!wasActive && this.active) this.restart();
  }

  /** Requests a keyframe from the producer (API `requestKeyFrame`). */
  requestKeyFrame(): void {
    if (this.active) this.producer.requestKeyFrame(performance.now());
  }

  private restart(): void {
    this.syncRequired = true;
    this.vp8Temporal?.resync();
    if (this.simulcast) this.currentSpatial = -1;
    this.svc?.reset();
    this.svcSeq?.reset();
    this.requestStartKeyFrame(performance.now());
  }

  /** mediasoup-like `outbound-rtp` stats. */
  getStats(): Record<string, unknown> {
    return {
      type: 'outbound-rtp',
      timestamp: Date.now(),
      ssrc: this.ssrc,
      rtxSsrc: this.rtxSsrc,
      kind: this.kind,
      mimeType: this.rtpParameters.codecs[0]?.mimeType,
      packetCount: this.packetsSent,
      byteCount: this.bytesSent,
      bitrate: this.sendRate.bps,
      packetsLost: this.packetsLost,
      fractionLost: this.fractionLost,
      packetsDiscarded: this.packetsDiscarded,
      packetsRetransmitted: this.packetsRetransmitted,
      packetsRepaired: this.packetsRetransmitted,
      nackCount: this.nackCount,
      nackPacketCount: this.nackPacketCount,
      pliCount: this.pliCount,
      firCount: this.firCount,
      keyFramesForwarded: this.keyFramesForwarded,
      ...(this.simulcast || this.svc
        ? { preferredLayers: this.preferredLayers, currentLayers: this.currentLayers, layerSwitches: this.layerSwitches }
        : {}),
      score: this.score,
      roundTripTime: this.roundTripTime,
    };
  }

  /** Detaches from the producer. */
  close(): void {
    this.closed = true;
    this.producer.listeners.delete(this);
    this.ringBuf.fill(undefined);
  }
}
