import { randomBytes } from 'node:crypto';
import { RtpHeader, RtpPacket } from 'werift';
import { describe, expect, it } from 'vitest';
import {
  RtpHeaderView,
  createExtensionIdTable,
  findHeaderExtension,
  isRtcp,
  isRtpOrRtcp,
  parseRtpHeader,
  readHeaderExtensionString,
  remapHeaderExtensions,
  setRtpMarker,
  setRtpPayloadType,
  setRtpSequenceNumber,
  setRtpSsrc,
  RtpHeaderRewrite,
  setRtpTimestamp,
  unwrapSeq16,
  writeRewrittenRtpHeader,
} from './rtp-header.js';

type Ext = { id: number; payload: Buffer };

function werift(opts: {
  extensions?: Ext[];
  twoByte?: boolean;
  csrc?: number[];
  payload?: Buffer;
  padding?: number;
  marker?: boolean;
}): Buffer {
  const header = new RtpHeader({
    payloadType: 96,
    sequenceNumber: 65530,
    timestamp: 0xfffffff0,
    ssrc: 0xdeadbeef,
    marker: opts.marker ?? true,
    csrc: opts.csrc ?? [],
    csrcLength: opts.csrc?.length ?? 0,
    extension: (opts.extensions?.length ?? 0) > 0,
    extensionProfile: opts.twoByte ? 0x1000 : 0xbede,
    extensions: opts.extensions ?? [],
  });
  const payload = opts.payload ?? Buffer.from('hello payload');
  if (opts.padding) {
    // werift appends the padding itself from paddingSize.
    header.padding = true;
    header.paddingSize = opts.padding;
  }
  return new RtpPacket(header, payload).serialize();
}

const exts: Ext[] = [
  { id: 1, payload: Buffer.from('0') }, // mid
  { id: 3, payload: Buffer.from([0x12, 0x34, 0x56]) }, // abs-send-time
  { id: 10, payload: Buffer.from([0x85]) }, // audio level
  { id: 4, payload: Buffer.from('hi') }, // rid
];

describe('parseRtpHeader', () => {
  it.each([
    ['plain', {}],
    ['with CSRCs', { csrc: [1, 2, 0xffffffff] }],
    ['with one-byte extensions', { extensions: exts }],
    ['with two-byte extensions', { extensions: [...exts, { id: 200, payload: Buffer.alloc(20, 7) }], twoByte: true }],
    ['with padding', { padding: 7, extensions: exts }],
    ['without marker', { marker: false }],
  ])('agrees with werift %s', (_name, opts) => {
    const buf = werift(opts);
    const ref = RtpPacket.deSerialize(buf);
    const h = new RtpHeaderView();
    expect(parseRtpHeader(buf, h)).toBe(true);
    expect(h.payloadType).toBe(ref.header.payloadType);
    expect(h.sequenceNumber).toBe(ref.header.sequenceNumber);
    expect(h.timestamp).toBe(ref.header.timestamp);
    expect(h.ssrc).toBe(ref.header.ssrc);
    expect(h.marker).toBe(ref.header.marker);
    expect(h.csrcCount).toBe(ref.header.csrcLength);
    expect(h.padding).toBe(ref.header.padding);
    const payload = Buffer.from(buf.subarray(h.payloadOffset, h.payloadOffset + h.payloadLength));
    expect(payload.toString()).toBe('hello payload');
    for (const ext of ref.header.extensions) {
      const off = findHeaderExtension(buf, h, ext.id);
      expect(off).toBeGreaterThan(0);
      expect(Buffer.from(buf.subarray(off, off + h.foundLength))).toEqual(ext.payload);
    }
    expect(findHeaderExtension(buf, h, 9)).toBe(-1);
  });

  it('rejects non-RTP and truncated packets', () => {
    const h = new RtpHeaderView();
    const good = werift({ extensions: exts, csrc: [5] });
    expect(parseRtpHeader(good.subarray(0, 11), h)).toBe(false);
    const v1 = Buffer.from(good);
    v1[0] = (v1[0]! & 0x3f) | 0x40;
    expect(parseRtpHeader(v1, h)).toBe(false);
    // Truncated inside the CSRC list and inside the extension.
    expect(parseRtpHeader(good.subarray(0, 14), h)).toBe(false);
    expect(parseRtpHeader(good.subarray(0, 20), h)).toBe(false);
    // Padding count larger than the packet.
    const pad = werift({ padding: 4 });
    pad[pad.length - 1] = 200;
    expect(parseRtpHeader(pad, h)).toBe(false);
    // An RTCP receiver report is not RTP.
    const rr = Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 1]);
    expect(parseRtpHeader(Buffer.concat([rr, Buffer.alloc(8)]), h)).toBe(false);
    expect(isRtcp(rr)).toBe(true);
    expect(isRtcp(good)).toBe(false);
    expect(isRtpOrRtcp(good)).toBe(true);
    expect(isRtpOrRtcp(Buffer.from([0x16, 0xfe, 0xfd, 0]))).toBe(false);
  });

  it('never throws on random and truncated input', () => {
    const h = new RtpHeaderView();
    const base = werift({ extensions: exts, csrc: [1, 2] });
    let parsed = 0;
    for (let i = 0; i < 10_000; i++) {
      const buf = i % 2 ? randomBytes(i % 64) : Buffer.from(base.subarray(0, i % base.length));
      if (i % 2) buf[0] = 0x80 | (buf[0]! & 0x3f);
      if (parseRtpHeader(buf, h)) {
        parsed++;
        expect(h.payloadOffset + h.payloadLength + h.paddingLength).toBe(buf.length);
        findHeaderExtension(buf, h, 1);
        remapHeaderExtensions(buf, h, createExtensionIdTable([[1, 2]]));
      }
    }
    expect(parsed).toBeGreaterThan(0);
  });
});

