import * as v from 'valibot';
import {
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_MESSAGE_BYTES,
  NotificationEnvelope,
  PROTOCOL_VERSION,
  RequestEnvelope,
  ResponseEnvelope,
  isNotificationMethod,
  isRequestMethod,
  type ClientMessage,
  type ServerMessage,
} from './envelope.js';
import { isErrorCode, type ErrorCode, type ProtocolError } from './errors.js';
import { strictJsonParse } from './json.js';
import { NOTIFICATIONS } from './schemas/notifications.js';
import { REQUEST_DATA, REQUEST_RESULTS, type RequestMethod } from './schemas/requests.js';

/** Options for the parsers. */
export interface ParseOptions {
  /** Maximum size in UTF-8 bytes. Default {@link DEFAULT_MAX_MESSAGE_BYTES} (64 KiB). */
  readonly maxBytes?: number;
  /** Maximum nesting depth. Default {@link DEFAULT_MAX_DEPTH}. */
  readonly maxDepth?: number;
}

/** Options for {@link parseServerMessage}. */
export interface ServerParseOptions extends ParseOptions {
  /** The method of the pending request with this id, so its response `data` can be validated. */
  readonly methodOf?: (id: number) => RequestMethod | undefined;
}

/** A parse outcome: a typed message, or a typed error. Parsers never throw. */
export type ParseResult<T> = { readonly ok: true; readonly message: T } | { readonly ok: false; readonly error: ProtocolError };

const fail = (code: ErrorCode, message: string, extra: { id?: number; path?: string } = {}): { ok: false; error: ProtocolError } => ({
  ok: false,
  error: { code, message, ...extra },
});

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

const decoder = /* @__PURE__ */ new TextDecoder('utf-8', { fatal: true });

function toText(
  raw: string | Uint8Array | ArrayBuffer,
  maxBytes: number,
): { ok: true; text: string } | { ok: false; error: ProtocolError } {
  if (typeof raw === 'string') {
    // Cheap bound first; exact count only when it could matter.
    if (raw.length > maxBytes || (raw.length * 3 > maxBytes && utf8Length(raw) > maxBytes)) {
      return fail('MESSAGE_TOO_LARGE', `message exceeds ${maxBytes} bytes`);
    }
    return { ok: true, text: raw };
  }
  const bytes = raw instanceof Uint8Array ? raw : new Uint8Array(raw);
  if (bytes.byteLength > maxBytes) return fail('MESSAGE_TOO_LARGE', `message exceeds ${maxBytes} bytes`);
  try {
    return { ok: true, text: decoder.decode(bytes) };
  } catch {
    return fail('INVALID_JSON', 'message is not valid UTF-8');
  }
}

function pathOf(issue: v.BaseIssue<unknown>): string | undefined {
  const p = v.getDotPath(issue);
  return p ?? undefined;
}

function invalid(issues: readonly v.BaseIssue<unknown>[], prefix: string, id?: number): { ok: false; error: ProtocolError } {
  const first = issues[0];
  const path = first ? pathOf(first) : undefined;
  const where = path ? `${prefix}.${path}` : prefix;
  // Never echo the offending value: it may be something a client typed.
  const what =
    first?.kind === 'schema' && first.type === 'strict_object' && first.expected === 'never'
      ? 'unknown field'
      : first?.expected
        ? `expected ${first.expected}`
        : 'invalid';
  return fail('INVALID_MESSAGE', `${where}: ${what}`, { ...(id !== undefined ? { id } : {}), path: where });
}

function parseJson(
  raw: string | Uint8Array | ArrayBuffer,
  options: ParseOptions,
): { ok: true; value: unknown } | { ok: false; error: ProtocolError } {
  const t = toText(raw, options.maxBytes ?? DEFAULT_MAX_MESSAGE_BYTES);
  if (!t.ok) return t;
  const j = strictJsonParse(t.text, { maxDepth: options.maxDepth ?? DEFAULT_MAX_DEPTH });
  if (!j.ok) return fail(j.code, j.message);
  return { ok: true, value: j.value };
}

