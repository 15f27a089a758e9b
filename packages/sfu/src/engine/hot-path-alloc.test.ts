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
import { afterEach, describe, expect, it } from 'vitest';
import { RtpHeaderView, parseRtpHeader } from '../rtp/rtp-header.js';
import { RIG_KEY_DESCRIPTOR, forwardingRig, type ForwardingRig } from '../testing/forwarding-rig.js';

describe('the forwarding path', () => {
  const rigs: ForwardingRig[] = [];
  afterEach(() => {
    for (const r of rigs.splice(0)) r.close();
  });

  // Two receiving transports, the consumers spread over them; each consumer has its own MID.
  const setup = (consumers: number): ForwardingRig => {
    const rig = forwardingRig({ consumers, transports: 2, payloadBytes: 207 });
    rigs.push(rig);
    return rig;
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
    expect(first[view.payloadOffset + RIG_KEY_DESCRIPTOR.length]).toBe(0);
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
