import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameReader, MAX_TCP_FRAME } from './tcp-framing.js';

const packet = (n: number, fill: number): Buffer => Buffer.alloc(n, fill);

describe('RFC 4571 framing', () => {
  it('encodes a 16-bit big-endian length before the packet', () => {
    const f = encodeFrame(Buffer.from([1, 2, 3]));
    expect([...f]).toEqual([0, 3, 1, 2, 3]);
    expect(encodeFrame(packet(300, 7)).readUInt16BE(0)).toBe(300);
    expect(() => encodeFrame(packet(MAX_TCP_FRAME + 1, 0))).toThrow(RangeError);
  });

  it('reassembles frames split at every byte, including inside the length prefix', () => {
    const a = packet(200, 0xaa);
    const b = packet(1, 0xbb);
    const c = packet(1200, 0xcc);
    const stream = Buffer.concat([encodeFrame(a), encodeFrame(b), encodeFrame(c)]);
    const reader = new FrameReader();
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i++) out.push(...reader.push(stream.subarray(i, i + 1)));
    expect(out).toEqual([a, b, c]);
    expect(reader.buffered).toBe(0);
    expect(reader.error).toBeUndefined();
  });

  it('splits coalesced frames out of one chunk and keeps a trailing partial frame for the next', () => {
    const a = packet(20, 1);
    const b = packet(40, 2);
    const c = packet(60, 3);
    const stream = Buffer.concat([encodeFrame(a), encodeFrame(b), encodeFrame(c)]);
    const reader = new FrameReader();
    const first = reader.push(stream.subarray(0, stream.length - 10));
    expect(first).toEqual([a, b]);
    expect(reader.buffered).toBe(2 + 60 - 10);
    expect(reader.push(stream.subarray(stream.length - 10))).toEqual([c]);
    expect(reader.buffered).toBe(0);
  });

  it('returns frames that do not alias the chunk they came in (the socket may reuse it)', () => {
    const chunk = encodeFrame(Buffer.from([9, 9, 9]));
    const [frame] = new FrameReader().push(chunk);
    chunk.fill(0);
    expect([...frame!]).toEqual([9, 9, 9]);
  });

  it('rejects an oversize length without buffering it, and ignores everything after', () => {
    const reader = new FrameReader();
    const good = packet(10, 5);
    const bad = Buffer.alloc(2);
    bad.writeUInt16BE(MAX_TCP_FRAME + 1, 0);
    const out = reader.push(Buffer.concat([encodeFrame(good), bad, packet(100, 0)]));
    expect(out).toEqual([good]);
    expect(reader.error).toBe('oversize');
    expect(reader.buffered).toBe(0);
    expect(reader.push(encodeFrame(good))).toEqual([]);
  });

  it('rejects a zero-length frame', () => {
    const reader = new FrameReader();
    expect(reader.push(Buffer.from([0, 0, 1, 2]))).toEqual([]);
    expect(reader.error).toBe('empty');
  });

  it('never holds more than one maximal frame of garbage (an HTTP request reads as an oversize length)', () => {
    const reader = new FrameReader();
    expect(reader.push(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))).toEqual([]);
    // 'GE' = 0x4745 = 18245 > MAX_TCP_FRAME
    expect(reader.error).toBe('oversize');
    const slow = new FrameReader();
    const header = Buffer.alloc(2);
    header.writeUInt16BE(MAX_TCP_FRAME, 0);
    slow.push(header);
    for (let i = 0; i < MAX_TCP_FRAME - 1; i += 1000) slow.push(packet(Math.min(1000, MAX_TCP_FRAME - 1 - i), 1));
    expect(slow.buffered).toBe(MAX_TCP_FRAME + 1);
    expect(slow.push(Buffer.from([1]))).toHaveLength(1);
    expect(slow.buffered).toBe(0);
  });
});
