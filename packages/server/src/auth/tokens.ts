/**
 * Join tokens (ARCHITECTURE §5): JWTs signed with EdDSA (Ed25519) or HS256 through `jose`, with pinned
 * algorithms, the claims of `JoinTokenClaimsSchema` (@alcove/protocol), a maximum lifetime and a
 * clock skew. Every failure becomes the same {@link InvalidTokenError}.
 * @packageDocumentation
 */
import { createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { SignJWT, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import {
  JOIN_TOKEN_AUDIENCE,
  MAX_CREDENTIALS_LENGTH,
  MAX_JOIN_TOKEN_TTL_S,
  ROLES,
  TOKEN_CLOCK_SKEW_S,
  type JoinTokenClaims,
  type Role,
} from '@alcove/protocol';
import { InvalidTokenError, TokenKeyError, type InvalidTokenReason } from './errors.js';

/** Key material accepted for an EdDSA key: PEM text, JWK (object or JSON text), or a Node `KeyObject`. */
export type EdDsaKeyInput = string | KeyObject | Record<string, unknown>;
/** An HS256 shared secret: at least {@link MIN_HS256_SECRET_BYTES} bytes (UTF-8 for strings). */
export type Hs256SecretInput = string | Uint8Array;

/** Shortest HS256 secret accepted (RFC 7518 §3.2: at least the hash size). */
export const MIN_HS256_SECRET_BYTES = 32;
/** Longest token string looked at; longer input is rejected before any parsing. */
export const MAX_JOIN_TOKEN_LENGTH = 4096;

/** Options of {@link createJoinTokenVerifier}. At least one key is required. */
export interface JoinTokenVerifierOptions {
  /**
   * Shared secret for HS256 tokens, or several while a secret rotates (the current first; each is
   * tried in turn). Without it, HS256 tokens are refused.
   */
  readonly hs256Secret?: Hs256SecretInput | readonly Hs256SecretInput[];
  /** Public key for EdDSA (Ed25519) tokens, or several while a key rotates. Without it, EdDSA tokens are refused. */
  readonly eddsaPublicKey?: EdDsaKeyInput | readonly EdDsaKeyInput[];
  /** Required `aud`. Default `alcove:join`. */
  readonly audience?: string;
  /** Longest accepted `exp - iat`, seconds. Default {@link MAX_JOIN_TOKEN_TTL_S} (and never above it). */
  readonly maxTtlS?: number;
  /** Clock skew tolerated on `exp`/`nbf`/`iat`, seconds. Default 60. */
  readonly clockSkewS?: number;
  /** Extra rejection hook (e.g. `registry.isBarred`): returning true rejects the token. */
  readonly isBarred?: (sessionId: string, participantId: string) => boolean;
  /** Revocation hook (admin API token revocation): returning true rejects the token (reason `revoked`). */
  readonly isRevoked?: (claims: JoinTokenClaims) => boolean;
  /** Clock in ms. Default `Date.now`. */
  readonly now?: () => number;
}

/** Verifies a join token and resolves to its claims, or rejects with {@link InvalidTokenError}. */
export type JoinTokenVerifier = (token: string) => Promise<JoinTokenClaims>;

/** The claims an integrator chooses; `aud`, `iat` and `exp` are added by {@link mintJoinToken}. */
export interface JoinTokenInput {
  /** Session id. */
  readonly sid: string;
  /** Participant id (stable for this participant in this session). */
  readonly pid: string;
  readonly role: Role;
  /** Display name shown to others (1–80 characters). */
  readonly name: string;
  /**
   * Hosts only, optional: a credentials line waiting guests see under the host's name (1–120
   * characters, e.g. `Licensed clinical psychologist`). Relayed as text, never logged.
   */
  readonly cred?: string;
  /** Not valid before (unix seconds). */
  readonly nbf?: number;
  readonly iss?: string;
  readonly jti?: string;
}

/** The signing key of {@link mintJoinToken}: exactly one of the two. */
export type JoinTokenSigningKey =
  | { readonly hs256Secret: Hs256SecretInput; readonly eddsaPrivateKey?: undefined }
  | { readonly eddsaPrivateKey: EdDsaKeyInput; readonly hs256Secret?: undefined };

/** Options of {@link mintJoinToken}. */
export type MintJoinTokenOptions = JoinTokenSigningKey & {
  /** Lifetime in seconds (1 … {@link MAX_JOIN_TOKEN_TTL_S}). */
  readonly ttlS: number;
  /** `aud`. Default `alcove:join`. */
  readonly audience?: string;
  /** Clock in ms. Default `Date.now`. */
  readonly now?: () => number;
};

const COMPACT_JWS_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const ROLE_SET = new Set<string>(ROLES);
const ALLOWED_CLAIMS = new Set(['sid', 'pid', 'role', 'name', 'cred', 'aud', 'iat', 'exp', 'nbf', 'iss', 'jti']);

/** Longest display name kept (Unicode code points); a longer name is cut. */
export const MAX_DISPLAY_NAME_LENGTH = 64;
/** What a name made only of control characters or spaces becomes. */
export const FALLBACK_DISPLAY_NAME = 'Participant';
// C0/C1 controls, bidirectional overrides and isolates, zero-width and other invisible format characters.
const CONTROL_RE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/**
 * The display name as the server relays it: line breaks and tabs become spaces, other control and
 * invisible format characters (C0/C1, bidirectional overrides, zero-width) are removed, runs of whitespace collapsed to one space, trimmed,
 * and cut to {@link MAX_DISPLAY_NAME_LENGTH} code points. A name with nothing left becomes
 * {@link FALLBACK_DISPLAY_NAME}. Clients show it as text (never as HTML).
 */
export function sanitizeDisplayName(name: string): string {
  const cleaned = name
    .normalize('NFC')
    .replace(/[\t\n\v\f\r\u0085\u2028\u2029]/gu, ' ')
    .replace(CONTROL_RE, '')
    .replace(/\s+/gu, ' ')
    .trim();
  const cut = [...cleaned].slice(0, MAX_DISPLAY_NAME_LENGTH).join('').trim();
  return cut.length > 0 ? cut : FALLBACK_DISPLAY_NAME;
}

/**
 * A host's credentials line as the server relays it: cleaned like {@link sanitizeDisplayName} and
 * cut to `MAX_CREDENTIALS_LENGTH` (120) code points; `undefined` when nothing is left.
 */
export function sanitizeCredentials(cred: string): string | undefined {
  const cleaned = cred
    .normalize('NFC')
    .replace(/[\t\n\v\f\r\u0085\u2028\u2029]/gu, ' ')
    .replace(CONTROL_RE, '')
    .replace(/\s+/gu, ' ')
    .trim();
  const cut = [...cleaned].slice(0, MAX_CREDENTIALS_LENGTH).join('').trim();
  return cut.length > 0 ? cut : undefined;
}

/** Why a `cred` claim is refused, or undefined when it is acceptable (absent, or a host's 1–120 characters). */
function credProblem(cred: unknown, role: unknown): string | undefined {
  if (cred === undefined) return undefined;
  if (typeof cred !== 'string' || cred.length < 1 || cred.length > MAX_CREDENTIALS_LENGTH)
    return `cred (the credentials line) must be a string of 1 to ${MAX_CREDENTIALS_LENGTH} characters.`;
  if (role !== 'host') return "cred (the credentials line) is for a host's token only.";
  return undefined;
}

function secretBytes(secret: Hs256SecretInput): Uint8Array {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  if (!(bytes instanceof Uint8Array) || bytes.byteLength < MIN_HS256_SECRET_BYTES) {
    throw new TokenKeyError(`The HS256 secret must be at least ${MIN_HS256_SECRET_BYTES} bytes.`);
  }
  return bytes;
}

function parseKeyText(input: EdDsaKeyInput): string | Record<string, unknown> | KeyObject {
  if (typeof input === 'string' && input.trim().startsWith('{')) {
    try {
      return JSON.parse(input) as Record<string, unknown>;
    } catch (cause) {
      throw new TokenKeyError('The EdDSA key is neither PEM nor JWK JSON.', { cause });
    }
  }
  return input;
}

function checkEd25519(key: KeyObject, type: 'public' | 'private'): KeyObject {
  if (key.type !== type || key.asymmetricKeyType !== 'ed25519') {
    throw new TokenKeyError(`The EdDSA key must be an Ed25519 ${type} key.`);
  }
  return key;
}

/** Imports an Ed25519 public key from PEM (SPKI), JWK or KeyObject. @throws {@link TokenKeyError} */
export function importEdDsaPublicKey(input: EdDsaKeyInput): KeyObject {
  const parsed = parseKeyText(input);
  try {
    if (typeof parsed === 'string') return checkEd25519(createPublicKey(parsed), 'public');
    if (isKeyObject(parsed)) return checkEd25519(parsed.type === 'private' ? createPublicKey(parsed) : parsed, 'public');
    const { d: _private, ...pub } = parsed;
    return checkEd25519(createPublicKey({ key: pub as never, format: 'jwk' }), 'public');
  } catch (cause) {
    if (cause instanceof TokenKeyError) throw cause;
    throw new TokenKeyError('The EdDSA public key could not be read.', { cause });
  }
}

/** Imports an Ed25519 private key from PEM (PKCS#8), JWK or KeyObject. @throws {@link TokenKeyError} */
export function importEdDsaPrivateKey(input: EdDsaKeyInput): KeyObject {
  const parsed = parseKeyText(input);
  try {
    if (typeof parsed === 'string') return checkEd25519(createPrivateKey(parsed), 'private');
    if (isKeyObject(parsed)) return checkEd25519(parsed, 'private');
    return checkEd25519(createPrivateKey({ key: parsed as never, format: 'jwk' }), 'private');
  } catch (cause) {
    if (cause instanceof TokenKeyError) throw cause;
    throw new TokenKeyError('The EdDSA private key could not be read.', { cause });
  }
}

function isKeyObject(value: unknown): value is KeyObject {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as KeyObject).export === 'function' &&
    typeof (value as KeyObject).type === 'string'
  );
}

