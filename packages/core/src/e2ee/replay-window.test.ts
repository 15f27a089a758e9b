import { describe, expect, it } from 'vitest';
import { ReplayWindow } from './replay-window.js';

describe('ReplayWindow', () => {
  it('accepts in-order counters once', () => {
    const w = new ReplayWindow(128);
    for (let c = 0; c < 1000; c++) expect(w.accept(c)).toBe(true);
    for (let c = 990; c < 1000; c++) expect(w.accept(c)).toBe(false);
  });
  it('accepts reordered counters inside the window, rejects duplicates and far-old ones', () => {
    const w = new ReplayWindow(128);
    expect(w.accept(500)).toBe(true);
    expect(w.accept(400)).toBe(true);
    expect(w.accept(400)).toBe(false);
    expect(w.accept(373)).toBe(true); // 500 - 127
    expect(w.accept(372)).toBe(false); // 500 - 128: too old
    expect(w.accept(0)).toBe(false);
  });
  it('check() has no side effects (forgeries cannot move the window)', () => {
    const w = new ReplayWindow(128);
    w.accept(10);
    expect(w.check(1_000_000)).toBe(true);
    expect(w.highest).toBe(10);
    expect(w.accept(9)).toBe(true);
  });
  it('matches a reference set model on random sequences', () => {
    let s = 5;
    const rnd = () => (s = (s * 1103515245 + 12345) & 0x7fffffff);
    for (let run = 0; run < 50; run++) {
      const w = new ReplayWindow(128);
      const seen = new Set<number>();
      let max = -1;
      let next = 0;
      for (let i = 0; i < 400; i++) {
        const r = rnd() % 10;
        const ctr = r < 6 ? next++ : r < 8 ? Math.max(0, next - (rnd() % 200)) : next + (rnd() % 300);
        if (ctr >= next) next = ctr + 1;
        const expected = !seen.has(ctr) && (ctr > max || max - ctr < 128);
        expect(w.accept(ctr), `ctr ${ctr} max ${max}`).toBe(expected);
        if (expected) {
          seen.add(ctr);
          max = Math.max(max, ctr);
        }
      }
    }
  });
  it('rejects invalid counters', () => {
    const w = new ReplayWindow();
    expect(w.accept(-1)).toBe(false);
    expect(w.accept(1.5)).toBe(false);
    expect(w.accept(Number.NaN)).toBe(false);
  });
});
