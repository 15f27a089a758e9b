/**
 * The integrator's Node client for the admin API: one method per route.
 * @packageDocumentation
 */

import type {
  AdminErrorBody,
  AttendanceResponse,
  AuditEventsResponse,
  ListSessionsRequest,
  MintTokenRequest,
  MintTokenResponse,
  MuteResponse,
  PageRequest,
  ParticipantStatus,
  ParticipantView,
  ParticipantsResponse,
  PolicyUpdateRequest,
  RevokeParticipantTokensResponse,
  RevokeTokenResponse,
  SessionView,
  WebhookDeliveriesResponse,
} from '../admin/types.js';
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
  /** e.g. `UNAUTHENTICATED`, `SESSION_NOT_FOUND`, `INVALID_POLICY`; `NETWORK_ERROR` when no answer came; `HTTP_ERROR` for a non-JSON error. */
  readonly code: string;
  constructor(status: number, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AdminApiError';
    this.status = status;
    this.code = code;
  }
}

/** Options of {@link AlcoveAdminClient.createSession}. */
export interface CreateSessionOptions {
  /**
   * Makes the call safe to retry: the same key with the same policy within 24 hours returns the first
   * session instead of creating another. Use one fresh key per intended session (e.g. your appointment id).
   */
  readonly idempotencyKey?: string;
}

type Query = Record<string, string | number | boolean | undefined>;