/** Checks the claim set against `JoinTokenClaimsSchema`; returns a normalised copy or undefined. */
export function checkJoinTokenClaims(payload: JWTPayload, audience: string): JoinTokenClaims | undefined {
  for (const k of Object.keys(payload)) if (!ALLOWED_CLAIMS.has(k)) return undefined;
  const { sid, pid, role, name, cred, aud, iat, exp, nbf, iss, jti } = payload as Record<string, unknown>;
  if (typeof sid !== 'string' || !ID_RE.test(sid)) return undefined;
  if (typeof pid !== 'string' || !ID_RE.test(pid)) return undefined;
  if (typeof role !== 'string' || !ROLE_SET.has(role)) return undefined;
  if (typeof name !== 'string' || name.length < 1 || name.length > 80) return undefined;
  if (credProblem(cred, role) !== undefined) return undefined;
  const audOk =
    aud === audience || (Array.isArray(aud) && aud.length <= 8 && aud.every((a) => typeof a === 'string') && aud.includes(audience));
  if (!audOk) return undefined;
  if (!Number.isSafeInteger(iat) || !Number.isSafeInteger(exp)) return undefined;
  if (nbf !== undefined && !Number.isSafeInteger(nbf)) return undefined;
  if (iss !== undefined && (typeof iss !== 'string' || iss.length > 256)) return undefined;
  if (jti !== undefined && (typeof jti !== 'string' || jti.length > 128)) return undefined;
  const claims: Record<string, unknown> = { sid, pid, role, name: sanitizeDisplayName(name), aud, iat, exp };
  const credentials = typeof cred === 'string' ? sanitizeCredentials(cred) : undefined;
  if (credentials !== undefined) claims.cred = credentials;
  if (nbf !== undefined) claims.nbf = nbf;
  if (iss !== undefined) claims.iss = iss;
  if (jti !== undefined) claims.jti = jti;
  return claims as JoinTokenClaims;
}

