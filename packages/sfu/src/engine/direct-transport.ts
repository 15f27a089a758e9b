/**
 * Engine-side DirectTransport: RTP from the main thread (a direct producer's `send`) enters the
 * router as if received from the network; packets for direct consumers are serialised and
 * posted to the main thread as `rtp` events.
 * @internal
 */
import { RtpPacket } from 'werift';
import type { SfuLogger } from '../common/logger.js';
import type { DropCounters, EmitFn } from './context.js';
import type { EngineConsumer } from './consumer.js';
import { EngineTransport } from './transport.js';

/** The engine-side DirectTransport. */
export class EngineDirectTransport extends EngineTransport {
  /** Consumer id by consumer SSRC, so `rtp` events go to the right proxy. */
  private readonly consumerIdBySsrc = new Map<number, string>();

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
    let packet: RtpPacket;
    try {
      const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (buf.length < 12 || buf[0]! >> 6 !== 2) throw new Error('not RTP');
      packet = RtpPacket.deSerialize(buf);
    } catch (e) {
      this.drop('rtpMalformed', 'rtp', 'rtp.malformed', e);
      return;
    }
    this.receiveRtpPacket(packet, bytes.byteLength);
  }

  /** Injects one RTCP packet (bytes) as if received from the remote. */
  injectRtcp(bytes: Uint8Array): void {
    this.receiveRtcp(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  protected transmitRtp(packet: RtpPacket): void {
    const id = this.consumerIdBySsrc.get(packet.header.ssrc);
    if (!id) return;
    try {
      this.emit(id, 'rtp', packet.serialize());
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
