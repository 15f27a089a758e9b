import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { RtpHeader, RtpPacket, SrtpSession } from 'werift';
import { describe, expect, it } from 'vitest';
import { SRTP_AEAD_AES_128_GCM, SRTP_AES128_CM_HMAC_SHA1_80, SrtpRtpContext, type SrtpProfileId, srtpKdf } from './srtp.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function rtp(seq: number, ssrc: number, payloadLen: number, ext = false): Buffer {
  const header = new RtpHeader({ payloadType: 96, sequenceNumber: seq, timestamp: 1234 + seq, ssrc, marker: seq % 3 === 0 });
  if (ext) {
    header.extension = true;
    header.extensionProfile = 0xbede;
    header.extensions = [
      { id: 1, payload: Buffer.from('ab') },
      { id: 3, payload: Buffer.from([1, 2, 3]) },
    ];
  }
  return new RtpPacket(header, randomBytes(payloadLen)).serialize();
}

describe('SRTP key derivation and AES-CM (RFC 3711 appendix B)', () => {
  it('derives the session keys of B.3', () => {
    const key = hex('E1F97A0D3E018BE0D64FA32C06DE4139');
    const salt = hex('0EC675AD498AFEEBB6960B3AABE6');
    expect(srtpKdf(key, salt, 0, 16).toString('hex')).toBe('c61e7a93744f39ee10734afe3ff7a087');
    expect(srtpKdf(key, salt, 2, 14).toString('hex')).toBe('30cbbc08863d8c85d49db34a9ae1');
    expect(srtpKdf(key, salt, 1, 20).toString('hex')).toBe('cebe321f6ff7716b6fd4ab49af256a156d38baa4');
  });

  it('produces the AES-CM keystream of B.2 (SSRC 0, index 0)', () => {
    const ctx = new SrtpRtpContext(
      SRTP_AES128_CM_HMAC_SHA1_80,
      hex('2B7E151628AED2A6ABF7158809CF4F3C'),
      hex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD'),
      {},
    );
    // A zero payload encrypts to the keystream itself.
    const pkt = Buffer.alloc(12 + 48 + 10);
    pkt[0] = 0x80;
    pkt[1] = 96;
    expect(ctx.protect(pkt, 60)).toBe(70);
    expect(pkt.subarray(12, 60).toString('hex')).toBe(
      'e03ead0935c95e80e166b16dd92b4eb4d23513162b02d0f72a43a2fe4a5f97ab41e95b3bb0a2e8dd477901e4fca894c0',
    );
  });
});

describe('SrtpRtpContext', () => {
  it('matches node:crypto aes-128-gcm with the RFC 7714 IV and the header as AAD', () => {
    const key = randomBytes(16);
    const salt = randomBytes(12);
    const ctx = new SrtpRtpContext(SRTP_AEAD_AES_128_GCM, key, salt, {});
    for (const [len, ext] of [
      [0, false],
      [1, true],
      [15, false],
      [16, true],
      [17, false],
      [1150, true],
    ] as const) {
      const plain = rtp(777, 0xdeadbeef, len, ext);
      const hl = plain.length - len;
      const buf = Buffer.alloc(plain.length + 16);
      plain.copy(buf);
      expect(ctx.protect(buf, plain.length)).toBe(plain.length + 16);
      const iv = Buffer.alloc(12);
      iv.writeUInt32BE(0xdeadbeef, 2);
      iv.writeUInt16BE(777, 10);
      for (let i = 0; i < 12; i++) iv[i]! ^= salt[i]!;
      const c = createCipheriv('aes-128-gcm', key, iv);
      c.setAAD(plain.subarray(0, hl));
      const enc = Buffer.concat([c.update(plain.subarray(hl)), c.final(), c.getAuthTag()]);
      expect(buf.subarray(hl).toString('hex')).toBe(enc.toString('hex'));
      expect(buf.subarray(0, hl).equals(plain.subarray(0, hl))).toBe(true);
    }
  });

  it('matches aes-128-ctr and HMAC-SHA1 (RFC 3711 §4) for AES_CM_128_HMAC_SHA1_80', () => {
    const key = randomBytes(16);
    const salt = randomBytes(14);
    const auth = randomBytes(20);
    const ctx = new SrtpRtpContext(SRTP_AES128_CM_HMAC_SHA1_80, key, salt, { authKey: auth });
    const plain = rtp(4242, 0x01020304, 1001, true);
    const hl = plain.length - 1001;
    const buf = Buffer.alloc(plain.length + 10);
    plain.copy(buf);
    expect(ctx.protect(buf, plain.length)).toBe(plain.length + 10);
    const iv = Buffer.alloc(16);
    iv.writeUInt32BE(0x01020304, 4);
    iv.writeUInt16BE(4242, 12);
    for (let i = 0; i < 14; i++) iv[i]! ^= salt[i]!;
    const enc = createCipheriv('aes-128-ctr', key, iv).update(plain.subarray(hl));
    const mac = createHmac('sha1', auth).update(plain.subarray(0, hl)).update(enc).update(Buffer.alloc(4)).digest().subarray(0, 10);
    expect(buf.toString('hex')).toBe(Buffer.concat([plain.subarray(0, hl), enc, mac]).toString('hex'));
  });

  for (const profile of [SRTP_AEAD_AES_128_GCM, SRTP_AES128_CM_HMAC_SHA1_80] as SrtpProfileId[]) {
    it(`interoperates with werift's SrtpSession across a sequence-number wrap (profile ${profile})`, () => {
      const key = randomBytes(16);
      const salt = randomBytes(profile === SRTP_AEAD_AES_128_GCM ? 12 : 14);
      const session = new SrtpSession({
        profile,
        keys: { localMasterKey: key, localMasterSalt: salt, remoteMasterKey: key, remoteMasterSalt: salt },
      });
      const tx = new SrtpRtpContext(profile, key, salt);
      const rx = new SrtpRtpContext(profile, key, salt);
      for (let i = 0; i < 40; i++) {
        const seq = (65520 + i) & 0xffff;
        const plain = rtp(seq, 55, 200 + i, i % 2 === 0);
        const buf = Buffer.alloc(plain.length + tx.overhead);
        plain.copy(buf);
        const n = tx.protect(buf, plain.length);
        const p = RtpPacket.deSerialize(plain);
        const theirs = session.encrypt(p.payload, p.header);
        expect(buf.subarray(0, n).equals(theirs)).toBe(true);
        expect(session.decrypt(buf.subarray(0, n)).equals(plain)).toBe(true);
        const back = Buffer.from(theirs);
        expect(rx.unprotect(back, back.length)).toBe(plain.length);
        expect(back.subarray(0, plain.length).equals(plain)).toBe(true);
      }
    });

    it(`refuses a tampered packet and leaves it unchanged (profile ${profile})`, () => {
      const key = randomBytes(16);
      const salt = randomBytes(profile === SRTP_AEAD_AES_128_GCM ? 12 : 14);
      const tx = new SrtpRtpContext(profile, key, salt);
      const rx = new SrtpRtpContext(profile, key, salt);
      const plain = rtp(1, 9, 300);
      const buf = Buffer.alloc(plain.length + tx.overhead);
      plain.copy(buf);
      const n = tx.protect(buf, plain.length);
      buf[40]! ^= 1;
      const copy = Buffer.from(buf);
      expect(rx.unprotect(buf, n)).toBe(-1);
      expect(buf.equals(copy)).toBe(true);
      expect(rx.authFailures).toBe(1);
      expect(rx.unprotect(buf, 5)).toBe(-1);
    });
  }
});