describe('rewrite in place', () => {
  it('writes ssrc, pt, seq, ts and marker that werift reads back, leaving the rest', () => {
    const buf = werift({ extensions: exts, csrc: [7] });
    const before = RtpPacket.deSerialize(Buffer.from(buf));
    setRtpSsrc(buf, 0x01020304);
    setRtpPayloadType(buf, 101);
    setRtpSequenceNumber(buf, 0xfffe);
    setRtpTimestamp(buf, 0x80000001);
    setRtpMarker(buf, false);
    const after = RtpPacket.deSerialize(buf);
    expect(after.header.ssrc).toBe(0x01020304);
    expect(after.header.payloadType).toBe(101);
    expect(after.header.sequenceNumber).toBe(0xfffe);
    expect(after.header.timestamp).toBe(0x80000001);
    expect(after.header.marker).toBe(false);
    expect(after.header.csrc).toEqual([7]);
    expect(after.header.extensions).toEqual(before.header.extensions);
    expect(after.payload).toEqual(before.payload);
    setRtpMarker(buf, true);
    setRtpPayloadType(buf, 0);
    expect(RtpPacket.deSerialize(buf).header.marker).toBe(true);
    expect(RtpPacket.deSerialize(buf).header.payloadType).toBe(0);
  });

  it.each([false, true])('remaps extension ids and strips unmapped ones (two-byte: %s)', (twoByte) => {
    const buf = werift({ extensions: exts, twoByte });
    const h = new RtpHeaderView();
    parseRtpHeader(buf, h);
    // Chrome ids → router ids: mid 1→1, abs-send-time 3→4, audio level 10→10, rid 4 stripped.
    const table = createExtensionIdTable([
      [1, 1],
      [3, 4],
      [10, 10],
    ]);
    expect(remapHeaderExtensions(buf, h, table)).toBe(true);
    const ref = RtpPacket.deSerialize(buf);
    expect(ref.header.extensions.map((e) => [e.id, [...e.payload]])).toEqual([
      [1, [0x30]],
      [4, [0x12, 0x34, 0x56]],
      [10, [0x85]],
    ]);
    expect(ref.payload.toString()).toBe('hello payload');
    parseRtpHeader(buf, h);
    expect(readHeaderExtensionString(buf, h, 1)).toBe('0');
    expect(findHeaderExtension(buf, h, 4)).toBeGreaterThan(0);
    expect(readHeaderExtensionString(buf, h, 3)).toBeUndefined();
  });

  it('reads MID and RID strings', () => {
    const buf = werift({
      extensions: [
        { id: 9, payload: Buffer.from('video0') },
        { id: 12, payload: Buffer.from('r1') },
      ],
    });
    const h = new RtpHeaderView();
    parseRtpHeader(buf, h);
    expect(readHeaderExtensionString(buf, h, 9)).toBe('video0');
    expect(readHeaderExtensionString(buf, h, 12)).toBe('r1');
    expect(readHeaderExtensionString(buf, h, 13)).toBeUndefined();
  });

  it('reports malformed extension blocks', () => {
    const buf = werift({ extensions: [{ id: 2, payload: Buffer.from([1, 2, 3, 4]) }] });
    const h = new RtpHeaderView();
    parseRtpHeader(buf, h);
    // Element claims 16 bytes in an 8-byte block.
    buf[h.extensionOffset] = 0x2f;
    expect(remapHeaderExtensions(buf, h, createExtensionIdTable([[2, 3]]))).toBe(false);
    expect(findHeaderExtension(buf, h, 2)).toBe(-1);
  });
});

