/**
 * Join-token revocation: tokens minted through the admin API are remembered by id (`jti`) until
 * they expire, so one can be revoked by id; a participant's tokens can be revoked all at once. The
 * token verifier asks {@link TokenRevocations.isRevoked} on every join.
 * @packageDocumentation
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { MAX_JOIN_TOKEN_TTL_S, TOKEN_CLOCK_SKEW_S } from '@alcove/protocol';

/** File name of the revocation state in the data folder. */
export const REVOCATIONS_FILE = 'revocations.json';

interface Minted {
  readonly sid: string;
  readonly pid: string;
  /** Unix seconds. */
  readonly exp: number;
  /** Unix ms. */
  readonly at: number;
}

interface State {
  version: 1;
  minted: [string, Minted][];
  revoked: [string, number][];
  /** `sid\npid` → unix ms of the revoke-all. */
  cutoffs: [string, number][];
}

/** Options of {@link TokenRevocations}. */
export interface TokenRevocationsOptions {
  /** JSON file (atomically rewritten, fsync'd on revocation). Without it, state is in memory. */
  readonly file?: string;
  /** Clock in ms. Default `Date.now`. */
  readonly now?: () => number;
  /** Most minted tokens remembered (the oldest are forgotten first). Default 100 000. */
  readonly maxTokens?: number;
}

/**
 * See the file header. Rules: a token whose `jti` was revoked is refused; after a revoke-all for
 * (session, participant) at time T, a token minted through the API before T is refused and one minted
 * after works; a token minted elsewhere (no known `jti`) is refused when its `iat` is at or before T's
 * second (so a token minted outside the API in the same second as the revocation is refused too).
 */
export class TokenRevocations {
  readonly #file: string | undefined;
  readonly #now: () => number;
  readonly #max: number;
  readonly #minted = new Map<string, Minted>();
  readonly #revoked = new Map<string, number>();
  readonly #cutoffs = new Map<string, number>();
  #pendingSave: NodeJS.Immediate | undefined;

  /** @throws when `file` exists but cannot be read (the server refuses to forget revocations). */
  constructor(options: TokenRevocationsOptions = {}) {
    this.#file = options.file;
    this.#now = options.now ?? Date.now;
    this.#max = options.maxTokens ?? 100_000;
    if (this.#file) this.#load(this.#file);
  }

  /** The state file, when there is one (its folder is the data folder). */
  get file(): string | undefined {
    return this.#file;
  }

  /** Remembers a token the admin API minted. */
  recordMinted(tokenId: string, sessionId: string, participantId: string, expS: number): void {
    this.#prune();
    if (this.#minted.size >= this.#max) {
      const oldest = this.#minted.keys().next().value;
      if (oldest !== undefined) this.#minted.delete(oldest);
    }
    this.#minted.set(tokenId, { sid: sessionId, pid: participantId, exp: expS, at: this.#now() });
    // Mints are written in batches (next turn of the event loop); revocations at once, fsync'd.
    if (this.#file && !this.#pendingSave) {
      this.#pendingSave = setImmediate(() => {
        this.#pendingSave = undefined;
        try {
          this.#save(false);
        } catch {
          // Retried with the next write; a lost mint record only means that token cannot be revoked by id.
        }
      });
      this.#pendingSave.unref?.();
    }
  }

  /** Writes what is pending (mints not yet on disk). */
  flush(): void {
    if (this.#pendingSave) clearImmediate(this.#pendingSave);
    this.#pendingSave = undefined;
    this.#save(false);
  }

  /** A minted token's session and participant, while remembered. */
  minted(tokenId: string): { readonly sessionId: string; readonly participantId: string } | undefined {
    const m = this.#minted.get(tokenId);
    return m ? { sessionId: m.sid, participantId: m.pid } : undefined;
  }

  /** Revokes one token; returns the revocation time (the first one when already revoked). */
  revoke(tokenId: string): number {
    const earlier = this.#revoked.get(tokenId);
    if (earlier !== undefined) return earlier;
    const at = this.#now();
    this.#revoked.set(tokenId, at);
    this.#save(true);
    return at;
  }

  /** Revokes every token of a participant issued until now; returns how many API-minted ones that caught. */
  revokeParticipant(sessionId: string, participantId: string): { revokedAt: number; tokens: number } {
    const at = this.#now();
    let tokens = 0;
    for (const [id, m] of this.#minted) {
      if (m.sid === sessionId && m.pid === participantId && !this.#revoked.has(id)) {
        this.#revoked.set(id, at);
        tokens++;
      }
    }
    this.#cutoffs.set(`${sessionId}\n${participantId}`, at);
    this.#save(true);
    return { revokedAt: at, tokens };
  }

  /** Whether the verifier must refuse these claims. */
  isRevoked(claims: { readonly sid: string; readonly pid: string; readonly iat: number; readonly jti?: string | undefined }): boolean {
    if (claims.jti !== undefined && this.#revoked.has(claims.jti)) return true;
    const cutoff = this.#cutoffs.get(`${claims.sid}\n${claims.pid}`);
    if (cutoff === undefined) return false;
    const known = claims.jti !== undefined ? this.#minted.get(claims.jti) : undefined;
    if (known && known.sid === claims.sid && known.pid === claims.pid) return known.at <= cutoff;
    return claims.iat <= Math.floor(cutoff / 1000);
  }

  /** Drops what can no longer matter: expired tokens, and revoke-alls older than any token lives. */
  #prune(): void {
    const nowS = Math.floor(this.#now() / 1000);
    for (const [id, m] of this.#minted) {
      if (m.exp + TOKEN_CLOCK_SKEW_S < nowS) {
        this.#minted.delete(id);
        this.#revoked.delete(id);
      }
    }
    const horizon = this.#now() - (MAX_JOIN_TOKEN_TTL_S + 2 * TOKEN_CLOCK_SKEW_S) * 1000;
    for (const [id, at] of this.#revoked) if (!this.#minted.has(id) && at < horizon) this.#revoked.delete(id);
    for (const [k, at] of this.#cutoffs) if (at < horizon) this.#cutoffs.delete(k);
  }

  #save(durable: boolean): void {
    if (!this.#file) return;
    if (durable && this.#pendingSave) {
      clearImmediate(this.#pendingSave);
      this.#pendingSave = undefined;
    }
    const state: State = { version: 1, minted: [...this.#minted], revoked: [...this.#revoked], cutoffs: [...this.#cutoffs] };
    const tmp = `${this.#file}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(state));
      if (durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.#file);
  }

  #load(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const state = JSON.parse(text) as State;
    if (state.version !== 1 || !Array.isArray(state.minted) || !Array.isArray(state.revoked) || !Array.isArray(state.cutoffs)) {
      throw new Error(`${file} is not a revocation file.`);
    }
    for (const [k, m] of state.minted) this.#minted.set(k, m);
    for (const [k, at] of state.revoked) this.#revoked.set(k, at);
    for (const [k, at] of state.cutoffs) this.#cutoffs.set(k, at);
  }
}
