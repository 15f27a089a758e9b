/**
 * Micro-benchmark of the engine's forwarding path without SRTP and sockets: one producer and N
 * consumers in this thread, packets of the bench stream's size fed as a transport receives them
 * (parsed into its header view), each consumer writing into its transport's send buffer. What it
 * measures is the engine's own share of a forwarded packet (header rewriting, demux, NACK and
 * stream state, transport-wide numbering); SRTP is `srtpMicro`, the rest is the kernel's.
 */
import { RtpHeader, RtpPacket } from 'werift';
import { SfuLogSettings, SfuLogger } from '../src/common/logger.js';
import { EngineConsumer } from '../src/engine/consumer.js';
import { newDropCounters } from '../src/engine/context.js';
import { EngineProducer } from '../src/engine/producer.js';
import { EngineTransport } from '../src/engine/transport.js';
import { RtpHeaderView, parseRtpHeader } from '../src/rtp/rtp-header.js';
import { TRANSPORT_CC_URI } from '../src/rtp/transport-cc.js';
import type { RtpParameters } from '../src/types/index.js';

/** Result of {@link measureForwardingPath}. */
export type ForwardingMicroResult = { consumers: number; packetBytes: number; usPerForwardedPacket: number };

/** A transport whose sends only count. */
class NullTransport extends EngineTransport {
  private readonly scratch = Buffer.alloc(2048);
  sent = 0;
  get mediaReady(): boolean {
    return true;
  }
  rtpBuffer(): Buffer {
    return this.scratch;
  }
  protected transmitRtp(): void {
    this.sent++;
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

function packet(seq: number, payloadBytes: number): Buffer {
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
  // VP8 descriptor with a picture id; the first packet starts a key frame.
  const descriptor = seq === 0 ? [0x90, 0x80, 0x01, 0x00, 0x9d, 0x01, 0x2a] : [0x90, 0x80, 0x02, 0x01];
  return new RtpPacket(h, Buffer.concat([Buffer.from(descriptor), Buffer.alloc(payloadBytes - descriptor.length, seq & 0xff)])).serialize();
}

/** CPU µs per forwarded packet of the engine path (median of 7 rounds of 3000 packets, after warm-up). */
export function measureForwardingPath(consumers: number, payloadBytes = 1150): ForwardingMicroResult {
  const log = new SfuLogger('bench', new SfuLogSettings({ level: 'none', write: () => undefined }));
  const drops = newDropCounters();
  const emit = (): void => undefined;
  const ingress = new NullTransport('in', 'r', drops, emit, log);
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
  ingress.addProducer(producer);
  const egress: NullTransport[] = [];
  for (let i = 0; i < consumers; i++) {
    const t = new NullTransport(`out${i}`, 'r', drops, emit, log);
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
    egress.push(t);
  }
  const view = new RtpHeaderView();
  let seq = 0;
  let now = 0;
  const feed = (count: number): { us: number; forwarded: number } => {
    // Made before timing: on a server they come from the socket.
    const packets = Array.from({ length: count }, () => packet(seq++, payloadBytes));
    const sent0 = egress.reduce((a, t) => a + t.sent, 0);
    const t0 = process.cpuUsage();
    for (const p of packets) {
      if (parseRtpHeader(p, view)) ingress.receiveRtp(p, view, p.length, now++);
    }
    const t1 = process.cpuUsage(t0);
    return { us: t1.user + t1.system, forwarded: egress.reduce((a, t) => a + t.sent, 0) - sent0 };
  };
  try {
    for (let r = 0; r < 5; r++) feed(2000);
    const perPacket: number[] = [];
    for (let r = 0; r < 7; r++) {
      const { us, forwarded } = feed(3000);
      if (forwarded !== 3000 * consumers)
        throw new Error(`forwarding micro-benchmark: ${forwarded} of ${3000 * consumers} packets forwarded`);
      perPacket.push(us / forwarded);
    }
    perPacket.sort((a, b) => a - b);
    return { consumers, packetBytes: packet(0, payloadBytes).length, usPerForwardedPacket: perPacket[3]! };
  } finally {
    ingress.close();
    for (const t of egress) t.close();
    producer.close();
  }
}