function reasonOf(error: unknown): InvalidTokenReason {
  if (error instanceof InvalidTokenError) return error.internalReason;
  if (error instanceof joseErrors.JWTExpired) return 'expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'not-yet-valid';
    if (error.claim === 'aud') return 'audience';
    return 'claims';
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'signature';
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'algorithm';
  return 'format';
}

/**
 * Creates a join-token verifier. Algorithms are pinned to the keys given: `HS256` only with
 * `hs256Secret`, `EdDSA` only with `eddsaPublicKey`; `none` and every other algorithm are refused, and
 * each algorithm is checked with its own key only (so an HS256 token "signed" with the EdDSA public key
 * bytes fails). Checks, in order: size and shape, header algorithm, signature, `aud`, `exp`/`nbf`
 * (with `clockSkewS`), the claim set (`sid`, `pid`, `role`, `name`, `aud`, `iat`, `exp` required; `cred`
 * optional, a host's only, 1–120 characters; no unknown claims), `iat` not in the future, `exp - iat ≤ maxTtlS`, and `isBarred`.
 * @throws {@link TokenKeyError} when no key is given or a key is unusable (at creation).
 * @example
 * ```ts
 * const verify = createJoinTokenVerifier({ hs256Secret: process.env.ALCOVE_TOKEN_SECRET! });
 * const claims = await verify(token); // rejects with InvalidTokenError (code INVALID_TOKEN)
 * assertTokenForSession(claims, sessionId);
 * ```
 */
