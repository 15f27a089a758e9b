import type { AppData } from '../common/app-data.js';
import type { EnhancedEventEmitter } from '../common/enhanced-event-emitter.js';
import { UnsupportedError } from '../errors.js';
import { Transport, type TransportConstructorOptions, type TransportFaultOptions, type TransportObserverEvents } from './transport.js';

/** Options of `router.createDirectTransport()`. */
export interface DirectTransportOptions<DirectTransportAppData extends AppData = AppData> {
  /** Accepted for compatibility (no data channels in this version). */
  maxMessageSize?: number;
  appData?: DirectTransportAppData;
}

/** Events of a {@link DirectTransport}. */
export type DirectTransportEvents = {
  /** RTCP the engine sends towards this transport's producers' "remote" (RR, REMB, PLI…). */
  rtcp: [packet: Buffer];
};

/** Observer events of a {@link DirectTransport}. */
export type DirectTransportObserverEvents = TransportObserverEvents & DirectTransportEvents;

/**
 * A server-side RTP tap (mediasoup's `DirectTransport`): `producer.send(rtpPacket)` injects packets
 * into the router; a consumer emits each forwarded packet as an `rtp` event (already rewritten
 * with the consumer's SSRC, payload type and sequence numbers).
 * @example
 * const direct = await router.createDirectTransport();
 * const tap = await direct.consume({ producerId });
 * tap.on('rtp', (packet) => inspect(packet));
 */
export class DirectTransport<DirectTransportAppData extends AppData = AppData> extends Transport<
  DirectTransportAppData,
  DirectTransportEvents,
  DirectTransportObserverEvents
> {
  /** @internal */
  constructor(o: TransportConstructorOptions<DirectTransportAppData>) {
    super(o);
    this.channel.on(this.id, (event, payload) => {
      if (event === 'rtcp') {
        const u = payload as Uint8Array;
        (this as unknown as EnhancedEventEmitter<DirectTransportEvents>).safeEmit(
          'rtcp',
          Buffer.from(u.buffer, u.byteOffset, u.byteLength),
        );
      }
    });
  }

  /** Injects an RTCP packet as if it came from this transport's remote (e.g. a PLI or NACK for a consumer). */
  sendRtcp(rtcpPacket: Uint8Array): void {
    this.assertOpen();
    if (!(rtcpPacket instanceof Uint8Array)) throw new TypeError('rtcpPacket must be a Buffer/Uint8Array');
    this.channel.notify('transport.sendRtcp', this.id, { packet: rtcpPacket });
  }

  /** Not available on a DirectTransport (mediasoup throws too). */
  override async setMaxIncomingBitrate(_bitrate: number): Promise<void> {
    throw new UnsupportedError('setMaxIncomingBitrate() not implemented in DirectTransport');
  }

  /** Test-only controls: random drop on this transport's paths. */
  get __testing(): { setFaults(f: TransportFaultOptions): Promise<TransportFaultOptions> } {
    return { setFaults: (f) => this.setFaults(f) };
  }
}
