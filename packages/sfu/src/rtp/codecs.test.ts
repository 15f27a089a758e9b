import { describe, expect, it } from 'vitest';
import { isH264KeyFrame } from './h264.js';
import { Vp8Descriptor, isVp8KeyFrame, parseVp8PayloadDescriptor, setVp8PictureId, setVp8Tl0PicIdx } from './vp8.js';
import { isVp9KeyFrame } from './vp9.js';

const b = (...bytes: number[]): Uint8Array => Uint8Array.from(bytes);

describe('VP8 payload descriptor', () => {
  it('parses the minimal descriptor of a key frame start', () => {
    // S=1 PID=0; VP8 header byte with P=0 (key frame).
    const buf = b(0x10, 0x9c, 0x01, 0x2a);
    const d = new Vp8Descriptor();
    expect(parseVp8PayloadDescriptor(buf, 0, buf.length, d)).toBe(true);
    expect(d).toMatchObject({ extended: false, startOfPartition: true, partitionIndex: 0, length: 1, isKeyFrame: true });
    expect(isVp8KeyFrame(buf, 0, buf.length)).toBe(true);
  });

  it('parses a full extended descriptor (15-bit picture id, TL0PICIDX, TID/Y, KEYIDX)', () => {
    // X=1 N=1 S=1 PID=0 | I L T K | M=1 pid=0x1234 | tl0=0x55 | TID=2 Y=1 KEYIDX=5 | P=1 (delta)
    const buf = b(0xb0, 0xf0, 0x80 | 0x12, 0x34, 0x55, (2 << 6) | 0x20 | 5, 0x01, 0xff);
    const d = new Vp8Descriptor();
    expect(parseVp8PayloadDescriptor(buf, 0, buf.length, d)).toBe(true);
    expect(d).toMatchObject({
      extended: true,
      nonReference: true,
      startOfPartition: true,
      hasPictureId: true,
      pictureId: 0x1234,
      pictureIdLong: true,
      pictureIdOffset: 2,
      hasTl0PicIdx: true,
      tl0PicIdx: 0x55,
      tl0PicIdxOffset: 4,
      hasTid: true,
      tid: 2,
      layerSync: true,
      hasKeyIdx: true,
      keyIdx: 5,
      length: 6,
      isKeyFrame: false,
    });
  });

  it('detects key frames only at the start of partition 0', () => {
    // 7-bit picture id, key frame.
    expect(isVp8KeyFrame(b(0x90, 0x80, 0x05, 0x00), 0, 4)).toBe(true);
    // Same but S=0 (continuation).
    expect(isVp8KeyFrame(b(0x80, 0x80, 0x05, 0x00), 0, 4)).toBe(false);
    // Partition 1.
    expect(isVp8KeyFrame(b(0x91, 0x80, 0x05, 0x00), 0, 4)).toBe(false);
    // Delta frame (P=1).
    expect(isVp8KeyFrame(b(0x90, 0x80, 0x05, 0x01), 0, 4)).toBe(false);
    // Descriptor only, no payload byte.
    expect(isVp8KeyFrame(b(0x90, 0x80, 0x05), 0, 3)).toBe(false);
    // With a non-zero offset into a larger buffer.
    expect(isVp8KeyFrame(b(0xaa, 0xbb, 0x10, 0x00), 2, 2)).toBe(true);
  });

  it('rejects truncated descriptors', () => {
    const d = new Vp8Descriptor();
    expect(parseVp8PayloadDescriptor(b(0x80), 0, 1, d)).toBe(false);
    expect(parseVp8PayloadDescriptor(b(0x80, 0x80), 0, 2, d)).toBe(false);
    expect(parseVp8PayloadDescriptor(b(0x80, 0x80, 0x80), 0, 3, d)).toBe(false);
    expect(parseVp8PayloadDescriptor(b(0x80, 0x40), 0, 2, d)).toBe(false);
    expect(parseVp8PayloadDescriptor(b(0x80, 0x20), 0, 2, d)).toBe(false);
    expect(parseVp8PayloadDescriptor(b(), 0, 0, d)).toBe(false);
    expect(parseVp8PayloadDescriptor(b(0x10), 0, 5, d)).toBe(false);
  });

  it('rewrites picture id and TL0PICIDX in place', () => {
    const long = b(0x90, 0xc0, 0x80 | 0x7f, 0xff, 0x10, 0x00);
    const d = new Vp8Descriptor();
    parseVp8PayloadDescriptor(long, 0, long.length, d);
    expect(setVp8PictureId(long, d, 0x8001)).toBe(true); // truncated to 15 bits
    expect(setVp8Tl0PicIdx(long, d, 0x1ff)).toBe(true);
    parseVp8PayloadDescriptor(long, 0, long.length, d);
    expect(d.pictureId).toBe(1);
    expect(d.pictureIdLong).toBe(true);
    expect(d.tl0PicIdx).toBe(0xff);
    expect(d.isKeyFrame).toBe(true);

    const short = b(0x90, 0x80, 0x05, 0x00);
    parseVp8PayloadDescriptor(short, 0, short.length, d);
    setVp8PictureId(short, d, 0x85);
    parseVp8PayloadDescriptor(short, 0, short.length, d);
    expect(d.pictureId).toBe(0x05);
    expect(d.pictureIdLong).toBe(false);
    expect(setVp8Tl0PicIdx(short, d, 3)).toBe(false);
  });
});