export function createJoinTokenVerifier(options: JoinTokenVerifierOptions): JoinTokenVerifier {
  const list = <T>(v: T | readonly T[] | undefined): readonly T[] =>
    v === undefined ? [] : Array.isArray(v) ? (v as readonly T[]) : [v as T];
  const hsKeys = list(options.hs256Secret).map((k) => createSecretKey(secretBytes(k)));
  const edKeys = list(options.eddsaPublicKey).map((k) => importEdDsaPublicKey(k));
  if (hsKeys.length === 0 && edKeys.length === 0)
    throw new TokenKeyError('A join-token verifier needs an HS256 secret or an EdDSA public key.');
  const audience = options.audience ?? JOIN_TOKEN_AUDIENCE;
  const maxTtlS = Math.min(options.maxTtlS ?? MAX_JOIN_TOKEN_TTL_S, MAX_JOIN_TOKEN_TTL_S);
  const skewS = options.clockSkewS ?? TOKEN_CLOCK_SKEW_S;
  const now = options.now ?? Date.now;

  return async (token: string): Promise<JoinTokenClaims> => {
    try {
      if (typeof token !== 'string' || token.length > MAX_JOIN_TOKEN_LENGTH || !COMPACT_JWS_RE.test(token)) {
        throw new InvalidTokenError('format');
      }
      let alg: unknown;
      try {
        alg = decodeProtectedHeader(token).alg;
      } catch (cause) {
        throw new InvalidTokenError('format', { cause });
      }
      const keys = alg === 'HS256' ? hsKeys : alg === 'EdDSA' ? edKeys : [];
      if (keys.length === 0 || typeof alg !== 'string') throw new InvalidTokenError('algorithm');
      const nowMs = now();
      let payload: JWTPayload | undefined;
      for (let i = 0; payload === undefined; i++) {
        try {
          ({ payload } = await jwtVerify(token, keys[i] as KeyObject, {
            algorithms: [alg],
            audience,
            clockTolerance: skewS,
            currentDate: new Date(nowMs),
            requiredClaims: ['sid', 'pid', 'role', 'name', 'aud', 'iat', 'exp'],
          }));
        } catch (error) {
          // Another key may have signed it; any other failure is final.
          if (!(error instanceof joseErrors.JWSSignatureVerificationFailed) || i === keys.length - 1) throw error;
        }
      }
      const claims = checkJoinTokenClaims(payload, audience);
      if (!claims) throw new InvalidTokenError('claims');
      const nowS = Math.floor(nowMs / 1000);
      if (claims.iat > nowS + skewS) throw new InvalidTokenError('not-yet-valid');
      if (claims.exp <= claims.iat || claims.exp - claims.iat > maxTtlS) throw new InvalidTokenError('ttl');
      if (options.isBarred?.(claims.sid, claims.pid)) throw new InvalidTokenError('barred');
      if (options.isRevoked?.(claims)) throw new InvalidTokenError('revoked');
      return claims;
    } catch (error) {
      throw error instanceof InvalidTokenError ? error : new InvalidTokenError(reasonOf(error), { cause: error });
    }
  };
}

/**
 * Rejects claims that belong to another session, with the same {@link InvalidTokenError} as any other
 * token failure.
 * @throws {@link InvalidTokenError}
 */
