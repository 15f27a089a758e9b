import { describe, expect, it } from 'vitest';
import { Vp9Descriptor, isVp9KeyFrame, parseVp9PayloadDescriptor } from '../rtp/vp9.js';
import { SVC_DROP, SVC_FORWARD, SVC_FORWARD_MARKER, SvcLayerSelector, SvcSeqMapper, svcLayersOf } from './svc-layers.js';

/** A non-flexible VP9 payload (I, L; 15-bit picture id; TL0PICIDX) followed by `body` bytes of frame data. */
function vp9(o: {
  pid: number;
  sid: number;
  tid: number;
  key?: boolean;
  b?: boolean;
  e?: boolean;
  u?: boolean;
  body?: number;
}): Uint8Array {
  const b0 = 0x80 | (o.key ? 0 : 0x40) | 0x20 | (o.b ? 0x08 : 0) | (o.e ? 0x04 : 0);
  const l = (o.tid << 5) | (o.u ? 0x10 : 0) | (o.sid << 1) | (o.sid > 0 && o.key ? 1 : 0);
  const out = new Uint8Array(5 + (o.body ?? 3));
  out.set([b0, 0x80 | ((o.pid >> 8) & 0x7f), o.pid & 0xff, l, 7]);
  out.fill(0xab, 5);
  return out;
}

/** One L3T3 picture: each spatial layer frame in two packets (B on the first, E on the second). */
function picture(pid: number, tid: number, key = false, u = false): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let sid = 0; sid < 3; sid++) {
    out.push(vp9({ pid, sid, tid, key, b: true, u }));
    out.push(vp9({ pid, sid, tid, key, e: true, u }));
  }
  return out;
}

/** What a selector makes of the packets: [sid, verdict] of each forwarded one. */
function run(sel: SvcLayerSelector, pkts: Uint8Array[]): [number, number][] {
  const d = new Vp9Descriptor();
  const out: [number, number][] = [];
  for (const p of pkts) {
    const v = sel.select(p, 0, p.length);
    parseVp9PayloadDescriptor(p, 0, p.length, d);
    if (v !== SVC_DROP) out.push([d.spatialId, v]);
  }
  return out;
}

describe('VP9 payload descriptor view', () => {
  it('reads picture id, layer indices, B/E, U and the descriptor length', () => {
    const p = vp9({ pid: 0x1234, sid: 2, tid: 1, b: true, u: true, body: 4 });
    const d = new Vp9Descriptor();
    expect(parseVp9PayloadDescriptor(p, 0, p.length, d)).toBe(true);
    expect(d).toMatchObject({
      hasPictureId: true,
      pictureId: 0x1234,
      pictureIdLong: true,
      pictureIdOffset: 1,
      spatialId: 2,
      temporalId: 1,
      switchingUp: true,
      startOfFrame: true,
      endOfFrame: false,
      interPicturePredicted: true,
      tl0PicIdx: 7,
      length: 5,
      isKeyFrame: false,
    });
    const k = vp9({ pid: 5, sid: 0, tid: 0, key: true, b: true });
    expect(parseVp9PayloadDescriptor(k, 0, k.length, d)).toBe(true);
    expect(d.isKeyFrame).toBe(true);
    expect(isVp9KeyFrame(k, 0, k.length)).toBe(true);
    // The upper layers of a key picture are not "the" key frame (spatial id 0 starts it).
    const k2 = vp9({ pid: 5, sid: 1, tid: 0, key: true, b: true });
    expect(parseVp9PayloadDescriptor(k2, 0, k2.length, d) && d.isKeyFrame).toBe(false);
  });

  it('skips flexible-mode reference indices and the scalability structure', () => {
    // I (7-bit), P, L, F, B, V | pid | TID/U/SID/D | P_DIFF with N, P_DIFF | SS: N_S=3, Y, G | 3 × (w,h) | N_G=1 | T/U/R=1 | P_DIFF
    const p = Uint8Array.of(
      0x80 | 0x40 | 0x20 | 0x10 | 0x08 | 0x02,
      0x05,
      0x22,
      0x03,
      0x04,
      (2 << 5) | 0x18,
      0,
      160,
      0,
      90,
      1,
      64,
      0,
      180,
      2,
      128,
      1,
      104,
      1,
      0x04,
      1,
      0xee,
    );
    const d = new Vp9Descriptor();
    expect(parseVp9PayloadDescriptor(p, 0, p.length, d)).toBe(true);
    expect(d).toMatchObject({
      flexible: true,
      pictureId: 5,
      pictureIdLong: false,
      temporalId: 1,
      spatialId: 1,
      tl0PicIdx: -1,
      ssSpatialLayers: 3,
    });
    expect(d.length).toBe(p.length - 1);
  });

  it('refuses truncated descriptors without throwing', () => {
    const p = vp9({ pid: 300, sid: 1, tid: 0, b: true });
    const d = new Vp9Descriptor();
    for (let n = 0; n < 5; n++) expect(parseVp9PayloadDescriptor(p, 0, n, d)).toBe(false);
    expect(parseVp9PayloadDescriptor(p, 0, p.length + 1, d)).toBe(false);
    // More than three reference indices in flexible mode is malformed.
    expect(parseVp9PayloadDescriptor(Uint8Array.of(0x50, 0x01, 0x01, 0x01, 0x01, 0x00), 0, 6, d)).toBe(false);
  });
});

