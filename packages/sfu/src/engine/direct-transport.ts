/**
 * Engine-side DirectTransport: RTP from the main thread (a direct producer's `send`) enters the
 * router as if received from the network; packets for direct consumers are serialised and
 * posted to the main thread as `rtp` events.
 * @internal
 */
import type { SfuLogger } from '../common/logger.js';
import { RtpHeaderView, parseRtpHeader } from '../rtp/rtp-header.js';
import { NOT_RTP, type DropCounters, type EmitFn } from './context.js';
import type { EngineConsumer } from './consumer.js';
import { EngineTransport } from './transport.js';

/** The engine-side DirectTransport. */
export class EngineDirectTransport extends EngineTransport {
  /** Consumer id by consumer SSRC, so `rtp` events go to the right proxy. */
  private readonly consumerIdBySsrc = new Map<number, string>();
  /** Header view of the packet being injected (reused). */
  private readonly view = new RtpHeaderView();
  /** Where forwarded packets are written: posting to the main thread copies them at once. */
  private scratch = Buffer.alloc(2048);

  constructor(id: string, routerId: string, drops: DropCounters, emit: EmitFn, log: SfuLogger) {
    super(id, routerId, drops, emit, log);
  }

  /** @inheritdoc */
  get mediaReady(): boolean {
    return !this.closed;
  }

  override addConsumer(c: EngineConsumer): void {
    super.addConsumer(c);
    this.consumerIdBySsrc.set(c.ssrc, c.id);
    if (c.rtxSsrc !== undefined) this.consumerIdBySsrc.set(c.rtxSsrc, c.id);
  }

  override removeConsumer(c: EngineConsumer): void {
    super.removeConsumer(c);
    for (const [k, v] of this.consumerIdBySsrc) if (v === c.id) this.consumerIdBySsrc.delete(k);
  }

  /** Injects one RTP packet (bytes) from a direct producer. */
  injectRtp(bytes: Uint8Array): void {
    // The packet's own buffer (the channel gave it to this thread): kept and rewritten in place.
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (!parseRtpHeader(buf, this.view)) {
      this.drop('rtpMalformed', 'rtp', 'rtp.malformed', NOT_RTP);
      return;
    }
    this.receiveRtp(buf, this.view, bytes.byteLength, performance.now());
  }

  /** Injects one RTCP packet (bytes) as if received from the remote. */
  injectRtcp(bytes: Uint8Array): void {
    this.receiveRtcp(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  rtpBuffer(bytes: number): Buffer {
    if (this.scratch.length < bytes) this.scratch = Buffer.alloc(bytes);
    return this.scratch;
  }

  protected transmitRtp(buf: Buffer, length: number): void {
    const id = this.consumerIdBySsrc.get(((buf[8]! << 24) | (buf[9]! << 16) | (buf[10]! << 8) | buf[11]!) >>> 0);
    if (!id) return;
    try {
      // An exact copy of its own (posting a view would copy the whole scratch's memory).
      const packet = new Uint8Array(length);
      buf.copy(packet, 0, 0, length);
      this.emit(id, 'rtp', packet);
    } catch (e) {
      this.drop('internalErrors', 'rtp', 'rtp.deliverFailed', e);
    }
  }

  sendRtcp(buf: Buffer): void {
    this.rtcpPacketsSent++;
    this.rtcpBytesSent += buf.length;
    this.emit(this.id, 'rtcp', Buffer.from(buf));
  }

  /** mediasoup-like `direct-transport` stats. */
  getStats(): Record<string, unknown>[] {
    return [{ type: 'direct-transport', ...this.baseStats() }];
  }
}
