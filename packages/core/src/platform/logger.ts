/**
 * The library's logger: namespaced (`alcove:session`, `alcove:media`, `alcove:e2ee`…), levelled
 * (`debug` | `info` | `warn` | `error` | `none`, default `warn`) and redacting. It reaches the code
 * through `Platform.logger`; without one, records go to the browser console at `warn` and above.
 *
 * Confidentiality (ARCHITECTURE §2, CONVENTIONS): a record never carries keys, tokens, tickets,
 * names, chat, checklist answers, locations, phone numbers or addresses. Two guards hold whatever a
 * caller passes:
 * - **Events are constants.** A record is `(event, fields)`: `event` must look like `area.fact`
 *   (`media.closeProducerFailed`), otherwise it becomes `invalid.event`; values are never
 *   interpolated into it.
 * - **Fields are redacted by name.** A field whose name contains a word of
 *   {@link REDACTED_LOG_FIELDS} (`token`, `displayName`, `answers`, `phone`…) keeps its name with
 *   the value `[redacted]`. String values of other fields lose control characters, JWT-shaped
 *   strings and long hex or base64 runs, and are cut to {@link MAX_LOG_VALUE_LENGTH} characters.
 * @packageDocumentation
 */

/** Levels in increasing severity; `none` writes nothing. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'none'] as const;
/** A log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];
/** The level of one record. */
export type LogRecordLevel = Exclude<LogLevel, 'none'>;

/** Structured fields of a record. Only scalars are kept. */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

/** One record, after level filtering and redaction. */
export interface LogRecord {
  /** The record's level. */
  readonly level: LogRecordLevel;
  /** Where it comes from: `alcove:<area>` (`alcove:media`). */
  readonly namespace: string;
  /** What happened, `area.fact`. A constant: never carries values. */
  readonly event: string;
  /** The fields after redaction: scalars only, sensitive ones as `[redacted]`. */
  readonly fields: Readonly<Record<string, string | number | boolean>>;
}

/** Where records go. It must not throw (a throwing sink is ignored). */
export type LogSink = (record: LogRecord) => void;

/**
 * A namespaced, levelled logger (see the module header).
 * @example
 * ```ts
 * const log = createLogger({ level: 'debug' }).child('media');
 * if (log.enabled('debug')) log.debug('media.closeProducerFailed', { producerId, reason: 'CONNECTION_LOST' });
 * ```
 */
export interface Logger {
  /** Least severe level written. */
  readonly level: LogLevel;
  /** `alcove` or `alcove:<area>`. */
  readonly namespace: string;
  /** Whether a record of `level` would be written (check before building costly fields). */
  enabled(level: LogRecordLevel): boolean;
  /** Detail for whoever debugs a call: swallowed errors, with their reason. */
  debug(event: string, fields?: LogFields): void;
  /** A normal fact worth keeping (a state change). */
  info(event: string, fields?: LogFields): void;
  /** Something an integrator should look at. */
  warn(event: string, fields?: LogFields): void;
  /** A failure. */
  error(event: string, fields?: LogFields): void;
  /** The logger of a sub-area: `alcove` → `alcove:media`, `alcove:media` → `alcove:media:stats`. */
  child(area: string): Logger;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Least severe level written. Default `warn`. */
  readonly level?: LogLevel;
  /** Where records go. Default: the browser console (`console.debug` / `info` / `warn` / `error`). */
  readonly sink?: LogSink;
  /** Root namespace. Default `alcove`. */
  readonly namespace?: string;
}

/** Words of a field name whose value is never logged (compared per camelCase / snake_case word, case-insensitive). */
export const REDACTED_LOG_FIELDS: readonly string[] = [
  'token',
  'ticket',
  'key',
  'keys',
  'seed',
  'secret',
  'password',
  'pwd',
  'ufrag',
  'credential',
  'fingerprint',
  'name',
  'displayname',
  'label',
  'text',
  'chat',
  'message',
  'note',
  'payload',
  'sealed',
  'answer',
  'answers',
  'location',
  'address',
  'phone',
  'contact',
  'email',
  'ip',
  'sdp',
  'sas',
  'emoji',
  'decimal',
  'signature',
  'receipt',
];

/** Longest string value kept in a record. */
export const MAX_LOG_VALUE_LENGTH = 160;

