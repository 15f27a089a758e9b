import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { JoinTokenClaimsSchema, MAX_JOIN_TOKEN_TTL_S } from '@alcove/protocol';
import { InvalidTokenError, INVALID_TOKEN_MESSAGE } from './errors.js';
import { assertTokenForSession, createJoinTokenSigner, createJoinTokenVerifier, mintJoinToken } from './tokens.js';
import { SessionRegistry } from '../sessions/registry.js';

const SECRET = randomBytes(32);
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const PUB_PEM = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const PRIV_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const NOW = 1_750_000_000_000;
const nowS = NOW / 1000;
const now = (): number => NOW;
const base = { sid: 'sessAAAAAAAAAAAAAAAAAA', pid: 'client-1', role: 'client', name: 'Alex Example' } as const;

const b64u = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
/** Hand-rolls an HS256 JWT with any header and payload. */
const hs = (header: object, payload: object, key: Uint8Array | string = SECRET): string => {
  const input = `${b64u(header)}.${b64u(payload)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
};
const claims = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  ...base,
  aud: 'alcove:join',
  iat: nowS,
  exp: nowS + 600,
  ...over,
});

const both = createJoinTokenVerifier({ hs256Secret: SECRET, eddsaPublicKey: PUB_PEM, now });
const hsOnly = createJoinTokenVerifier({ hs256Secret: SECRET, now });
const edOnly = createJoinTokenVerifier({ eddsaPublicKey: PUB_PEM, now });

/** Asserts the one rejection shape: InvalidTokenError, code INVALID_TOKEN, the same message. */
async function expectRejected(p: Promise<unknown>): Promise<InvalidTokenError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InvalidTokenError);
  const e = err as InvalidTokenError;
  expect(e.code).toBe('INVALID_TOKEN');
  expect(e.message).toBe(INVALID_TOKEN_MESSAGE);
  expect(JSON.parse(JSON.stringify(e))).toEqual({ code: 'INVALID_TOKEN', message: INVALID_TOKEN_MESSAGE });
  expect(Object.keys(e)).not.toContain('internalReason');
  return e;
}

describe('join tokens', () => {
  it('accepts HS256 and EdDSA tokens minted by mintJoinToken, with claims matching the protocol schema', async () => {
    const t1 = await mintJoinToken(base, { hs256Secret: SECRET, ttlS: 600, now });
    const t2 = await mintJoinToken(base, { eddsaPrivateKey: PRIV_PEM, ttlS: 600, now });
    for (const [verify, token] of [
      [hsOnly, t1],
      [both, t1],
      [edOnly, t2],
      [both, t2],
    ] as const) {
      const c = await verify(token);
      expect(c).toMatchObject({ ...base, aud: 'alcove:join', iat: nowS, exp: nowS + 600 });
      expect(() => JoinTokenClaimsSchema['~standard'].validate(c)).not.toThrow();
      const r = JoinTokenClaimsSchema['~standard'].validate(c) as { issues?: unknown };
      expect(r.issues).toBeUndefined();
    }
  });

  it('accepts an Ed25519 key as JWK and derives nothing from the private part', async () => {
    const jwk = publicKey.export({ format: 'jwk' });
    const verify = createJoinTokenVerifier({ eddsaPublicKey: JSON.stringify(jwk), now });
    const t = await mintJoinToken(base, {
      eddsaPrivateKey: privateKey.export({ format: 'jwk' }) as Record<string, unknown>,
      ttlS: 60,
      now,
    });
    await expect(verify(t)).resolves.toMatchObject({ pid: 'client-1' });
  });

  it('rejects a forged signature (other secret, other Ed25519 key, flipped signature byte)', async () => {
    const other = await mintJoinToken(base, { hs256Secret: randomBytes(32), ttlS: 600, now });
    await expectRejected(both(other));
    const otherKey = generateKeyPairSync('ed25519').privateKey;
    await expectRejected(both(await mintJoinToken(base, { eddsaPrivateKey: otherKey, ttlS: 600, now })));
    const good = await mintJoinToken(base, { hs256Secret: SECRET, ttlS: 600, now });
    const sig = good.split('.')[2] as string;
    const flipped = `${good.slice(0, good.length - sig.length)}${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    await expectRejected(both(flipped));
    // Payload edited, signature kept.
    const [h, , s] = good.split('.');
    await expectRejected(both(`${h}.${b64u(claims({ role: 'host' }))}.${s}`));
  });

  it('rejects expired tokens beyond the 60 s skew, accepts within it', async () => {
    await expectRejected(both(hs({ alg: 'HS256' }, claims({ iat: nowS - 700, exp: nowS - 61 }))));
    await expect(both(hs({ alg: 'HS256' }, claims({ iat: nowS - 700, exp: nowS - 30 })))).resolves.toBeTruthy();
  });

  it('rejects not-yet-valid tokens (nbf, and iat in the future) beyond the skew', async () => {
    await expectRejected(both(hs({ alg: 'HS256' }, claims({ nbf: nowS + 120 }))));
    await expectRejected(both(hs({ alg: 'HS256' }, claims({ iat: nowS + 300, exp: nowS + 900 }))));
    await expect(both(hs({ alg: 'HS256' }, claims({ nbf: nowS + 30 })))).resolves.toBeTruthy();
  });

  it('rejects a token for another session through assertTokenForSession, same shape', async () => {
    const c = await both(await mintJoinToken(base, { hs256Secret: SECRET, ttlS: 60, now }));
    expect(() => assertTokenForSession(c, base.sid)).not.toThrow();
    let err: unknown;
    try {
      assertTokenForSession(c, 'otherSessionBBBBBBBBBB');
    } catch (e) {
      err = e;
    }
    await expectRejected(Promise.reject(err));
  });

  it('rejects a wrong audience', async () => {
    await expectRejected(both(hs({ alg: 'HS256' }, claims({ aud: 'someone-else' }))));
    await expectRejected(both(await mintJoinToken(base, { hs256Secret: SECRET, ttlS: 60, now, audience: 'x' })));
  });

  it('rejects alg none (with and without a signature) and every other algorithm', async () => {
    const p = b64u(claims());
    await expectRejected(both(`${b64u({ alg: 'none' })}.${p}.`));
    await expectRejected(both(`${b64u({ alg: 'none' })}.${p}.AAAA`));
    await expectRejected(both(`${b64u({ alg: 'None' })}.${p}.AAAA`));
    await expectRejected(both(hs({ alg: 'HS512' }, claims())));
    await expectRejected(both(hs({ alg: 'RS256' }, claims())));
    await expectRejected(both(hs({ typ: 'JWT' }, claims())));
  });

  it('rejects algorithm confusion: HS256 "signed" with the EdDSA public key bytes', async () => {
    const pubDer = publicKey.export({ type: 'spki', format: 'der' });
    const pubRaw = pubDer.subarray(pubDer.length - 32);
    for (const keyBytes of [Buffer.from(PUB_PEM), pubDer, pubRaw]) {
      const t = hs({ alg: 'HS256' }, claims(), keyBytes);
      await expectRejected(edOnly(t));
      await expectRejected(both(t));
    }
    // An EdDSA-signed token presented to an HS256-only server.
    await expectRejected(hsOnly(await mintJoinToken(base, { eddsaPrivateKey: PRIV_PEM, ttlS: 60, now })));
  });

  it('rejects a token missing any required claim', async () => {
    for (const k of ['sid', 'pid', 'role', 'name', 'aud', 'iat', 'exp']) {
      const c = claims();
      delete c[k];
      await expectRejected(both(hs({ alg: 'HS256' }, c)));
    }
  });

  it('rejects wrong claim types and unknown claims', async () => {
    const bad: Record<string, unknown>[] = [
      { role: 'admin' },
      { role: 'HOST' },
      { sid: 'has space' },
      { sid: 'x'.repeat(65) },
      { pid: '' },
      { pid: 5 },
      { name: '' },
      { name: 'n'.repeat(81) },
      { name: 7 },
      { iat: 'now' },
      { exp: nowS + 0.5 },
      { nbf: 'soon' },
      { jti: 'j'.repeat(129) },
      { iss: 5 },
      { extra: 'field' },
      { aud: [] },
    ];
    for (const over of bad) await expectRejected(both(hs({ alg: 'HS256' }, claims(over))));
  });

  it("carries a host's credentials line (cred): cleaned like names, schema-valid; refused when too long, empty or not a host's", async () => {
    const host = { ...base, pid: 'host-1', role: 'host' as const, name: 'Dr. Ada Example' };
    const t = await mintJoinToken(
      { ...host, cred: 'Licensed clinical\npsychologist\u202e\u0000 #12' },
      { hs256Secret: SECRET, ttlS: 600, now },
    );
    const c = await both(t);
    expect(c.cred).toBe('Licensed clinical psychologist #12');
    expect(JoinTokenClaimsSchema['~standard'].validate(c)).not.toHaveProperty('issues');
    // Without cred: no claim at all; a line of control characters only is dropped.
    expect(await both(await mintJoinToken(host, { hs256Secret: SECRET, ttlS: 600, now }))).not.toHaveProperty('cred');
    expect(await both(hs({ alg: 'HS256' }, claims({ ...host, cred: '\u200b\u0007' })))).not.toHaveProperty('cred');
    expect((await both(hs({ alg: 'HS256' }, claims({ ...host, cred: 'c'.repeat(120) })))).cred).toBe('c'.repeat(120));
    // Minting refuses with a clear error that says what is wrong.
    await expect(mintJoinToken({ ...host, cred: 'c'.repeat(121) }, { hs256Secret: SECRET, ttlS: 600, now })).rejects.toThrow(
      /cred \(the credentials line\) must be a string of 1 to 120 characters/,
    );
    await expect(mintJoinToken({ ...host, cred: '' }, { hs256Secret: SECRET, ttlS: 600, now })).rejects.toThrow(RangeError);
    await expect(mintJoinToken({ ...base, cred: 'MSW' }, { hs256Secret: SECRET, ttlS: 600, now })).rejects.toThrow(/host's token only/);
    // A hand-made token with a bad cred is refused like any other bad claim.
    for (const over of [{ cred: 'c'.repeat(121) }, { cred: '' }, { cred: 5 }, { cred: 'MSW' }]) {
      await expectRejected(both(hs({ alg: 'HS256' }, claims({ ...(over.cred === 'MSW' ? {} : host), ...over }))));
    }
  });
  it('rejects an over-long TTL (configured max and the protocol max), and exp before iat', async () => {
    const short = createJoinTokenVerifier({ hs256Secret: SECRET, maxTtlS: 900, now });
    await expectRejected(short(hs({ alg: 'HS256' }, claims({ exp: nowS + 901 }))));
    await expect(short(hs({ alg: 'HS256' }, claims({ exp: nowS + 900 })))).resolves.toBeTruthy();
    await expectRejected(both(hs({ alg: 'HS256' }, claims({ exp: nowS + MAX_JOIN_TOKEN_TTL_S + 1 }))));
    await expectRejected(both(hs({ alg: 'HS256' }, claims({ iat: nowS, exp: nowS }))));
    await expect(mintJoinToken(base, { hs256Secret: SECRET, ttlS: MAX_JOIN_TOKEN_TTL_S + 1 })).rejects.toThrow(RangeError);
    const signer = createJoinTokenSigner({ hs256Secret: SECRET, maxTtlS: 900, now });
    await expect(signer.mint(base, 901)).rejects.toThrow(RangeError);
  });

  it('rejects fuzzed strings with the same shape and never throws anything else', async () => {
    const good = await mintJoinToken(base, { hs256Secret: SECRET, ttlS: 600, now });
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = 'ABCabc019-_.=+/ \u0000\u00e9{}"';
    const inputs: unknown[] = [
      '',
      '.',
      '..',
      '...',
      'a.b.c',
      'x'.repeat(5000),
      `${'a'.repeat(4000)}.b.c`,
      null,
      undefined,
      42,
      {},
      ['a.b.c'],
    ];
    for (let i = 0; i < 300; i++) {
      const len = rnd(200);
      let s = '';
      for (let j = 0; j < len; j++) s += alphabet[rnd(alphabet.length)];
      inputs.push(s);
      // Mutate one character of a valid token.
      const pos = rnd(good.length);
      const ch = alphabet[rnd(alphabet.length)] as string;
      if (good[pos] !== ch) inputs.push(good.slice(0, pos) + ch + good.slice(pos + 1));
      // Random base64url segments.
      inputs.push([0, 1, 2].map(() => randomBytes(rnd(60) + 1).toString('base64url')).join('.'));
    }
    for (const input of inputs) await expectRejected(both(input as string));
  });

  it('rejects the token of a removed or denied participant through the registry', async () => {
    const registry = SessionRegistry.open({});
    const s = registry.create({});
    const verify = createJoinTokenVerifier({ hs256Secret: SECRET, isBarred: (sid, pid) => registry.isBarred(sid, pid), now });
    const mk = (pid: string): Promise<string> => mintJoinToken({ ...base, sid: s.id, pid }, { hs256Secret: SECRET, ttlS: 600, now });
    const t = await mk('client-1');
    await expect(verify(t)).resolves.toMatchObject({ pid: 'client-1' });
    registry.markRemoved(s.id, 'client-1');
    await expectRejected(verify(t));
    const t2 = await mk('client-2');
    registry.markDenied(s.id, 'client-2');
    await expectRejected(verify(t2));
  });

  it('every rejection has the same message whatever the reason (reasons differ internally)', async () => {
    const reasons = new Set<string>();
    const tokens = [
      hs({ alg: 'HS256' }, claims(), randomBytes(32)),
      hs({ alg: 'HS256' }, claims({ iat: nowS - 900, exp: nowS - 100 })),
      hs({ alg: 'HS256' }, claims({ nbf: nowS + 900 })),
      hs({ alg: 'HS256' }, claims({ aud: 'x' })),
      `${b64u({ alg: 'none' })}.${b64u(claims())}.`,
      hs({ alg: 'HS256' }, claims({ exp: nowS + MAX_JOIN_TOKEN_TTL_S + 10 })),
      'garbage',
    ];
    for (const t of tokens) reasons.add((await expectRejected(both(t))).internalReason);
    expect(reasons.size).toBeGreaterThanOrEqual(5);
  });

  it('refuses short HS256 secrets and non-Ed25519 keys at setup', () => {
    expect(() => createJoinTokenVerifier({ hs256Secret: 'short' })).toThrow(/32 bytes/);
    expect(() => createJoinTokenVerifier({})).toThrow();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => createJoinTokenVerifier({ eddsaPublicKey: rsa })).toThrow(/Ed25519/);
  });
});