/**
 * Parses and validates a message a client sent (a request). Enforces the size limit, rejects
 * duplicate keys, `__proto__`/`constructor`/`prototype` keys, deep nesting and unknown fields, and
 * checks `data` against its method's schema. Never throws.
 * @example
 * const r = parseClientMessage(text);
 * if (!r.ok) socket.send(JSON.stringify(errorResponse(r.error.id ?? 0, r.error.code, r.error.message)));
 */
export function parseClientMessage(raw: string | Uint8Array | ArrayBuffer, options: ParseOptions = {}): ParseResult<ClientMessage> {
  const j = parseJson(raw, options);
  if (!j.ok) return j;
  const env = v.safeParse(RequestEnvelope, j.value);
  if (!env.success) {
    const id = readId(j.value);
    return invalid(env.issues, 'message', id);
  }
  const { id, method } = env.output;
  if (env.output.v !== PROTOCOL_VERSION) return fail('UNSUPPORTED_VERSION', `version ${PROTOCOL_VERSION} only`, { id });
  if (!isRequestMethod(method)) return fail('UNKNOWN_METHOD', 'unknown method', { id });
  const data = v.safeParse(REQUEST_DATA[method], env.output.data);
  if (!data.success) return invalid(data.issues, 'data', id);
  return { ok: true, message: { v: PROTOCOL_VERSION, id, method, data: data.output } as ClientMessage };
}

/**
 * Parses and validates a message the server sent: a response (validated against the pending
 * request's method when `methodOf` knows it) or a notification. Never throws.
 */
export function parseServerMessage(raw: string | Uint8Array | ArrayBuffer, options: ServerParseOptions = {}): ParseResult<ServerMessage> {
  const j = parseJson(raw, options);
  if (!j.ok) return j;
  const value = j.value as Record<string, unknown>;
  if (value && typeof value === 'object' && !Array.isArray(value) && 'ok' in value) {
    const env = v.safeParse(ResponseEnvelope, value);
    if (!env.success) return invalid(env.issues, 'message', readId(value));
    const r = env.output;
    if (!r.ok) {
      const code = isErrorCode(r.error.code) ? r.error.code : 'INTERNAL_ERROR';
      return { ok: true, message: { id: r.id, ok: false, error: { code, message: r.error.message } } };
    }
    const method = options.methodOf?.(r.id);
    if (method) {
      const data = v.safeParse(REQUEST_RESULTS[method], r.data);
      if (!data.success) return invalid(data.issues, 'data', r.id);
      return { ok: true, message: { id: r.id, ok: true, data: data.output } as ServerMessage };
    }
    return { ok: true, message: { id: r.id, ok: true, data: r.data } as ServerMessage };
  }
  const env = v.safeParse(NotificationEnvelope, value);
  if (!env.success) return invalid(env.issues, 'message');
  if (env.output.v !== PROTOCOL_VERSION) return fail('UNSUPPORTED_VERSION', `version ${PROTOCOL_VERSION} only`);
  const { method } = env.output;
  if (!isNotificationMethod(method)) return fail('UNKNOWN_METHOD', 'unknown method');
  const data = v.safeParse(NOTIFICATIONS[method], env.output.data);
  if (!data.success) return invalid(data.issues, 'data');
  return { ok: true, message: { v: PROTOCOL_VERSION, method, data: data.output } as ServerMessage };
}

/**
 * Parses a message from either side: `from: 'client'` for what a server receives, `from: 'server'`
 * for what a client receives. Never throws.
 */
export function parseMessage(
  raw: string | Uint8Array | ArrayBuffer,
  options: ServerParseOptions & { readonly from: 'client' | 'server' },
): ParseResult<ClientMessage | ServerMessage> {
  return options.from === 'client' ? parseClientMessage(raw, options) : parseServerMessage(raw, options);
}

function readId(value: unknown): number | undefined {
  if (value && typeof value === 'object' && 'id' in value) {
    const id = (value as { id: unknown }).id;
    if (typeof id === 'number' && Number.isInteger(id) && id >= 0 && id <= 2 ** 31 - 1) return id;
  }
  return undefined;
}