/** The value of a redacted field. */
export const REDACTED = '[redacted]';

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40, none: 100 };
const REDACTED_WORDS = new Set(REDACTED_LOG_FIELDS);
const EVENT_RE = /^[a-z][A-Za-z0-9_.:-]{0,63}$/;
const FIELD_RE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const AREA_RE = /^[a-z][a-z0-9-]{0,31}$/;
// JWT-shaped strings, long hex runs (keys, digests) and long base64 runs; UUIDs (8-4-4-4-12) stay readable.
const SECRET_RUN_RE = /[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*|[0-9a-f]{24,}|[A-Za-z0-9+/_-]{32,}={0,2}/gi;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is stripped from log values.
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/g;

/** Splits a field name into lower-case words: `displayName` → `display`, `name`. */
function fieldWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_]+/)
    .filter((w) => w.length > 0)
    .map((w) => w.toLowerCase());
}

/** Whether the value of a field with this name may appear in a record. */
export function isLoggableField(name: string): boolean {
  if (!FIELD_RE.test(name) || REDACTED_WORDS.has(name.toLowerCase())) return false;
  return !fieldWords(name).some((w) => REDACTED_WORDS.has(w));
}

/** A string as it may appear in a record: control characters and secret-looking runs masked, length cut. */
export function redactLogString(value: string): string {
  const s = value.replace(CONTROL_RE, ' ').replace(SECRET_RUN_RE, REDACTED);
  return s.length > MAX_LOG_VALUE_LENGTH ? `${s.slice(0, MAX_LOG_VALUE_LENGTH - 1)}…` : s;
}

/** The loggable form of `fields`: redacted fields keep their name with the value `[redacted]`. */
export function redactLogFields(fields: LogFields | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  if (!fields) return out;
  for (const name of Object.keys(fields)) {
    const value = fields[name];
    if (value === undefined || value === null) continue;
    if (!FIELD_RE.test(name)) continue;
    if (!isLoggableField(name)) out[name] = REDACTED;
    else if (typeof value === 'number') out[name] = Number.isFinite(value) ? value : String(value);
    else if (typeof value === 'boolean') out[name] = value;
    else if (typeof value === 'string') out[name] = redactLogString(value);
  }
  return out;
}

/**
 * A short reason for a caught error that is safe to log: an Alcove error's `code`, otherwise the
 * error's `name` (`NotAllowedError`, `TypeError`). Never its message, stack or the input behind it.
 */
export function errorReason(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(code)) return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(name)) return name;
    return 'object';
  }
  return typeof error;
}

/** The default sink: the console, without string interpolation (`%s`-style formatting never sees values). */
export function consoleSink(record: LogRecord): void {
  const c = (globalThis as { console?: Partial<Record<LogRecordLevel, (...a: unknown[]) => void>> }).console;
  const write = c?.[record.level];
  if (typeof write === 'function') write.call(c, `[${record.namespace}] ${record.event}`, record.fields);
}

/**
 * Creates a logger writing records of `level` and above to `sink`.
 * @example
 * ```ts
 * const records: LogRecord[] = [];
 * const platform = createBrowserPlatform({ logger: createLogger({ level: 'debug', sink: (r) => records.push(r) }) });
 * const session = Session.create({ serverUrl, token, platform });
 * ```
 * @throws {TypeError} for an unknown level.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'warn';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new TypeError(`unknown log level: ${String(level)}`);
  const sink = options.sink ?? consoleSink;
  const make = (namespace: string): Logger => {
    const children = new Map<string, Logger>();
    const enabled = (l: LogRecordLevel): boolean => RANK[l] >= RANK[level];
    const write = (l: LogRecordLevel, event: string, fields: LogFields | undefined): void => {
      if (!enabled(l)) return;
      try {
        sink({ level: l, namespace, event: EVENT_RE.test(event) ? event : 'invalid.event', fields: redactLogFields(fields) });
      } catch {
        // A broken sink must not break a call.
      }
    };
    return {
      level,
      namespace,
      enabled,
      debug: (e, f) => write('debug', e, f),
      info: (e, f) => write('info', e, f),
      warn: (e, f) => write('warn', e, f),
      error: (e, f) => write('error', e, f),
      child(area) {
        const name = AREA_RE.test(area) ? area : 'invalid';
        let c = children.get(name);
        if (!c) {
          c = make(`${namespace}:${name}`);
          children.set(name, c);
        }
        return c;
      },
    };
  };
  return make(options.namespace && AREA_RE.test(options.namespace) ? options.namespace : 'alcove');
}

/** A logger that writes nothing. */
export const silentLogger: Logger = /* @__PURE__ */ createLogger({ level: 'none', sink: () => undefined });
