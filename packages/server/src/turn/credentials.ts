/**
 * Short-lived TURN credentials in the TURN REST API scheme (the shared-secret mechanism coturn
 * implements with `use-auth-secret` and `static-auth-secret`): the username is
 * `<expiry unix seconds>:<opaque id>` and the credential is base64(HMAC-SHA1(secret, username)).
 * The TURN server recomputes the HMAC with the same secret and refuses a username whose expiry
 * has passed, so no per-user state is shared between Alcove and the TURN server.
 * @packageDocumentation
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IceServer } from '@alcove/protocol';

/** Longest and shortest lifetime accepted for issued credentials, seconds. */
export const TURN_TTL_MIN_S = 60;
export const TURN_TTL_MAX_S = 7 * 86_400;
/** Default lifetime: a working day, so a call never outlives its relay credentials (a resume gets new ones). */
export const TURN_TTL_DEFAULT_S = 12 * 3_600;

/** Server-side TURN settings. */
export interface TurnOptions {
  /**
   * TURN URLs handed to clients, e.g. `turn:turn.example.org:3478?transport=udp`,
   * `turn:turn.example.org:3478?transport=tcp`, `turns:turn.example.org:443?transport=tcp`.
   */
  readonly urls: readonly string[];
  /**
   * Shared secrets (coturn's `static-auth-secret`), the first signs. Keep the others during a
   * rotation so coturn (configured with both) and Alcove agree throughout.
   */
  readonly secrets: readonly string[];
  /** Credential lifetime, seconds. Default {@link TURN_TTL_DEFAULT_S}. */
  readonly ttlS?: number;
}

/** Credentials handed to one participant. */
export interface TurnCredentials {
  readonly iceServers: IceServer[];
  /** When the credentials stop being accepted, ms since the epoch. */
  readonly expiresAt: number;
}

const URL_RE = /^turns?:(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?(\?transport=(udp|tcp))?$/;

/**
 * Checks TURN options; throws `TypeError` naming the problem (never the secret).
 * @throws `TypeError` for no URLs, a malformed URL, no secret or one shorter than 16 characters, or a TTL out of range.
 */
export function validateTurnOptions(o: TurnOptions): void {
  if (!Array.isArray(o.urls) || o.urls.length === 0 || o.urls.length > 8) throw new TypeError('turn.urls must list 1 to 8 TURN URLs');
  for (const u of o.urls) {
    if (typeof u !== 'string' || !URL_RE.test(u)) {
      throw new TypeError('turn.urls entries must look like turn:HOST:PORT?transport=udp|tcp or turns:HOST:PORT?transport=tcp');
    }
    if (u.startsWith('turns:') && u.endsWith('transport=udp')) throw new TypeError('turns: (TLS) URLs carry TCP, not UDP');
  }
  if (!Array.isArray(o.secrets) || o.secrets.length === 0 || o.secrets.some((s) => typeof s !== 'string' || s.length < 16)) {
    throw new TypeError('turn.secrets must hold at least one secret of 16 or more characters');
  }
  const ttl = o.ttlS ?? TURN_TTL_DEFAULT_S;
  if (!Number.isInteger(ttl) || ttl < TURN_TTL_MIN_S || ttl > TURN_TTL_MAX_S) {
    throw new TypeError(`turn.ttlS must be an integer from ${TURN_TTL_MIN_S} to ${TURN_TTL_MAX_S}`);
  }
}

/** The credential for `username` under `secret`: base64(HMAC-SHA1(secret, username)). */
export function turnCredential(secret: string, username: string): string {
  return createHmac('sha1', secret).update(username).digest('base64');
}

/**
 * Issues credentials valid for `ttlS` from `now`. The id part of the username is random (it
 * names no participant and links nothing in the TURN server's logs to the session).
 */
export function issueTurnCredentials(o: TurnOptions, now: number = Date.now()): TurnCredentials {
  const ttl = o.ttlS ?? TURN_TTL_DEFAULT_S;
  const expiry = Math.floor(now / 1000) + ttl;
  const username = `${expiry}:${randomBytes(9).toString('base64url')}`;
  const credential = turnCredential(o.secrets[0] as string, username);
  return { iceServers: [{ urls: [...o.urls], username, credential }], expiresAt: expiry * 1000 };
}

/**
 * Whether a TURN server sharing `secrets` would accept `username`/`credential` at `now`: the HMAC
 * matches one secret and the expiry in the username has not passed (what coturn checks).
 */
export function verifyTurnCredential(secrets: readonly string[], username: string, credential: string, now: number = Date.now()): boolean {
  const m = /^(\d{1,12}):/.exec(username);
  if (!m) return false;
  if (Number(m[1]) * 1000 <= now) return false;
  const given = Buffer.from(credential);
  return secrets.some((s) => {
    const want = Buffer.from(turnCredential(s, username));
    return want.length === given.length && timingSafeEqual(want, given);
  });
}
