import { describe, expect, it } from 'vitest';
import { Vp8Descriptor, isVp8KeyFrame, parseVp8PayloadDescriptor, setVp8PictureId, setVp8Tl0PicIdx } from './vp8.js';

interface Fields {
  pic?: { id: number; long: boolean } | undefined;
  tl0?: number | undefined;
  tid?: { tid: number; sync: boolean } | undefined;
  keyIdx?: number | undefined;
  start: boolean;
  partition: number;
  nonReference: boolean;
  key: boolean;
}

/** Builds a descriptor (RFC 7741 §4.2) with exactly the given fields, then one VP8 payload header byte. */
function build(f: Fields): { buf: Uint8Array; descLength: number } {
  const bytes: number[] = [];
  const extended = f.pic !== undefined || f.tl0 !== undefined || f.tid !== undefined || f.keyIdx !== undefined;
  bytes.push((extended ? 0x80 : 0) | (f.nonReference ? 0x20 : 0) | (f.start ? 0x10 : 0) | f.partition);
  if (extended) {
    bytes.push((f.pic ? 0x80 : 0) | (f.tl0 !== undefined ? 0x40 : 0) | (f.tid ? 0x20 : 0) | (f.keyIdx !== undefined ? 0x10 : 0));
    if (f.pic) {
      if (f.pic.long) bytes.push(0x80 | ((f.pic.id >> 8) & 0x7f), f.pic.id & 0xff);
      else bytes.push(f.pic.id & 0x7f);
    }
    if (f.tl0 !== undefined) bytes.push(f.tl0);
    if (f.tid || f.keyIdx !== undefined) bytes.push((f.tid ? (f.tid.tid << 6) | (f.tid.sync ? 0x20 : 0) : 0) | (f.keyIdx ?? 0));
  }
  const descLength = bytes.length;
  bytes.push(f.key ? 0x00 : 0x01, 0x9d, 0x01, 0x2a);
  return { buf: Uint8Array.from(bytes), descLength };
}

/** Every combination of I (7/15 bit), L, T (each TID, Y on and off), K, S, N and key/delta. */
function* combinations(): Generator<Fields> {
  const pics = [undefined, { id: 0x5a, long: false }, { id: 0x7f, long: false }, { id: 0x1234, long: true }, { id: 0x7fff, long: true }];
  const tl0s = [undefined, 0, 0xa7];
  const tids = [
    undefined,
    ...[0, 1, 2, 3].flatMap((tid) => [
      { tid, sync: false },
      { tid, sync: true },
    ]),
  ];
  const keyIdxs = [undefined, 0, 0x1f];
  for (const pic of pics)
    for (const tl0 of tl0s)
      for (const tid of tids)
        for (const keyIdx of keyIdxs)
          for (const start of [false, true])
            for (const key of [false, true]) yield { pic, tl0, tid, keyIdx, start, key, partition: start ? 0 : 3, nonReference: !key };
}