export function assertTokenForSession(claims: JoinTokenClaims, sessionId: string): void {
  if (claims.sid !== sessionId) throw new InvalidTokenError('session');
}

/**
 * Mints a join token (what an integrator's back end, or the admin API, hands to a participant).
 * @throws {@link TokenKeyError} for an unusable key; `RangeError` for invalid claims or TTL.
 * @example
 * ```ts
 * const token = await mintJoinToken(
 *   { sid: session.id, pid: 'client-1', role: 'client', name: 'Alex' },
 *   { hs256Secret: secret, ttlS: 900 },
 * );
 * ```
 */
export async function mintJoinToken(claims: JoinTokenInput, options: MintJoinTokenOptions): Promise<string> {
  const { ttlS } = options;
  if (!Number.isSafeInteger(ttlS) || ttlS < 1 || ttlS > MAX_JOIN_TOKEN_TTL_S) {
    throw new RangeError(`ttlS must be an integer from 1 to ${MAX_JOIN_TOKEN_TTL_S}.`);
  }
  const audience = options.audience ?? JOIN_TOKEN_AUDIENCE;
  const iat = Math.floor((options.now ?? Date.now)() / 1000);
  const payload: JWTPayload = {
    sid: claims.sid,
    pid: claims.pid,
    role: claims.role,
    name: claims.name,
    aud: audience,
    iat,
    exp: iat + ttlS,
  };
  if (claims.cred !== undefined) {
    const problem = credProblem(claims.cred, claims.role);
    if (problem) throw new RangeError(problem);
    payload.cred = claims.cred;
  }
  if (claims.nbf !== undefined) payload.nbf = claims.nbf;
  if (claims.iss !== undefined) payload.iss = claims.iss;
  if (claims.jti !== undefined) payload.jti = claims.jti;
  if (!checkJoinTokenClaims(payload, audience)) throw new RangeError('The join-token claims are not valid (sid, pid, role, name).');
  const jwt = new SignJWT(payload);
  if (options.hs256Secret !== undefined) {
    return jwt.setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(createSecretKey(secretBytes(options.hs256Secret)));
  }
  if (options.eddsaPrivateKey !== undefined) {
    return jwt.setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' }).sign(importEdDsaPrivateKey(options.eddsaPrivateKey));
  }
  throw new TokenKeyError('mintJoinToken needs hs256Secret or eddsaPrivateKey.');
}

/** What the admin API needs to mint tokens: a key bound once, with its maximum lifetime. */
export interface JoinTokenSigner {
  /** Longest lifetime this signer grants, seconds. */
  readonly maxTtlS: number;
  /** Signs a token valid for `ttlS` seconds (clamped to `maxTtlS` is NOT done: larger is a RangeError). */
  mint(claims: JoinTokenInput, ttlS: number): Promise<{ token: string; expiresAt: number }>;
}

/**
 * Binds a signing key into a {@link JoinTokenSigner}.
 * @throws {@link TokenKeyError} for an unusable key.
 */
export function createJoinTokenSigner(
  options: JoinTokenSigningKey & { readonly maxTtlS?: number; readonly audience?: string; readonly now?: () => number },
): JoinTokenSigner {
  const maxTtlS = Math.min(options.maxTtlS ?? MAX_JOIN_TOKEN_TTL_S, MAX_JOIN_TOKEN_TTL_S);
  const now = options.now ?? Date.now;
  const key: JoinTokenSigningKey =
    options.hs256Secret !== undefined
      ? { hs256Secret: secretBytes(options.hs256Secret) }
      : { eddsaPrivateKey: importEdDsaPrivateKey(options.eddsaPrivateKey as EdDsaKeyInput) };
  return {
    maxTtlS,
    async mint(claims, ttlS) {
      if (!Number.isSafeInteger(ttlS) || ttlS < 1 || ttlS > maxTtlS) throw new RangeError(`ttlS must be from 1 to ${maxTtlS}.`);
      const issuedMs = now();
      const base = { ttlS, now: () => issuedMs, ...(options.audience ? { audience: options.audience } : {}) };
      const token = await mintJoinToken(claims, { ...key, ...base } as MintJoinTokenOptions);
      return { token, expiresAt: Math.floor(issuedMs / 1000) + ttlS };
    },
  };
}