/**
 * Typed calls to the admin API, one per route. Every method throws {@link AdminApiError} with the
 * server's error `code` on failure.
 * @example
 * ```ts
 * const alcove = new AlcoveAdminClient({ baseUrl: 'https://alcove.example.org', apiKey });
 * const session = await alcove.createSession({ maxParticipants: 2 }, { idempotencyKey: appointment.id });
 * const { token } = await alcove.mintToken(session.id, { role: 'client', displayName: 'Alex' });
 * for await (const s of alcove.iterateSessions({ state: 'open' })) console.log(s.id);
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

  // --- meta ---

  /** `GET /v1/health`. */
  async health(): Promise<{ status: 'ok' }> {
    return this.#call('GET', '/v1/health');
  }

  /** `GET /v1/openapi.json`: the OpenAPI 3.1 document of this API. */
  async openApi(): Promise<Record<string, unknown>> {
    return this.#call('GET', '/v1/openapi.json');
  }

  // --- sessions ---

  /** `POST /v1/sessions`: creates a session (secure defaults for anything not given). */
  async createSession(policy: SessionPolicyInput = {}, options: CreateSessionOptions = {}): Promise<SessionView> {
    const headers = options.idempotencyKey !== undefined ? { 'idempotency-key': options.idempotencyKey } : undefined;
    return (await this.#call<{ session: SessionView }>('POST', '/v1/sessions', { policy }, headers)).session;
  }

  /** `GET /v1/sessions`: one page of sessions, newest first. */
  async listSessions(request: ListSessionsRequest = {}): Promise<{ sessions: readonly SessionView[]; nextCursor?: string }> {
    return this.#call('GET', `/v1/sessions${qs({ ...request })}`);
  }

  /** Every session matching the filters, page after page. */
  async *iterateSessions(request: Omit<ListSessionsRequest, 'cursor'> = {}): AsyncGenerator<SessionView> {
    let cursor: string | undefined;
    do {
      const page = await this.listSessions({ ...request, ...(cursor ? { cursor } : {}) });
      yield* page.sessions;
      cursor = page.nextCursor;
    } while (cursor);
  }

  /** `GET /v1/sessions/:id`. */
  async getSession(sessionId: string): Promise<SessionView> {
    return (await this.#call<{ session: SessionView }>('GET', `/v1/sessions/${enc(sessionId)}`)).session;
  }

  /** `PATCH /v1/sessions/:id/policy`: changes `waitingRoom`, `maxParticipants`, `idleTimeoutS` or `screenShare`. */
  async updatePolicy(sessionId: string, changes: PolicyUpdateRequest): Promise<SessionView> {
    return (await this.#call<{ session: SessionView }>('PATCH', `/v1/sessions/${enc(sessionId)}/policy`, changes)).session;
  }

  /** `POST /v1/sessions/:id/end` (idempotent). */
  async endSession(sessionId: string, reason?: string): Promise<SessionView> {
    return (
      await this.#call<{ session: SessionView }>('POST', `/v1/sessions/${enc(sessionId)}/end`, reason === undefined ? {} : { reason })
    ).session;
  }

  /** `POST /v1/sessions/:id/lock`. */
  async lockSession(sessionId: string): Promise<SessionView> {
    return (await this.#call<{ session: SessionView }>('POST', `/v1/sessions/${enc(sessionId)}/lock`, {})).session;
  }

  /** `POST /v1/sessions/:id/unlock`. */
  async unlockSession(sessionId: string): Promise<SessionView> {
    return (await this.#call<{ session: SessionView }>('POST', `/v1/sessions/${enc(sessionId)}/unlock`, {})).session;
  }

  // --- participants ---

  /** `GET /v1/sessions/:id/participants`: one page of participants with attendance and where they stand. */
  async participants(
    sessionId: string,
    request: PageRequest & { readonly status?: ParticipantStatus } = {},
  ): Promise<ParticipantsResponse> {
    return this.#call('GET', `/v1/sessions/${enc(sessionId)}/participants${qs({ ...request })}`);
  }

  /** `GET /v1/sessions/:id/participants/:pid`. */
  async getParticipant(sessionId: string, participantId: string): Promise<ParticipantView> {
    return (await this.#call<{ participant: ParticipantView }>('GET', this.#p(sessionId, participantId))).participant;
  }

  /** `POST …/participants/:pid/admit`: admits a waiting participant. */
  async admit(sessionId: string, participantId: string): Promise<ParticipantView> {
    return (await this.#call<{ participant: ParticipantView }>('POST', `${this.#p(sessionId, participantId)}/admit`, {})).participant;
  }

  /** `POST …/participants/:pid/deny`: turns a waiting participant away for good. */
  async deny(sessionId: string, participantId: string): Promise<ParticipantView> {
    return (await this.#call<{ participant: ParticipantView }>('POST', `${this.#p(sessionId, participantId)}/deny`, {})).participant;
  }

  /** `POST …/participants/:pid/remove`: disconnects (if connected) and bars for good. */
  async remove(sessionId: string, participantId: string): Promise<ParticipantView> {
    return (await this.#call<{ participant: ParticipantView }>('POST', `${this.#p(sessionId, participantId)}/remove`, {})).participant;
  }

  /** `POST …/participants/:pid/mute`: asks a connected participant to mute its microphone or camera. */
  async requestMute(sessionId: string, participantId: string, kind: 'audio' | 'video'): Promise<MuteResponse> {
    return this.#call('POST', `${this.#p(sessionId, participantId)}/mute`, { kind });
  }

  // --- tokens ---

  /** `POST /v1/sessions/:id/tokens`: a join token for one participant. */
  async mintToken(sessionId: string, request: MintTokenRequest): Promise<MintTokenResponse> {
    return this.#call('POST', `/v1/sessions/${enc(sessionId)}/tokens`, request);
  }

  /** `POST /v1/sessions/:id/tokens/:tokenId/revoke`: that token is refused from now on. */
  async revokeToken(sessionId: string, tokenId: string): Promise<RevokeTokenResponse> {
    return this.#call('POST', `/v1/sessions/${enc(sessionId)}/tokens/${enc(tokenId)}/revoke`, {});
  }

  /** `POST …/participants/:pid/revoke-tokens`: every token of the participant issued until now is refused. */
  async revokeParticipantTokens(sessionId: string, participantId: string): Promise<RevokeParticipantTokensResponse> {
    return this.#call('POST', `${this.#p(sessionId, participantId)}/revoke-tokens`, {});
  }

  // --- records ---

  /** `GET /v1/sessions/:id/attendance`: one page of attendance records. */
  async attendance(sessionId: string, request: PageRequest = {}): Promise<AttendanceResponse> {
    return this.#call('GET', `/v1/sessions/${enc(sessionId)}/attendance${qs({ ...request })}`);
  }

  /** `GET /v1/sessions/:id/audit`: one page of the session's audit records (participant ids pseudonymised). */
  async auditEvents(sessionId: string, request: PageRequest & { readonly participantId?: string } = {}): Promise<AuditEventsResponse> {
    return this.#call('GET', `/v1/sessions/${enc(sessionId)}/audit${qs({ ...request })}`);
  }

  /** `GET /v1/webhooks/deliveries`: recent webhook deliveries of your sessions, newest first. */
  async webhookDeliveries(
    request: PageRequest & { readonly outcome?: 'pending' | 'delivered' | 'failed' | 'refused'; readonly sessionId?: string } = {},
  ): Promise<WebhookDeliveriesResponse> {
    return this.#call('GET', `/v1/webhooks/deliveries${qs({ ...request })}`);
  }

  #p(sessionId: string, participantId: string): string {
    return `/v1/sessions/${enc(sessionId)}/participants/${enc(participantId)}`;
  }

  async #call<T>(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown, extra?: Record<string, string>): Promise<T> {
    let res: Response;
    try {
      res = await this.#fetch(`${this.#base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.#key}`,
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...extra,
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

function qs(q: Query): string {
  const parts: string[] = [];
  for (const [k, val] of Object.entries(q))
    if (val !== undefined) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(val))}`);
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}