describe('writeRewrittenRtpHeader', () => {
  const wire = (
    exts: Ext[],
    csrc: number[],
    fields: { pt: number; seq: number; ts: number; ssrc: number; marker: boolean },
    twoByte = false,
  ) => {
    const h = new RtpHeader({
      payloadType: fields.pt,
      sequenceNumber: fields.seq,
      timestamp: fields.ts,
      ssrc: fields.ssrc,
      marker: fields.marker,
      csrc,
    });
    h.csrcLength = csrc.length;
    h.extensions = exts;
    h.extension = exts.length > 0;
    if (h.extension) h.extensionProfile = twoByte || exts.some((e) => e.id > 14 || e.payload.length > 16) ? 0x1000 : 0xbede;
    return h.serialize(h.serializeSize);
  };
  const source = { pt: 96, seq: 1, ts: 2, ssrc: 3, marker: false };
  const target = { pt: 101, seq: 65535, ts: 0xfedcba98, ssrc: 0x89abcdef, marker: true };

  const rewrite = (src: Buffer, rw: RtpHeaderRewrite): Buffer => {
    const payload = Buffer.from([0xaa, 0xbb]);
    const buf = Buffer.concat([src, payload]);
    const view = new RtpHeaderView();
    expect(parseRtpHeader(buf, view)).toBe(true);
    rw.payloadType = target.pt;
    rw.sequenceNumber = target.seq;
    rw.timestamp = target.ts;
    rw.ssrc = target.ssrc;
    rw.marker = target.marker;
    const out = Buffer.alloc(200, 0x55);
    const n = writeRewrittenRtpHeader(buf, view, out, rw);
    return out.subarray(0, n);
  };

  it("writes what werift's serialiser writes for the rewritten header: CSRCs kept, no extensions", () => {
    const rw = new RtpHeaderRewrite();
    expect(rewrite(wire([], [7, 0xffffffff], source), rw).toString('hex')).toBe(wire([], [7, 0xffffffff], target).toString('hex'));
    expect(rw.twccOffset).toBe(-1);
  });

  it('renumbers and leaves out elements, replaces the MID, and says where the transport-wide sequence number is', () => {
    const rw = new RtpHeaderRewrite();
    rw.extIds[1] = 1;
    rw.extIds[4] = 9;
    rw.extIds[5] = 3;
    rw.midId = 1;
    rw.midValue = Buffer.from('abc');
    rw.twccId = 5;
    const src = wire(
      [
        { id: 1, payload: Buffer.from('0') },
        { id: 6, payload: Buffer.from([9, 9]) }, // not mapped: left out
        { id: 4, payload: Buffer.from([1, 2, 3]) },
        { id: 5, payload: Buffer.from([0, 7]) },
      ],
      [],
      source,
    );
    const out = rewrite(src, rw);
    const expected = wire(
      [
        { id: 1, payload: Buffer.from('abc') },
        { id: 9, payload: Buffer.from([1, 2, 3]) },
        { id: 3, payload: Buffer.from([0, 7]) },
      ],
      [],
      target,
    );
    expect(out.toString('hex')).toBe(expected.toString('hex'));
    expect(out.readUInt16BE(rw.twccOffset)).toBe(7);
  });

  it('switches to the two-byte form when a written id or value does not fit the one-byte form', () => {
    const rw = new RtpHeaderRewrite();
    rw.extIds[2] = 20;
    rw.extIds[3] = 3;
    const src = wire(
      [
        { id: 2, payload: Buffer.from([5]) },
        { id: 3, payload: Buffer.alloc(16, 9) },
      ],
      [1],
      source,
    );
    const expected = wire(
      [
        { id: 20, payload: Buffer.from([5]) },
        { id: 3, payload: Buffer.alloc(16, 9) },
      ],
      [1],
      target,
    );
    expect(rewrite(src, rw).toString('hex')).toBe(expected.toString('hex'));
  });
});

