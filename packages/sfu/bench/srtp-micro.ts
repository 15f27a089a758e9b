/**
 * Micro-benchmark baseline: the cost of raw SRTP decrypt + encrypt of one
 * packet with werift's SrtpSession (the least work any SFU must do per
 * forwarded packet with werift's crypto).
 */
import { randomBytes } from 'node:crypto';
import {
  ProtectionProfileAeadAes128Gcm,
  ProtectionProfileAes128CmHmacSha1_80,
  RtpPacket,
  SrtpSession,
  keyLength,
  saltLength,
} from 'werift';
import { Vp8Generator } from '../src/testing/vp8-generator.js';
import { SrtpRtpContext } from '../src/rtp/srtp.js';

/** Result of {@link measureSrtp}. */
export type SrtpMicroResult = { profile: string; packetBytes: number; usDecrypt: number; usEncrypt: number; usDecryptEncrypt: number };

function session(profile: 1 | 7): SrtpSession {
  const key = randomBytes(keyLength(profile));
  const salt = randomBytes(saltLength(profile));
  return new SrtpSession({
    keys: { localMasterKey: key, localMasterSalt: salt, remoteMasterKey: key, remoteMasterSalt: salt },
    profile,
  });
}

/** Measures decrypt, encrypt and both for a full-size packet of the bench stream. */
export function measureSrtp(profile: 1 | 7, iterations = 4000): SrtpMicroResult {
  const gen = new Vp8Generator({ ssrc: 1 });
  const plain = gen.nextFrame()[0]!;
  const s = session(profile);
  const pkt = RtpPacket.deSerialize(plain);
  const encrypted = s.encrypt(pkt.payload, pkt.header);
  const time = (fn: () => void): number => {
    for (let i = 0; i < 500; i++) fn(); // warm-up
    const t0 = process.cpuUsage();
    for (let i = 0; i < iterations; i++) fn();
    const d = process.cpuUsage(t0);
    return (d.user + d.system) / iterations;
  };
  const usDecrypt = time(() => s.decrypt(encrypted));
  const usEncrypt = time(() => s.encrypt(pkt.payload, pkt.header));
  const usDecryptEncrypt = time(() => {
    s.decrypt(encrypted);
    s.encrypt(pkt.payload, pkt.header);
  });
  return {
    profile:
      profile === ProtectionProfileAeadAes128Gcm
        ? 'AEAD_AES_128_GCM'
        : profile === ProtectionProfileAes128CmHmacSha1_80
          ? 'AES_CM_128_HMAC_SHA1_80'
          : String(profile),
    packetBytes: encrypted.length,
    usDecrypt,
    usEncrypt,
    usDecryptEncrypt,
  };
}

/** The same measurement for the engine's own SRTP context ({@link SrtpRtpContext}: long-lived AES, in place). */
export function measureEngineSrtp(profile: 1 | 7, iterations = 4000): SrtpMicroResult {
  const gen = new Vp8Generator({ ssrc: 1 });
  const plain = gen.nextFrame()[0]!;
  const key = randomBytes(16);
  const salt = randomBytes(profile === ProtectionProfileAeadAes128Gcm ? 12 : 14);
  const tx = new SrtpRtpContext(profile, key, salt);
  const rx = new SrtpRtpContext(profile, key, salt);
  const buf = Buffer.alloc(plain.length + tx.overhead);
  const enc = Buffer.alloc(plain.length + tx.overhead);
  plain.copy(enc);
  const encLen = tx.protect(enc, plain.length);
  const work = Buffer.alloc(enc.length);
  const time = (fn: () => void): number => {
    for (let i = 0; i < 500; i++) fn();
    const t0 = process.cpuUsage();
    for (let i = 0; i < iterations; i++) fn();
    const d = process.cpuUsage(t0);
    return (d.user + d.system) / iterations;
  };
  const decrypt = (): void => {
    enc.copy(work);
    if (rx.unprotect(work, encLen) < 0) throw new Error('SRTP micro: decrypt failed');
  };
  const encrypt = (): void => {
    plain.copy(buf);
    tx.protect(buf, plain.length);
  };
  const usDecrypt = time(decrypt);
  const usEncrypt = time(encrypt);
  const usDecryptEncrypt = time(() => {
    decrypt();
    encrypt();
  });
  return {
    profile: profile === ProtectionProfileAeadAes128Gcm ? 'AEAD_AES_128_GCM' : 'AES_CM_128_HMAC_SHA1_80',
    packetBytes: encLen,
    usDecrypt,
    usEncrypt,
    usDecryptEncrypt,
  };
}
