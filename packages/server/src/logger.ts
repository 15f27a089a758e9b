/**
 * The server's one logger: JSON lines to stderr, with a redaction rule applied to every line.
 *
 * Confidentiality rule (ARCHITECTURE §9, CONVENTIONS): a log line never carries key material, tokens,
 * resume tickets, display names, chat, checklist answers, locations or IP addresses. Two guards enforce
 * it no matter what a caller passes:
 * - **By field name.** A field whose name contains one of the words in {@link REDACTED_FIELD_WORDS}
 *   (camelCase / snake_case / kebab-case words, case-insensitive: `token`, `joinToken`, `resume_ticket`,
 *   `apiKey`, `displayName`, `remoteAddress`, `ip`…) is dropped from the line.
 * - **By value shape.** String values must look like identifiers or codes: printable ASCII without
 *   spaces, at most {@link MAX_LOG_VALUE_LENGTH} characters, not JWT-shaped and not an IP address. Anything else (free
 *   text a client could have typed, error messages that quote input) is replaced by `"[redacted]"`.
 *   A single word typed by a client (a one-word display name) still looks like an id, so callers
 *   must not put client text in innocuously named fields; the guards catch the common mistakes.
 *   The event name itself must match `^[a-z][A-Za-z0-9_.:-]{0,63}$` or is replaced by `invalid.event`.
 * @packageDocumentation
 */
import { isIP } from 'node:net';

/** Levels in increasing severity; `silent` logs nothing. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
/** A log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Structured fields of a log line. Values are scalars only. */
export type LogFields = Record<string, string | number | boolean | undefined>;

/** Field-name words that are never logged (compared per word of the field name, case-insensitive). */
export const REDACTED_FIELD_WORDS: readonly string[] = [
  'token',
  'ticket',
  'secret',
  'key',
  'name',
  'displayname',
  'payload',
  'sealed',
  'chat',
  'location',
  'ip',
  'address',
  'password',
  'authorization',
  'cookie',
  'jwt',
  'answer',
  'text',
  'body',
];

/** Longest string value kept in a log line. */
export const MAX_LOG_VALUE_LENGTH = 128;

/** The placeholder for a string value that does not look like an identifier or code. */
export const REDACTED_VALUE = '[redacted]';

/** The logger every part of the server uses. */
export interface Logger {
  /** Level below which lines are dropped. */
  readonly level: LogLevel;
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** A logger that adds `bindings` to every line (the bindings go through the same redaction). */
  child(bindings: LogFields): Logger;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Minimum level written. Default `info`. */
  readonly level?: LogLevel;
  /** Where a finished line (without the trailing newline) goes. Default: `process.stderr`. */
  readonly sink?: (line: string) => void;
  /** Clock for the `t` field. Default `Date.now`. */
  readonly now?: () => number;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
const REDACTED_WORDS = new Set(REDACTED_FIELD_WORDS);
const EVENT_RE = /^[a-z][A-Za-z0-9_.:-]{0,63}$/;
const FIELD_RE = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const SAFE_VALUE_RE = /^[\x21-\x7e]*$/;
const JWT_RE = /^[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*$/;

/** Splits a field name into lower-case words: `remoteAddress` → `remote`, `address`. */
function fieldWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_\-.]+/)
    .filter((w) => w.length > 0)
    .map((w) => w.toLowerCase());
}

/** Whether a field with this name may appear in a log line at all. */
export function isLoggableField(name: string): boolean {
  if (!FIELD_RE.test(name)) return false;
  if (REDACTED_WORDS.has(name.toLowerCase())) return false;
  return !fieldWords(name).some((w) => REDACTED_WORDS.has(w));
}

/** The value as it may appear in a log line (strings that are not code-like become `[redacted]`). */
export function sanitizeLogValue(value: string | number | boolean): string | number | boolean {
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'boolean') return value;
  if (value.length > MAX_LOG_VALUE_LENGTH || !SAFE_VALUE_RE.test(value) || JWT_RE.test(value) || isIP(value) !== 0) return REDACTED_VALUE;
  return value;
}

function cleanFields(fields: LogFields | undefined, into: Record<string, string | number | boolean>): void {
  if (!fields) return;
  for (const name of Object.keys(fields)) {
    const value = fields[name];
    if (value === undefined || !isLoggableField(name)) continue;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') continue;
    into[name] = sanitizeLogValue(value);
  }
}

/**
 * Creates a logger that writes one JSON object per line: `{"t":"<ISO time>","level":"info",
 * "event":"session.created",...fields}`. Reserved keys (`t`, `level`, `event`) cannot be overwritten by
 * fields. A failing sink never throws into the caller.
 * @example
 * ```ts
 * const log = createLogger({ level: 'info' });
 * log.info('session.created', { sessionId: id, maxParticipants: 2 });
 * log.warn('token.rejected', { token: raw }); // `token` is dropped
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const sink = options.sink ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const make = (bindings: Record<string, string | number | boolean>): Logger => {
    const write = (lvl: Exclude<LogLevel, 'silent'>, event: string, fields?: LogFields): void => {
      if (RANK[lvl] < RANK[level]) return;
      const line: Record<string, string | number | boolean> = Object.create(null);
      line.t = new Date(now()).toISOString();
      line.level = lvl;
      line.event = EVENT_RE.test(event) ? event : 'invalid.event';
      const extra: Record<string, string | number | boolean> = { ...bindings };
      cleanFields(fields, extra);
      for (const [k, v] of Object.entries(extra)) if (k !== 't' && k !== 'level' && k !== 'event') line[k] = v;
      try {
        sink(JSON.stringify(line));
      } catch {
        // A broken sink must not break the server.
      }
    };
    return {
      level,
      debug: (e, f) => write('debug', e, f),
      info: (e, f) => write('info', e, f),
      warn: (e, f) => write('warn', e, f),
      error: (e, f) => write('error', e, f),
      child: (more) => {
        const merged = { ...bindings };
        cleanFields(more, merged);
        return make(merged);
      },
    };
  };
  return make({});
}

/** A logger that writes nothing (tests, embedding). */
export const silentLogger: Logger = createLogger({ level: 'silent', sink: () => {} });
