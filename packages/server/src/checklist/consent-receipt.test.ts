import { describe, expect, it } from 'vitest';
import { newIdentity, signReceipt } from '../signaling/testing/checklist-fixtures.js';
import { decodeBase64Exact, verifyConsentReceipt, type ConsentReceiptRecord } from './consent-receipt.js';

function record(): ConsentReceiptRecord {
  const r = signReceipt(newIdentity(), { sessionId: 'sess-1', participantId: 'client-1', signedAt: 1_764_000_000_000 });
  return {
    sessionId: 'sess-1',
    participantId: 'client-1',
    documentVersion: r.version,
    documentSha256: r.sha256,
    signedAt: r.signedAt,
    identityKey: r.identityKey,
    signature: r.signature,
  };
}

describe('verifyConsentReceipt', () => {
  it('accepts a receipt as signed, in base64 or base64url', () => {
    const r = record();
    expect(verifyConsentReceipt(r)).toBe(true);
    const url = (s: string) => s.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    expect(verifyConsentReceipt({ ...r, identityKey: url(r.identityKey), signature: url(r.signature) })).toBe(true);
  });

  it('refuses a receipt with any field changed', () => {
    const r = record();
    const sig = Buffer.from(r.signature, 'base64');
    sig[10] = (sig[10] as number) ^ 1;
    const tampered: Partial<ConsentReceiptRecord>[] = [
      { signature: sig.toString('base64') },
      { sessionId: 'sess-2' },
      { participantId: 'client-2' },
      { documentVersion: 'v4' },
      { documentSha256: 'ab'.repeat(32) },
      { signedAt: r.signedAt + 1 },
      { identityKey: newIdentity().identityKey },
    ];
    for (const t of tampered) expect(verifyConsentReceipt({ ...r, ...t }), JSON.stringify(t)).toBe(false);
  });

  it('returns false, never throws, on malformed input', () => {
    const r = record();
    const bad: unknown[] = [
      null,
      'x',
      {},
      { ...r, signature: '' },
      { ...r, signature: `${r.signature}AAAA` },
      { ...r, identityKey: r.identityKey.slice(4) },
      { ...r, identityKey: `!${r.identityKey.slice(1)}` },
      { ...r, signedAt: -1 },
      { ...r, signedAt: 1.5 },
      { ...r, signedAt: '1' },
      { ...r, sessionId: 's\n1' },
      { ...r, documentSha256: 'XYZ' },
      { ...r, documentVersion: 7 },
      { ...r, identityKey: 'A'.repeat(43) }, // 32 zero bytes: not a usable key
    ];
    for (const b of bad) expect(verifyConsentReceipt(b as ConsentReceiptRecord), JSON.stringify(b)?.slice(0, 80)).toBe(false);
  });

  it('decodes base64 strictly', () => {
    expect(decodeBase64Exact('AAEC', 3)?.toString('hex')).toBe('000102');
    expect(decodeBase64Exact('AAE=', 2)?.toString('hex')).toBe('0001');
    expect(decodeBase64Exact('AAE', 2)?.toString('hex')).toBe('0001');
    expect(decodeBase64Exact('AAF', 2)).toBeUndefined(); // non-canonical trailing bits
    expect(decodeBase64Exact('AA EC', 3)).toBeUndefined();
    expect(decodeBase64Exact('AAEC', 4)).toBeUndefined();
    expect(decodeBase64Exact(42, 3)).toBeUndefined();
  });
});