describe('VP8 payload descriptor, every field combination', () => {
  it('parses each field where it was written, at any offset', () => {
    const d = new Vp8Descriptor();
    let n = 0;
    for (const f of combinations()) {
      const { buf, descLength } = build(f);
      for (const pad of [0, 3]) {
        const padded = new Uint8Array(buf.length + pad + 2).fill(0xee);
        padded.set(buf, pad);
        expect(parseVp8PayloadDescriptor(padded, pad, buf.length, d)).toBe(true);
        expect(d.length).toBe(descLength);
        expect(d.extended).toBe(descLength > 1);
        expect(d.startOfPartition).toBe(f.start);
        expect(d.partitionIndex).toBe(f.partition);
        expect(d.nonReference).toBe(f.nonReference);
        expect(d.hasPictureId).toBe(f.pic !== undefined);
        expect(d.pictureId).toBe(f.pic?.id ?? 0);
        expect(d.pictureIdLong).toBe(f.pic?.long ?? false);
        expect(d.pictureIdOffset).toBe(f.pic ? pad + 2 : -1);
        expect(d.hasTl0PicIdx).toBe(f.tl0 !== undefined);
        expect(d.tl0PicIdx).toBe(f.tl0 ?? 0);
        expect(d.tl0PicIdxOffset).toBe(f.tl0 !== undefined ? pad + 2 + (f.pic ? (f.pic.long ? 2 : 1) : 0) : -1);
        expect(d.hasTid).toBe(f.tid !== undefined);
        expect(d.tid).toBe(f.tid?.tid ?? 0);
        expect(d.layerSync).toBe(f.tid?.sync ?? false);
        expect(d.hasKeyIdx).toBe(f.keyIdx !== undefined);
        expect(d.keyIdx).toBe(f.keyIdx ?? 0);
        expect(d.isKeyFrame).toBe(f.key && f.start);
        expect(isVp8KeyFrame(padded, pad, buf.length)).toBe(f.key && f.start);
        n++;
      }
    }
    expect(n).toBe(2 * 5 * 3 * 9 * 3 * 2 * 2);
  });

  it('rewrites picture id and TL0PICIDX in place, keeping the width and every other byte', () => {
    const d = new Vp8Descriptor();
    for (const f of combinations()) {
      const { buf } = build(f);
      const before = Uint8Array.from(buf);
      parseVp8PayloadDescriptor(buf, 0, buf.length, d);
      expect(setVp8PictureId(buf, d, 0x4321)).toBe(f.pic !== undefined);
      expect(setVp8Tl0PicIdx(buf, d, 0x1fe)).toBe(f.tl0 !== undefined);
      const after = new Vp8Descriptor();
      expect(parseVp8PayloadDescriptor(buf, 0, buf.length, after)).toBe(true);
      expect(after.pictureId).toBe(f.pic ? (f.pic.long ? 0x4321 : 0x21) : 0);
      expect(after.pictureIdLong).toBe(f.pic?.long ?? false);
      expect(after.tl0PicIdx).toBe(f.tl0 !== undefined ? 0xfe : 0);
      expect({ ...after, pictureId: 0, tl0PicIdx: 0 }).toEqual({ ...d, pictureId: 0, tl0PicIdx: 0 });
      // Only the picture id and TL0PICIDX bytes changed.
      for (let i = 0; i < buf.length; i++) {
        const inPic = d.pictureIdOffset >= 0 && i >= d.pictureIdOffset && i < d.pictureIdOffset + (d.pictureIdLong ? 2 : 1);
        if (!inPic && i !== d.tl0PicIdxOffset) expect(buf[i]).toBe(before[i]);
      }
    }
  });

  it('returns false on every truncation of an extended descriptor, and never reads past the range', () => {
    const d = new Vp8Descriptor();
    for (const f of combinations()) {
      const { buf, descLength } = build(f);
      if (descLength === 1) continue;
      for (let len = 0; len < descLength; len++) {
        // The bytes after the range would complete the descriptor: they must not be read.
        expect(parseVp8PayloadDescriptor(buf, 0, len, d)).toBe(false);
        expect(isVp8KeyFrame(buf, 0, len)).toBe(false);
      }
      // The descriptor alone (no payload header byte) parses but is not a key frame.
      expect(parseVp8PayloadDescriptor(buf, 0, descLength, d)).toBe(true);
      expect(d.isKeyFrame).toBe(false);
    }
  });

  it('rejects ranges outside the buffer and never throws on random bytes', () => {
    const d = new Vp8Descriptor();
    const buf = Uint8Array.from([0x90, 0xe0, 0x80, 0x01, 0x02, 0x40, 0x00]);
    expect(parseVp8PayloadDescriptor(buf, -1, 3, d)).toBe(false);
    expect(parseVp8PayloadDescriptor(buf, 5, 3, d)).toBe(false);
    expect(parseVp8PayloadDescriptor(buf, 7, 0, d)).toBe(false);
    expect(parseVp8PayloadDescriptor(buf, 0, -4, d)).toBe(false);
    expect(isVp8KeyFrame(buf, 0, 100)).toBe(false);
    let seed = 1;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed >> 8;
    };
    for (let n = 0; n < 5000; n++) {
      const len = rnd() % 10;
      const r = new Uint8Array(len);
      for (let i = 0; i < len; i++) r[i] = rnd() & 0xff;
      const ok = parseVp8PayloadDescriptor(r, 0, len, d);
      if (ok) {
        expect(d.length).toBeGreaterThan(0);
        expect(d.length).toBeLessThanOrEqual(len);
        expect(d.tid).toBeLessThan(4);
      }
      // A throw fails the test.
      setVp8PictureId(r, d, rnd());
      setVp8Tl0PicIdx(r, d, rnd());
    }
  });
});