describe('join-token key rotation', () => {
  it('accepts tokens signed with any configured secret or key, and still nothing else', async () => {
    const oldSecret = randomBytes(32);
    const old = generateKeyPairSync('ed25519');
    const verify = createJoinTokenVerifier({ hs256Secret: [SECRET, oldSecret], eddsaPublicKey: [PUB_PEM, old.publicKey], now });
    await expect(verify(await mintJoinToken(base, { hs256Secret: oldSecret, ttlS: 60, now }))).resolves.toMatchObject({ pid: 'client-1' });
    await expect(verify(await mintJoinToken(base, { hs256Secret: SECRET, ttlS: 60, now }))).resolves.toMatchObject({ pid: 'client-1' });
    await expect(verify(await mintJoinToken(base, { eddsaPrivateKey: old.privateKey, ttlS: 60, now }))).resolves.toMatchObject({
      pid: 'client-1',
    });
    await expectRejected(verify(await mintJoinToken(base, { hs256Secret: randomBytes(32), ttlS: 60, now })));
    await expectRejected(verify(hs({ alg: 'HS256' }, claims({ exp: nowS - 120 }), oldSecret))); // expired under the old key
    await expectRejected(verify(hs({ alg: 'HS256' }, claims(), Buffer.from(PUB_PEM))));
  });
});
