/**
 * The forwarding path allocates nothing per packet: a transport's receive (transport-wide sequence
 * number, demux), the producer's in-place mapping, and every consumer's rewrite into its
 * transport's send buffer. Checked two ways that fail when a per-packet object comes back: the
 * young generation's growth over thousands of forwarded packets (with no collection in between:
 * one would only happen if the loop filled it), and the identity of the buffers (the send buffer is
 * the transport's own every time; the consumers keep the producer's packet itself, not a copy).
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { RtpHeader, RtpPacket } from 'werift';
import { afterEach, describe, expect, it } from 'vitest';
import { SfuLogSettings, SfuLogger } from '../common/logger.js';
import type { RtpParameters } from '../types/index.js';
import { RtpHeaderView, parseRtpHeader } from '../rtp/rtp-header.js';
import { TRANSPORT_CC_URI } from '../rtp/transport-cc.js';
import { EngineConsumer } from './consumer.js';
import { newDropCounters } from './context.js';
import { EngineProducer } from './producer.js';
import { EngineTransport } from './transport.js';

const MID_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid' as const;
const KEY = [0x90, 0x80, 0x01, 0x00, 0x9d, 0x01, 0x2a]; // VP8 descriptor with a picture id, key frame
const DELTA = [0x90, 0x80, 0x02, 0x01];

/** A transport whose sends are counted: the buffer each packet was written to, and its bytes. */
class CountingTransport extends EngineTransport {
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

const log = new SfuLogger('test', new SfuLogSettings({ level: 'none', write: () => undefined }));
const codec: RtpParameters['codecs'][number] = {
  mimeType: 'video/VP8',
  payloadType: 96,
  clockRate: 90000,
  rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
};
const extensions: NonNullable<RtpParameters['headerExtensions']> = [
  { uri: MID_URI, id: 1 },
  { uri: TRANSPORT_CC_URI, id: 3 },
];

function packet(seq: number, key: boolean): Buffer {
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
    { id: 3, payload: Buffer.from([seq >> 8, seq & 0xff]) },
  ];
  return new RtpPacket(h, Buffer.concat([Buffer.from(key ? KEY : DELTA), Buffer.alloc(200, seq & 0xff)])).serialize();
}

describe('the forwarding path', () => {
  const transports: EngineTransport[] = [];
  afterEach(() => {
    for (const t of transports.splice(0)) t.close();
  });

  const setup = (consumerCount: number) => {
    const drops = newDropCounters();
    const emit = () => undefined;
    const make = (id: string) => {
      const t = new CountingTransport(id, 'r', drops, emit, log);
      transports.push(t);
      return t;
    };
    const ingress = make('in');
    const rtpParameters: RtpParameters = { mid: '0', codecs: [codec], headerExtensions: extensions, encodings: [{ ssrc: 1111 }] };
    const consumable: RtpParameters = {
      codecs: [{ ...codec, payloadType: 101 }],
      headerExtensions: extensions,
      encodings: [{ ssrc: 2222 }],
    };
    const producer = new EngineProducer(
      ingress,
      {
        id: 'p',
        kind: 'video',
        rtpParameters,
        consumableRtpParameters: consumable,
        rtpMapping: { codecs: [{ payloadType: 96, mappedPayloadType: 101 }], encodings: [{ ssrc: 1111, mappedSsrc: 2222 }] },
        paused: false,
      },
      emit,
    );
    expect(ingress.addProducer(producer)).toBeUndefined();
    // Two receiving transports, the consumers spread over them; each consumer has its own MID.
    const egress = [make('out0'), make('out1')];
    const consumers: EngineConsumer[] = [];
    for (let i = 0; i < consumerCount; i++) {
      const t = egress[i % 2]!;
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
    /** Feeds `buf` as the engine does with a datagram: parsed into the transport's one view. */
    const receive = (buf: Buffer, now: number) => {
      if (!parseRtpHeader(buf, view)) throw new Error('not RTP');
      ingress.receiveRtp(buf, view, buf.length, now);
    };
    const next = () => {
      const s = seq++;
      return packet(s, s === 0);
    };
    return { ingress, egress, producer, consumers, receive, next };
  };

  it('allocates nothing per forwarded packet (young-generation growth, no collection in between)', async () => {
    const { egress, consumers, receive, next } = setup(8);
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const young = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;
    // Rounds of 2000 packets until the functions on the path are optimised (before, the interpreter
    // boxes numbers); the smallest growth per packet is judged. Packets are made before measuring:
    // on a server they come from the socket.
    let best = Number.POSITIVE_INFINITY;
    let now = 0;
    for (let round = 0; round < 100 && best >= 4; round++) {
      const packets = Array.from({ length: 2000 }, next);
      const sentBefore = egress[0]!.sent + egress[1]!.sent;
      gc();
      const profiler = new v8.GCProfiler();
      profiler.start();
      const before = young();
      for (let i = 0; i < packets.length; i++) receive(packets[i]!, now++);
      const after = young();
      // A collection inside the loop would hide what it allocated, so such a round is not judged
      // (only allocating could cause one: a round still running unoptimised code on a slow machine
      // may box enough numbers; a real per-packet object makes every round collect or grow).
      const collected = profiler.stop().statistics.length > 0;
      expect(egress[0]!.sent + egress[1]!.sent - sentBefore).toBe(packets.length * consumers.length);
      if (!collected) best = Math.min(best, (after - before) / packets.length);
      await new Promise((resolve) => setImmediate(resolve)); // let background compilation land
    }
    // One object per packet would be ≥ 24 bytes per packet, a Buffer view ≥ 100; reading the heap
    // statistics costs about 1.5 bytes per packet here.
    expect(best).toBeLessThan(4);
    expect(egress[0]!.foreign + egress[1]!.foreign).toBe(0);
  });

  it('sends from the transport buffer and keeps the producer packet itself, rewritten only in its header, for retransmission', () => {
    const { ingress, egress, consumers, receive, next } = setup(2);
    const first = next();
    receive(first, 0);
    for (let i = 1; i < 10; i++) receive(next(), i);
    expect(ingress.rtpPacketsReceived).toBe(10);
    expect(egress[0]!.sent).toBe(10);
    expect(egress[0]!.foreign).toBe(0);
    // The producer mapped the packet in place (router PT and SSRC), and nothing else wrote to it.
    const view = new RtpHeaderView();
    expect(parseRtpHeader(first, view)).toBe(true);
    expect([view.payloadType, view.ssrc]).toEqual([101, 2222]);
    expect(first[view.payloadOffset + KEY.length]).toBe(0);
    // A NACK for the first packet is answered from that same buffer: same payload, consumer's header.
    const out = egress[0]!;
    out.keepLast = true;
    consumers[0]!.receiveNack(0, 0, 20);
    expect(out.sent).toBe(11);
    const resent = new RtpHeaderView();
    expect(parseRtpHeader(out.lastSent, resent)).toBe(true);
    expect([resent.ssrc, resent.payloadType, resent.sequenceNumber]).toEqual([5000, 101, 0]);
    expect(
      out.lastSent.subarray(resent.payloadOffset).equals(first.subarray(view.payloadOffset, view.payloadOffset + view.payloadLength)),
    ).toBe(true);
  });
});
