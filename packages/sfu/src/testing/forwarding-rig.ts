/**
 * An in-process forwarding rig for the engine's packet path (the allocation test and the
 * `forwardingMicro` bench): one VP8 producer on a receiving transport and N consumers spread over
 * counting transports, fed packets as a transport receives a datagram (parsed into its one header
 * view). No SRTP, no socket.
 */
import { RtpHeader, RtpPacket } from 'werift';
import { SfuLogSettings, SfuLogger } from '../common/logger.js';
import { EngineConsumer } from '../engine/consumer.js';
import { newDropCounters } from '../engine/context.js';
import { EngineProducer } from '../engine/producer.js';
import { EngineTransport } from '../engine/transport.js';
import { RtpHeaderView, parseRtpHeader } from '../rtp/rtp-header.js';
import { TRANSPORT_CC_URI } from '../rtp/transport-cc.js';
import type { RtpParameters } from '../types/index.js';

/** VP8 payload descriptors with a picture id: a key frame's (the first packet) and a delta frame's. */
export const RIG_KEY_DESCRIPTOR = [0x90, 0x80, 0x01, 0x00, 0x9d, 0x01, 0x2a];
const DELTA_DESCRIPTOR = [0x90, 0x80, 0x02, 0x01];

/** A transport whose sends are counted: the buffer each packet was written to, and its bytes. */
export class CountingTransport extends EngineTransport {
  readonly scratch = Buffer.alloc(2048);
  sent = 0;
  /** Sends from a buffer other than {@link scratch}. */
  foreign = 0;
  lastSent = Buffer.alloc(0);
  keepLast = false;

  get mediaReady(): boolean {
    return !this.closed;
  }

  rtpBuffer(): Buffer {
    return this.scratch;
  }

  protected transmitRtp(buf: Buffer, length: number): void {
    this.sent++;
    if (buf !== this.scratch) this.foreign++;
    if (this.keepLast) this.lastSent = Buffer.from(buf.subarray(0, length));
  }

  sendRtcp(): void {}
}

const codec: RtpParameters['codecs'][number] = {
  mimeType: 'video/VP8',
  payloadType: 96,
  clockRate: 90000,
  rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
};
const extensions: NonNullable<RtpParameters['headerExtensions']> = [
  { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 },
  { uri: TRANSPORT_CC_URI, id: 3 },
];

/** Packet `seq` of the rig's stream (SSRC 1111, PT 96, MID and transport-cc): `payloadBytes` long, a key frame at 0. */
export function rigPacket(seq: number, payloadBytes: number): Buffer {
  const h = new RtpHeader({
    sequenceNumber: seq & 0xffff,
    timestamp: Math.floor(seq / 4) * 3000,
    ssrc: 1111,
    payloadType: 96,
    marker: seq % 4 === 3,
  });
  h.extension = true;
  h.extensionProfile = 0xbede;
  h.extensions = [
    { id: 1, payload: Buffer.from('0') },
    { id: 3, payload: Buffer.from([(seq >> 8) & 0xff, seq & 0xff]) },
  ];
  const descriptor = seq === 0 ? RIG_KEY_DESCRIPTOR : DELTA_DESCRIPTOR;
  return new RtpPacket(h, Buffer.concat([Buffer.from(descriptor), Buffer.alloc(payloadBytes - descriptor.length, seq & 0xff)])).serialize();
}

/** The rig: see the file header. Close it when done. */
export interface ForwardingRig {
  readonly ingress: CountingTransport;
  readonly egress: readonly CountingTransport[];
  readonly producer: EngineProducer;
  readonly consumers: readonly EngineConsumer[];
  /** Feeds `buf` as the engine does with a datagram: parsed into the transport's one view. */
  receive(buf: Buffer, now: number): void;
  /** The next packet of the stream. */
  next(): Buffer;
  close(): void;
}

/** A producer with `consumers` consumers (each with its own MID and SSRC) over `transports` egress transports. */
export function forwardingRig(options: { consumers: number; transports: number; payloadBytes: number }): ForwardingRig {
  const log = new SfuLogger('rig', new SfuLogSettings({ level: 'none', write: () => undefined }));
  const drops = newDropCounters();
  const emit = (): void => undefined;
  const ingress = new CountingTransport('in', 'r', drops, emit, log);
  const producer = new EngineProducer(
    ingress,
    {
      id: 'p',
      kind: 'video',
      rtpParameters: { mid: '0', codecs: [codec], headerExtensions: extensions, encodings: [{ ssrc: 1111 }] },
      consumableRtpParameters: { codecs: [{ ...codec, payloadType: 101 }], headerExtensions: extensions, encodings: [{ ssrc: 2222 }] },
      rtpMapping: { codecs: [{ payloadType: 96, mappedPayloadType: 101 }], encodings: [{ ssrc: 1111, mappedSsrc: 2222 }] },
      paused: false,
    },
    emit,
  );
  const refused = ingress.addProducer(producer);
  if (refused !== undefined) throw new Error(`forwarding rig: the transport refused the producer (${String(refused)})`);
  const egress = Array.from({ length: options.transports }, (_, i) => new CountingTransport(`out${i}`, 'r', drops, emit, log));
  const consumers: EngineConsumer[] = [];
  for (let i = 0; i < options.consumers; i++) {
    const t = egress[i % egress.length]!;
    const c = new EngineConsumer(
      producer,
      t,
      {
        id: `c${i}`,
        kind: 'video',
        rtpParameters: {
          mid: String(i + 1),
          codecs: [{ ...codec, payloadType: 101 }],
          headerExtensions: extensions,
          encodings: [{ ssrc: 5000 + i }],
        },
        paused: false,
      },
      emit,
    );
    t.addConsumer(c);
    producer.listeners.add(c);
    consumers.push(c);
  }
  const view = new RtpHeaderView();
  let seq = 0;
  return {
    ingress,
    egress,
    producer,
    consumers,
    receive(buf, now) {
      if (!parseRtpHeader(buf, view)) throw new Error('not RTP');
      ingress.receiveRtp(buf, view, buf.length, now);
    },
    next: () => rigPacket(seq++, options.payloadBytes),
    close() {
      ingress.close();
      for (const t of egress) t.close();
      producer.close();
    },
  };
}
