import { describe, expect, it } from 'vitest';
import { NACK_LIST_CAPACITY, NACK_MAX_RETRIES, NackGenerator, NackPacketResult } from './nack-generator.js';

const collect = (g: NackGenerator, now: number, retry = 100): number[] => Array.from(g.out.subarray(0, g.collect(now, retry)));

describe('NackGenerator', () => {
  it('lists the gaps, asks for them at once, again after the retry interval, and forgets repaired ones', () => {
    const g = new NackGenerator();
    expect(g.onPacket(100, 0)).toBe(NackPacketResult.New);
    expect(g.onPacket(101, 1)).toBe(NackPacketResult.New);
    expect(g.onPacket(104, 2)).toBe(NackPacketResult.New);
    expect(g.added).toBe(2);
    expect(collect(g, 2)).toEqual([102, 103]);
    expect(collect(g, 50)).toEqual([]); // not yet: retry interval
    expect(g.onPacket(103, 60)).toBe(NackPacketResult.Recovered);
    expect(g.recovered).toBe(1);
    expect(collect(g, 110)).toEqual([102]);
    expect(g.onPacket(103, 120)).toBe(NackPacketResult.Old); // duplicate
    expect(g.onPacket(102, 130)).toBe(NackPacketResult.Recovered);
    expect(g.size).toBe(0);
  });

  it('works across the 16-bit wrap and gives up after the retry limit', () => {
    const g = new NackGenerator();
    g.onPacket(65534, 0);
    g.onPacket(1, 0); // 65535 and 0 missing
    let t = 0;
    expect(collect(g, t)).toEqual([65535, 0]);
    for (let i = 1; i < NACK_MAX_RETRIES; i++) {
      t += 100;
      expect(collect(g, t)).toHaveLength(2);
    }
    t += 100;
    expect(collect(g, t)).toEqual([]);
    expect(g.givenUp).toBe(2);
    expect(g.size).toBe(0);
  });

  it('resets on a gap larger than its capacity (the caller asks for a keyframe)', () => {
    const g = new NackGenerator();
    g.onPacket(10, 0);
    expect(g.onPacket(10 + NACK_LIST_CAPACITY + 5, 1)).toBe(NackPacketResult.Reset);
    expect(g.size).toBe(0);
    expect(g.onPacket(10 + NACK_LIST_CAPACITY + 6, 2)).toBe(NackPacketResult.New);
  });
});