describe('VP9 key frames', () => {
  it('detects B=1 P=0 in spatial layer 0', () => {
    // I=1 (15-bit pid), B=1
    expect(isVp9KeyFrame(b(0x88, 0x80, 0x01, 0xaa), 0, 4)).toBe(true);
    // L=1 non-flexible: layer byte SID=0, TL0PICIDX.
    expect(isVp9KeyFrame(b(0xa8, 0x01, 0x00, 0x07, 0xaa), 0, 5)).toBe(true);
    // SID=1 is not the key frame start.
    expect(isVp9KeyFrame(b(0xa8, 0x01, 0x02, 0x07, 0xaa), 0, 5)).toBe(false);
    // P=1 inter-predicted.
    expect(isVp9KeyFrame(b(0xc8, 0x01, 0xaa), 0, 3)).toBe(false);
    // B=0 not the start of the frame.
    expect(isVp9KeyFrame(b(0x80, 0x01, 0xaa), 0, 3)).toBe(false);
    // Truncated.
    expect(isVp9KeyFrame(b(0x88), 0, 1)).toBe(false);
    expect(isVp9KeyFrame(b(0x88, 0x80), 0, 2)).toBe(false);
  });
});

describe('H.264 key frames', () => {
  it('detects IDR and SPS in single NAL, STAP-A and FU-A packets', () => {
    expect(isH264KeyFrame(b(0x65, 0x88), 0, 2)).toBe(true); // IDR
    expect(isH264KeyFrame(b(0x67, 0x42), 0, 2)).toBe(true); // SPS
    expect(isH264KeyFrame(b(0x41, 0x9a), 0, 2)).toBe(false); // non-IDR slice
    expect(isH264KeyFrame(b(0x68, 0xce), 0, 2)).toBe(false); // PPS alone
    // STAP-A with SPS + PPS.
    expect(isH264KeyFrame(b(0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce), 0, 9)).toBe(true);
    // STAP-A with only slices.
    expect(isH264KeyFrame(b(0x78, 0x00, 0x02, 0x41, 0x9a, 0x00, 0x02, 0x41, 0x9b), 0, 9)).toBe(false);
    // STAP-A with a size running past the end.
    expect(isH264KeyFrame(b(0x78, 0x00, 0x09, 0x67), 0, 4)).toBe(false);
    // FU-A start of IDR, middle of IDR, start of non-IDR.
    expect(isH264KeyFrame(b(0x7c, 0x85, 0x00), 0, 3)).toBe(true);
    expect(isH264KeyFrame(b(0x7c, 0x05, 0x00), 0, 3)).toBe(false);
    expect(isH264KeyFrame(b(0x7c, 0x81, 0x00), 0, 3)).toBe(false);
    expect(isH264KeyFrame(b(0x7c), 0, 1)).toBe(false);
    expect(isH264KeyFrame(b(), 0, 0)).toBe(false);
  });
});
