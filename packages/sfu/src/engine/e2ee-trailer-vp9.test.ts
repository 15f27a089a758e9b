import { describe, expect, it } from 'vitest';
import { E2eeTrailerCheck } from './e2ee-trailer.js';

// The E2EE trailer check on VP9 SVC: every spatial layer frame of a picture is its own E2EE frame
// (an encoded transform sees each layer frame), ending at the descriptor's E bit; only the top
// layer's last packet carries the RTP marker.

/** A sealed frame's tail as the format documents it: ciphertext ‖ tag ‖ CTR (1) ‖ KID (1) ‖ h = 0 ‖ cfg (version 2). */
function sealed(body: number): Uint8Array {
  const out = new Uint8Array(body + 16 + 4);
  for (let i = 0; i < body + 16; i++) out[i] = (i * 73 + 11) & 0xff;
  out.set([5, 1, 0, 0x80], body + 16);
  return out;
}

/** A VP9 packet: I/L descriptor (B/E as given), spatial id `sid`, then `frame`. */
function packet(sid: number, b: boolean, e: boolean, frame: Uint8Array): Uint8Array {
  const d = Uint8Array.of(0x80 | 0x20 | (b ? 0x08 : 0) | (e ? 0x04 : 0), 0x81, 0x23, sid << 1, 0);
  const out = new Uint8Array(d.length + frame.length);
  out.set(d);
  out.set(frame, d.length);
  return out;
}

describe('E2EE trailer check on VP9 SVC', () => {
  it('passes a picture whose three layer frames are each sealed', () => {
    const check = new E2eeTrailerCheck('vp9', { versions: [2], prefixLengths: [0] });
    for (let sid = 0; sid < 3; sid++) {
      const f = sealed(100 + sid * 50);
      // Two packets per layer frame; the marker only on the top layer's last.
      expect(check.onPacket(packet(sid, true, false, f.subarray(0, 40)), false)).toBe(true);
      expect(check.onPacket(packet(sid, false, true, f.subarray(40)), sid === 2)).toBe(true);
    }
    expect(check.passed).toBe(3);
    expect(check.failure).toBeUndefined();
  });

  it('catches a plaintext lower layer frame although it carries no marker', () => {
    const check = new E2eeTrailerCheck('vp9', { versions: [2], prefixLengths: [0] });
    // A plaintext base layer frame (ends in codec bytes, not a trailer), one packet, no marker.
    const plain = new Uint8Array(120).fill(0x11);
    expect(check.onPacket(packet(0, true, true, plain), false)).toBe(false);
    expect(check.failure).toBe('version');
    // Nothing after it is forwarded.
    expect(check.onPacket(packet(1, true, true, sealed(80)), true)).toBe(false);
  });
});