describe('writeRewrittenRtpHeader: bytes written', () => {
  /** Hex pieces (one per element, for reading) joined. */
  const hex = (...pieces: string[]): string => pieces.join('');
  // Source: PT 96, seq 1, ts 2, SSRC 3, `cc` CSRCs (0c0c0c0c each), the extension block `ext` (hex,
  // whole words) under `profile` (no X bit if `ext` is undefined), payload aabb.
  const packet = (ext: string | undefined, profile = 0xbede, cc = 0): { buf: Buffer; view: RtpHeaderView } => {
    const b0 = 0x80 | (ext === undefined ? 0 : 0x10) | cc;
    const x = ext === undefined ? '' : hex(profile.toString(16).padStart(4, '0'), (ext.length / 8).toString(16).padStart(4, '0'), ext);
    const buf = Buffer.from(hex(b0.toString(16), '60', '0001', '00000002', '00000003', '0c0c0c0c'.repeat(cc), x, 'aabb'), 'hex');
    const view = new RtpHeaderView();
    expect(parseRtpHeader(buf, view)).toBe(true);
    return { buf, view };
  };
  // The consumer's fields: marker and PT 101 (e5), seq 0x1234, ts 0x01020304, SSRC 0x0a0b0c0d.
  const fixed = hex('e5', '1234', '01020304', '0a0b0c0d');
  const consumer = (map: [from: number, to: number][], mid?: string, twccId = 0): RtpHeaderRewrite => {
    const rw = new RtpHeaderRewrite();
    for (const [from, to] of map) rw.extIds[from] = to;
    if (mid !== undefined) {
      rw.midId = 1;
      rw.midValue = Buffer.from(mid);
    }
    rw.twccId = twccId;
    rw.twccOffset = 99;
    rw.payloadType = 101;
    rw.marker = true;
    rw.sequenceNumber = 0x1234;
    rw.timestamp = 0x01020304;
    rw.ssrc = 0x0a0b0c0d;
    return rw;
  };
  // The written header in hex; the rest of the destination must be left as it was (55).
  const write = ({ buf, view }: { buf: Buffer; view: RtpHeaderView }, rw: RtpHeaderRewrite): string => {
    const dst = Buffer.alloc(128, 0x55);
    const n = writeRewrittenRtpHeader(buf, view, dst, rw);
    expect(dst.subarray(n).every((b) => b === 0x55)).toBe(true);
    return dst.subarray(0, n).toString('hex');
  };

  it('writes the one-byte form when every element fits it, from either source form', () => {
    // MID (1, "0") replaced by "ab", transport-wide seq (3 → 4, value 0007), 5 → 2 (3 bytes); padded.
    const map: [number, number][] = [
      [1, 1],
      [3, 4],
      [5, 2],
    ];
    const rw = consumer(map, 'ab', 3);
    const expected = hex('90', fixed, 'bede0003', '116162', '410007', '22010203', '0000');
    expect(write(packet(hex('1030', '310007', '52010203', '000000')), rw)).toBe(expected);
    expect(rw.twccOffset).toBe(20);
    // The same elements in a two-byte source block (with a padding byte between two of them).
    expect(write(packet(hex('010130', '00', '03020007', '0503010203', '000000'), 0x1000), rw)).toBe(expected);
    expect(rw.twccOffset).toBe(20);
  });

  it('starts again in the two-byte form when a later element does not fit the one-byte form', () => {
    // MID and transport-wide seq fit and are written first; 7 → 15 does not.
    const map: [number, number][] = [
      [1, 1],
      [3, 3],
      [7, 15],
    ];
    const rw = consumer(map, 'ab', 3);
    expect(write(packet(hex('1030', '310007', '7009', '00')), rw)).toBe(
      hex('90', fixed, '10000003', '01026162', '03020007', '0f0109', '00'),
    );
    // The offset is the one in the two-byte block, not the one first written.
    expect(rw.twccOffset).toBe(22);
    // An empty value (only in a two-byte source) cannot be written in the one-byte form either.
    const keep: [number, number][] = [
      [1, 1],
      [5, 5],
      [3, 3],
    ];
    const empty = consumer(keep, 'a', 3);
    expect(write(packet(hex('010130', '0500', '03020007', '000000'), 0x1000), empty)).toBe(
      hex('90', fixed, '10000003', '010161', '0500', '03020007', '000000'),
    );
    expect(empty.twccOffset).toBe(23);
    // Nor can a MID value longer than 16 bytes, nor an id above 14.
    const long = Buffer.from('abcdefghijklmnopq').toString('hex');
    expect(write(packet(hex('1030', '310007', '000000')), consumer([[1, 1]], 'abcdefghijklmnopq'))).toBe(
      hex('90', fixed, '10000005', '0111', long, '00'),
    );
    expect(write(packet(hex('140102', '00'), 0x1000), consumer([[20, 40]]))).toBe(hex('90', fixed, '10000001', '280102', '00'));
  });

  it('pads the block with zeros to a 32-bit boundary, and not beyond', () => {
    // One element with a 1- to 4-byte value: 2 to 5 bytes, padded to 4 or 8.
    const cases: [src: string, out: string][] = [
      [hex('4009', '0000'), hex('2009', '0000')],
      [hex('410909', '00'), hex('210909', '00')],
      ['42090909', '22090909'],
      [hex('4309090909', '000000'), hex('2309090909', '000000')],
    ];
    for (const [src, out] of cases) {
      expect(write(packet(src), consumer([[4, 2]]))).toBe(hex('90', fixed, 'bede', `000${out.length / 8}`, out));
    }
    // Two-byte form: 3 + 4 bytes, padded to 8.
    const map: [number, number][] = [
      [20, 20],
      [21, 21],
    ];
    expect(write(packet(hex('140109', '1502aabb', '00'), 0x1000), consumer(map))).toBe(
      hex('90', fixed, '10000002', '140109', '1502aabb', '00'),
    );
  });

  it("writes only the elements the consumer's map keeps, and no extension block when it keeps none", () => {
    const src = packet(hex('1030', '310007', '52010203', '000000'), 0xbede, 1);
    // Keeps 5 only (as 6): MID and transport-wide seq left out, so no offset.
    const some = consumer([[5, 6]], 'ab', 3);
    expect(write(src, some)).toBe(hex('91', fixed, '0c0c0c0c', 'bede0001', '62010203'));
    expect(some.twccOffset).toBe(-1);
    // Keeps 3 only.
    expect(write(src, consumer([[3, 3]], undefined, 3))).toBe(hex('91', fixed, '0c0c0c0c', 'bede0001', '310007', '00'));
    // Keeps none: no X bit, the header ends after the CSRCs, even with a MID value and a transport-wide id.
    const none = consumer([[9, 9]], 'ab', 3);
    expect(write(src, none)).toBe(hex('81', fixed, '0c0c0c0c'));
    expect(none.twccOffset).toBe(-1);
  });

  it('writes no extension block for a packet without extensions, or with an unknown profile', () => {
    const rw = consumer([[1, 1]], 'ab', 3);
    expect(write(packet(undefined), rw)).toBe(hex('80', fixed));
    expect(rw.twccOffset).toBe(-1);
    expect(write(packet(undefined, 0xbede, 2), rw)).toBe(hex('82', fixed, '0c0c0c0c', '0c0c0c0c'));
    expect(write(packet(hex('1030', '0000'), 0x1234), rw)).toBe(hex('80', fixed));
  });
});

describe('unwrapSeq16', () => {
  it('takes the nearest value with the same low 16 bits, across wraps both ways', () => {
    expect(unwrapSeq16(5, 0x10003)).toBe(0x10005);
    expect(unwrapSeq16(0xfffe, 0x10003)).toBe(0xfffe);
    expect(unwrapSeq16(2, 0x1fffe)).toBe(0x20002);
    expect(unwrapSeq16(0x8002, 0x10000)).toBe(0x8002);
  });
});
