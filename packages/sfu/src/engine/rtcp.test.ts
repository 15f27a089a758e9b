import { describe, expect, it } from 'vitest';
import { buildNack, buildPli, buildRemb, buildRr, buildSr, walkRtcp } from './rtcp.js';

describe('engine RTCP walker', () => {
  it('visits SR, report blocks, PLI, NACK and REMB of a compound packet', () => {
    const compound = Buffer.concat([
      buildSr(11, 0x01020304, 0x05060708, 9000, 5, 500),
      buildRr(12, [{ ssrc: 77, fractionLost: 25, totalLost: 3, highestSeq: 65540, jitter: 9, lsr: 1, dlsr: 2 }]),
      buildPli(12, 77),
      buildNack(12, 77, 1000, 0b11),
      buildRemb(12, 2_500_000, [77]),
    ]);
    const seen: string[] = [];
    let remb = 0;
    const ok = walkRtcp(compound, {
      sr: (ssrc, s, f, ts) => seen.push(`sr ${ssrc} ${s} ${f} ${ts}`),
      reportBlock: (ssrc, fl, lost, hs) => seen.push(`rb ${ssrc} ${fl} ${lost} ${hs}`),
      pli: (ssrc) => seen.push(`pli ${ssrc}`),
      nack: (ssrc, pid, blp) => seen.push(`nack ${ssrc} ${pid} ${blp}`),
      remb: (b) => (remb = b),
    });
    expect(ok).toBe(true);
    expect(seen).toEqual([`sr 11 ${0x01020304} ${0x05060708} 9000`, 'rb 77 25 3 65540', 'pli 77', 'nack 77 1000 3']);
    expect(remb).toBeGreaterThan(2_500_000 * 0.99);
    expect(remb).toBeLessThanOrEqual(2_500_000);
  });

  it('rejects malformed input without throwing', () => {
    const samples = [
      Buffer.alloc(0),
      Buffer.from([0x80]),
      Buffer.from([0x80, 201, 0, 9, 0, 0, 0, 1]),
      Buffer.from([0x00, 201, 0, 1, 0, 0, 0, 1]),
      Buffer.from([0x80, 150, 0, 1, 0, 0, 0, 1]),
    ];
    for (const s of samples) expect(walkRtcp(s, {})).toBe(false);
    for (let i = 0; i < 2000; i++) {
      const b = Buffer.from(Array.from({ length: 4 + (i % 60) }, (_, k) => (i * 31 + k * 17) & 0xff));
      b[0] = 0x80 | (b[0]! & 0x1f);
      expect(() =>
        walkRtcp(b, { pli: () => undefined, nack: () => undefined, remb: () => undefined, reportBlock: () => undefined }),
      ).not.toThrow();
    }
  });
});
