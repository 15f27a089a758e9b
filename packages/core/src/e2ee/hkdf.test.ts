import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hkdf, hkdfExpand, hkdfExtract, hmacSha512 } from './hkdf.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ascii = (s: string) => new TextEncoder().encode(s);

describe('HMAC-SHA-512 (RFC 4231 vectors)', () => {
  const cases: [string, Uint8Array, Uint8Array, string][] = [
    [
      '1',
      hex('0b'.repeat(20)),
      ascii('Hi There'),
      '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854',
    ],
    [
      '2',
      ascii('Jefe'),
      ascii('what do ya want for nothing?'),
      '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
    ],
    [
      '3',
      hex('aa'.repeat(20)),
      hex('dd'.repeat(50)),
      'fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb',
    ],
    [
      '4',
      hex('0102030405060708090a0b0c0d0e0f10111213141516171819'),
      hex('cd'.repeat(50)),
      'b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd',
    ],
    [
      '6',
      hex('aa'.repeat(131)),
      ascii('Test Using Larger Than Block-Size Key - Hash Key First'),
      '80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598',
    ],
    [
      '7',
      hex('aa'.repeat(131)),
      ascii(
        'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.',
      ),
      'e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58',
    ],
  ];
  for (const [name, key, data, expected] of cases) {
    it(`test case ${name}`, () => expect(toHex(hmacSha512(key, data))).toBe(expected));
  }
  it('agrees with node:crypto on random inputs', () => {
    for (let i = 0; i < 50; i++) {
      const key = randomBytes(i * 5);
      const data = randomBytes(i * 13);
      expect(toHex(hmacSha512(key, data))).toBe(createHmac('sha512', key).update(data).digest('hex'));
    }
  });
});

describe('HKDF-SHA-512', () => {
  it('agrees with node:crypto hkdfSync', () => {
    for (let i = 0; i < 30; i++) {
      const ikm = randomBytes(1 + i * 3);
      const salt = randomBytes(i % 3 === 0 ? 0 : 16 + i);
      const info = randomBytes(i * 2);
      const len = 1 + ((i * 37) % 200);
      const ours = hkdf(salt, ikm, info, len);
      const theirs = new Uint8Array(hkdfSync('sha512', ikm, salt, info, len));
      expect(toHex(ours)).toBe(toHex(theirs));
    }
  });
  it('matches the two-step form and rejects bad lengths', () => {
    const prk = hkdfExtract(ascii('salt'), ascii('ikm'));
    expect(prk).toHaveLength(64);
    expect(toHex(hkdfExpand(prk, ascii('x'), 100))).toBe(toHex(hkdf(ascii('salt'), ascii('ikm'), ascii('x'), 100)));
    expect(() => hkdfExpand(prk, ascii('x'), 255 * 64 + 1)).toThrow(RangeError);
  });
});