describe('SVC layer selection', () => {
  it('is decided from the scalability mode of one VP9 encoding', () => {
    const vp9Params = (scalabilityMode?: string, n = 1) => ({
      codecs: [{ mimeType: 'video/VP9', payloadType: 101, clockRate: 90000 }],
      encodings: Array.from({ length: n }, () => ({ ssrc: 1, ...(scalabilityMode ? { scalabilityMode } : {}) })),
    });
    expect(svcLayersOf(vp9Params('L3T3_KEY'))).toEqual({ spatialLayers: 3, temporalLayers: 3 });
    expect(svcLayersOf(vp9Params('L1T3'))).toEqual({ spatialLayers: 1, temporalLayers: 3 });
    expect(svcLayersOf(vp9Params('L1T1'))).toBeUndefined();
    expect(svcLayersOf(vp9Params())).toBeUndefined();
    expect(svcLayersOf(vp9Params('L3T3', 3))).toBeUndefined();
    expect(svcLayersOf({ ...vp9Params('L3T3'), codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }] })).toBeUndefined();
  });

  it('starts at a key picture, forwards up to the target spatial layer and marks its last packet', () => {
    const sel = new SvcLayerSelector({ spatialLayers: 3, temporalLayers: 3 }, { spatialLayer: 0 });
    // A delta picture first: nothing forwarded, a key frame is needed.
    expect(run(sel, picture(1, 0))).toEqual([]);
    expect(sel.needsKeyFrame).toBe(true);
    expect(run(sel, picture(2, 0, true))).toEqual([
      [0, SVC_FORWARD],
      [0, SVC_FORWARD_MARKER],
    ]);
    expect([sel.currentSpatial, sel.currentTemporal]).toEqual([0, 2]);
    // Up to the top layer: needs a key picture; deltas stay on layer 0 meanwhile.
    expect(sel.setTarget(2, undefined)).toBe(true);
    expect(run(sel, picture(3, 0))).toEqual([
      [0, SVC_FORWARD],
      [0, SVC_FORWARD_MARKER],
    ]);
    expect(sel.currentSpatial).toBe(0);
    const key = run(sel, picture(4, 0, true));
    expect(sel.changed || sel.currentSpatial === 2).toBe(true);
    expect(key.map(([s]) => s)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(key.filter(([, v]) => v === SVC_FORWARD_MARKER)).toEqual([[2, SVC_FORWARD_MARKER]]);
    // Down to layer 1 at the next picture, no key picture needed.
    expect(sel.setTarget(1, undefined)).toBe(false);
    const down = run(sel, picture(5, 0));
    expect(down.map(([s]) => s)).toEqual([0, 0, 1, 1]);
    expect(down.at(-1)).toEqual([1, SVC_FORWARD_MARKER]);
    expect(sel.currentSpatial).toBe(1);
  });

  it('drops upper temporal layers and goes back up only at a switching-up point', () => {
    const sel = new SvcLayerSelector({ spatialLayers: 3, temporalLayers: 3 }, { spatialLayer: 0, temporalLayer: 0 });
    run(sel, picture(1, 0, true));
    expect(run(sel, picture(2, 2))).toEqual([]);
    expect(run(sel, picture(3, 1))).toEqual([]);
    expect(run(sel, picture(4, 0)).length).toBe(2);
    sel.setTarget(0, 2);
    // No U bit: stays on T0.
    expect(run(sel, picture(5, 2))).toEqual([]);
    expect(sel.currentTemporal).toBe(0);
    // A switching-up point on T1: from here T1 (not yet T2, which has not had one).
    expect(run(sel, picture(6, 1, false, true)).length).toBe(2);
    expect(sel.currentTemporal).toBe(1);
    expect(run(sel, picture(7, 2, false, true)).length).toBe(2);
    expect(sel.currentTemporal).toBe(2);
    // Down at once.
    sel.setTarget(0, 0);
    expect(run(sel, picture(8, 2))).toEqual([]);
    expect(sel.currentTemporal).toBe(0);
  });

  it('forwards no higher than the spatial layers the key picture announces', () => {
    const sel = new SvcLayerSelector({ spatialLayers: 3, temporalLayers: 1 }, { spatialLayer: 2 });
    // Key picture whose scalability structure (V) says two spatial layers: N_S - 1 = 1, no Y/G.
    const first = Uint8Array.of(0x80 | 0x20 | 0x08 | 0x02, 0x81, 0x00, 0x00, 0x00, 1 << 5, 0xab);
    expect(sel.select(first, 0, first.length)).toBe(SVC_FORWARD);
    expect([sel.availableSpatial, sel.currentSpatial]).toEqual([2, 1]);
    const top = vp9({ pid: 256, sid: 1, tid: 0, key: true, b: true, e: true });
    expect(sel.select(top, 0, top.length)).toBe(SVC_FORWARD_MARKER);
    expect(sel.setTarget(2, undefined)).toBe(false);
  });

  it('measures what each spatial layer costs and keeps under a bandwidth cap', () => {
    const sel = new SvcLayerSelector({ spatialLayers: 3, temporalLayers: 1 }, { spatialLayer: 2 });
    sel.sampleRates(0);
    // One second: 10 pictures with layer frames of 100, 200 and 400 bytes (descriptor included).
    for (let pid = 0; pid < 10; pid++)
      for (let sid = 0; sid < 3; sid++) {
        const p = vp9({ pid, sid, tid: 0, key: pid === 0, b: true, e: true, body: 100 * 2 ** sid - 5 });
        sel.select(p, 0, p.length);
      }
    expect(sel.ratesKnown).toBe(false);
    sel.sampleRates(1000);
    expect(sel.ratesKnown).toBe(true);
    expect([0, 1, 2].map((s) => sel.cumulativeBitrate(s))).toEqual([8000, 24000, 56000]);
    expect(sel.currentSpatial).toBe(2);
    // Capped to layer 0: down at the next picture, no key picture needed.
    expect(sel.setBweCap(0)).toBe(false);
    expect(run(sel, picture(20, 0)).map(([s]) => s)).toEqual([0, 0]);
    // Cap lifted: up again needs a key picture.
    expect(sel.setBweCap(2)).toBe(true);
    const next = picture(21, 0);
    expect(run(sel, next.slice(0, 1)).map(([s]) => s)).toEqual([0]);
    expect(sel.needsKeyFrame).toBe(true); // asked where the picture starts
    expect(run(sel, next.slice(1)).map(([s]) => s)).toEqual([0]);
    expect(run(sel, picture(22, 0, true)).map(([s]) => s)).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('does not switch in the middle of a picture', () => {
    const sel = new SvcLayerSelector({ spatialLayers: 3, temporalLayers: 1 }, { spatialLayer: 2 });
    const pic = picture(1, 0, true);
    const first = run(sel, pic.slice(0, 3));
    sel.setTarget(0, undefined);
    const rest = run(sel, pic.slice(3));
    // The picture started at layer 2 finishes at layer 2.
    expect([...first, ...rest].map(([s]) => s)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(run(sel, picture(2, 0)).map(([s]) => s)).toEqual([0, 0]);
  });
});

describe('SVC sequence number mapper', () => {
  it('keeps forwarded packets consecutive across dropped ones', () => {
    const m = new SvcSeqMapper();
    const keep = [true, false, false, true, true, false, true];
    const out = keep.map((k, i) => m.map((65533 + i) & 0xffff, k)).filter((s) => s >= 0);
    expect(out).toEqual([65533, 65534, 65535, 0]);
  });

  it('places a late packet where it belongs and drops one it cannot place', () => {
    const m = new SvcSeqMapper();
    expect(m.map(100, true)).toBe(100);
    expect(m.map(101, false)).toBe(-1);
    // 102 is lost for now; 103 arrives: one dropped before it.
    expect(m.map(103, true)).toBe(102);
    // 102 repaired late: it keeps the number its place had (101), between 100 and 102.
    expect(m.map(102, true)).toBe(101);
    // Far too old: unknown place.
    expect(m.map(103 - 2000, true)).toBe(-1);
    expect(m.map(104, true)).toBe(103);
  });
});
