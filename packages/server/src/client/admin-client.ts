/**
 * The integrator's Node client for the admin API.
 * @packageDocumentation
 */

import type { AdminErrorBody, MintTokenRequest, MintTokenResponse, ParticipantsResponse, SessionView } from '../admin/types.js';
import type { SessionPolicyInput } from '../sessions/types.js';

/** Options of {@link AlcoveAdminClient}. */
export interface AlcoveAdminClientOptions {
  /** Server origin, e.g. `https://alcove.example.org` (paths `/v1/...` are appended). */
  readonly baseUrl: string;
  /** An admin API key. */
  readonly apiKey: string;
  /** `fetch` implementation. Default the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** Per-call timeout, ms. Default 10 000. */
  readonly timeoutMs?: number;
}

/** A failed admin call: the HTTP status and the server's stable error code. */
export class AdminApiError extends Error {
  readonly status: number;
  /** e.g. `UNAUTHENTICATED`, `SESSION_NOT_FOUND`, `INVALID_POLICY`; `NETWORK_ERROR` when no answer came. */
  readonly code: string;
  constructor(status: number, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AdminApiError';
    this.status = status;
    this.code = code;
  }
}

/**
 * Typed calls to the admin API.
 * @example
 * ```ts
 * const alcove = new AlcoveAdminClient({ baseUrl: 'https://alcove.example.org', apiKey });
 * const session = await alcove.createSession({ maxParticipants: 2, jurisdictions: ['US-CA'] });
 * const { token } = await alcove.mintToken(session.id, { role: 'client', displayName: 'Alex' });
 * ```
 */
export class AlcoveAdminClient {
  readonly #base: string;
  readonly #key: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: AlcoveAdminClientOptions) {
    const u = new URL(options.baseUrl);
    this.#base = u.origin + u.pathname.replace(/\/+$/, '');
    if (typeof options.apiKey !== 'string' || options.apiKey.length === 0) throw new TypeError('apiKey is required.');
    this.#key = options.apiKey;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** `GET /v1/health`. */
  async health(): Promise<{ status: 'ok' }> {
    return this.#call('GET', '/v1/health');
  }

  /** `POST /v1/sessions`: creates a session (secure defaults for anything not given). @throws {@link AdminApiError} */
  async createSession(policy: SessionPolicyInput = {}): Promise<SessionView> {
    return (await this.#call<{ session: SessionView }>('POST', '/v1/sessions', { policy })).session;
  }

  /** `GET /v1/sessions/:id`. @throws {@link AdminApiError} `SESSION_NOT_FOUND` (404) */
  async getSession(sessionId: string): Promise<SessionView> {
    return (await this.#call<{ session: SessionView }>('GET', `/v1/sessions/${enc(sessionId)}`)).session;
  }

  /** `POST /v1/sessions/:id/end` (idempotent). @throws {@link AdminApiError} */
  async endSession(sessionId: string, reason?: string): Promise<SessionView> {
    return (
      await this.#call<{ session: SessionView }>('POST', `/v1/sessions/${enc(sessionId)}/end`, reason === undefined ? {} : { reason })
    ).session;
  }

  /** `POST /v1/sessions/:id/tokens`: a join token for one participant. @throws {@link AdminApiError} */
  async mintToken(sessionId: string, request: MintTokenRequest): Promise<MintTokenResponse> {
    return this.#call('POST', `/v1/sessions/${enc(sessionId)}/tokens`, request);
  }

  /** `GET /v1/sessions/:id/participants`: attendance (join/leave/reconnect times, never-joined). */
  async participants(sessionId: string): Promise<ParticipantsResponse> {
    return this.#call('GET', `/v1/sessions/${enc(sessionId)}/participants`);
  }

  async #call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await this.#fetch(`${this.#base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#key}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        redirect: 'error',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (cause) {
      throw new AdminApiError(0, 'NETWORK_ERROR', 'The admin API could not be reached.', { cause });
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const err = (json as AdminErrorBody | undefined)?.error;
      throw new AdminApiError(
        res.status,
        typeof err?.code === 'string' ? err.code : 'HTTP_ERROR',
        typeof err?.message === 'string' ? err.message : `HTTP ${res.status}`,
      );
    }
    return json as T;
  }
}

const enc = (id: string): string => encodeURIComponent(id);
