/**
 * Micro-benchmark of the engine's forwarding path without SRTP and sockets: one producer and N
 * consumers in this thread, packets of the bench stream's size fed as a transport receives them
 * (parsed into its header view), each consumer writing into its transport's send buffer. What it
 * measures is the engine's own share of a forwarded packet (header rewriting, demux, NACK and
 * stream state, transport-wide numbering); SRTP is `srtpMicro`, the rest is the kernel's.
 */
import { forwardingRig, rigPacket } from '../src/testing/forwarding-rig.js';

/** Result of {@link measureForwardingPath}. */
export type ForwardingMicroResult = { consumers: number; packetBytes: number; usPerForwardedPacket: number };

/** CPU µs per forwarded packet of the engine path (median of 7 rounds of 3000 packets, after warm-up). */
export function measureForwardingPath(consumers: number, payloadBytes = 1150): ForwardingMicroResult {
  // One transport per consumer, as viewers have.
  const rig = forwardingRig({ consumers, transports: consumers, payloadBytes });
  let now = 0;
  const sent = (): number => rig.egress.reduce((a, t) => a + t.sent, 0);
  const feed = (count: number): { us: number; forwarded: number } => {
    // Made before timing: on a server they come from the socket.
    const packets = Array.from({ length: count }, rig.next);
    const sent0 = sent();
    const t0 = process.cpuUsage();
    for (const p of packets) rig.receive(p, now++);
    const t1 = process.cpuUsage(t0);
    return { us: t1.user + t1.system, forwarded: sent() - sent0 };
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
    return { consumers, packetBytes: rigPacket(0, payloadBytes).length, usPerForwardedPacket: perPacket[3]! };
  } finally {
    rig.close();
  }
}
