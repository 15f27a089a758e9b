/**
 * The engine's logger: namespaced (`alcove-sfu:udp`, `alcove-sfu:webrtc-transport`…), levelled and
 * tagged as mediasoup's worker logs are, and redacting.
 *
 * - **Levels** (`WorkerSettings.logLevel`, default `'error'`): `debug` writes debug, warn and error
 *   records; `warn` writes warn and error; `error` writes error; `none` writes nothing.
 * - **Tags** (`WorkerSettings.logTags`, default none): a record logged under a tag (`ice`, `dtls`,
 *   `srtp`, `rtp`, `rtcp`…) is written only when that tag is enabled *and* its level passes, so
 *   `logLevel: 'debug', logTags: ['srtp']` shows SRTP drops without the rest of the packet path.
 *   Records without a tag depend on the level alone.
 * - **Redaction** (confidentiality rule): a record never carries key material, ICE credentials,
 *   certificates, tokens, names, chat, checklist answers or IP addresses. Fields whose name has
 *   one of {@link REDACTED_FIELD_WORDS} are dropped; string values are cut to
 *   {@link MAX_LOG_VALUE_LENGTH} characters, and IP addresses and long hex or base64 runs inside
 *   them are masked; values that are not strings, numbers or booleans are dropped.
 *
 * Records reach a {@link SfuLogSink}: by default one JSON line per record on stderr; the server
 * passes its own logger (its `debug/warn/error(event, fields)` shape fits).
 * @packageDocumentation
 */

/** Worker log levels (mediasoup's `WorkerLogLevel`), most verbose first. */
export const WORKER_LOG_LEVELS = ['debug', 'warn', 'error', 'none'] as const;
/** A worker log level: each level also writes the more severe ones; `none` writes nothing. */
export type WorkerLogLevel = (typeof WORKER_LOG_LEVELS)[number];

/** Worker log tags (mediasoup's `WorkerLogTag`). */
export const WORKER_LOG_TAGS = [
  'info',
  'ice',
  'dtls',
  'rtp',
  'srtp',
  'rtcp',
  'rtx',
  'bwe',
  'score',
  'simulcast',
  'svc',
  'sctp',
  'message',
] as const;
/** A worker log tag: the area of the media path a record belongs to. */
export type WorkerLogTag = (typeof WORKER_LOG_TAGS)[number];

/** The level of one record. */
export type SfuLogRecordLevel = Exclude<WorkerLogLevel, 'none'>;

/** Structured fields of a record. Only scalars are kept. */
export type SfuLogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/** One record, after level/tag filtering and redaction. */
export interface SfuLogRecord {
  readonly level: SfuLogRecordLevel;
  /** Where it comes from: `alcove-sfu:<component>`. */
  readonly namespace: string;
  /** The media-path area, when the record is tagged. */
  readonly tag?: WorkerLogTag;
  /** What happened, `area.fact` (`srtp.decryptFailed`). */
  readonly event: string;
  readonly fields: Readonly<Record<string, string | number | boolean>>;
}

/**
 * Where records go (`WorkerSettings.logger`). The namespace and tag arrive as the `ns` and `tag`
 * fields. `@alcove/server`'s logger has this shape.
 * @example
 * ```ts
 * const worker = await createWorker({ logLevel: 'debug', logTags: ['dtls'], logger: { debug: console.debug, warn: console.warn, error: console.error } });
 * ```
 */
export interface SfuLogSink {
  /** A dropped packet or swallowed error on the media path (with `logLevel: 'debug'` and its tag on). */
  debug(event: string, fields?: SfuLogFields): void;
  /** Something an operator should look at (a socket error). */
  warn(event: string, fields?: SfuLogFields): void;
  /** A failure (the engine thread died, an event handler threw). */
  error(event: string, fields?: SfuLogFields): void;
}

/** Words of a field name that are never logged (compared per camelCase / snake_case word, case-insensitive). */
export const REDACTED_FIELD_WORDS: readonly string[] = [
  'key',
  'secret',
  'password',
  'pwd',
  'ufrag',
  'fragment',
  'username',
  'credential',
  'cert',
  'certificate',
  'pem',
  'token',
  'ticket',
  'name',
  'displayname',
  'chat',
  'text',
  'answer',
  'answers',
  'checklist',
  'location',
  'ip',
  'address',
  'addresses',
  'host',
  'payload',
  'sealed',
  'fingerprint',
  'salt',
];

/** Longest string value kept in a record. */
export const MAX_LOG_VALUE_LENGTH = 160;

const RANK: Record<WorkerLogLevel, number> = { debug: 10, warn: 30, error: 40, none: 100 };
const REDACTED_WORDS = new Set(REDACTED_FIELD_WORDS);
const FIELD_RE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const EVENT_RE = /^[a-z][A-Za-z0-9_.:-]{0,63}$/;
const IPV4_RE = /\b(?:\d{1,3}\.){3}\d{1,3}\b/g;
const IPV6_RE = /\b(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}\b/gi;
// JWT-shaped strings, long hex runs (keys, digests) and long base64 runs; UUIDs (8-4-4-4-12) stay readable.
const SECRET_RUN_RE = /[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*|[0-9a-f]{24,}|[A-Za-z0-9+/]{32,}={0,2}/gi;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is stripped from log values.
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/g;

/** Splits a field name into lower-case words: `remoteAddress` → `remote`, `address`. */
function fieldWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_]+/)
    .filter((w) => w.length > 0)
    .map((w) => w.toLowerCase());
}

/** Whether a field with this name may appear in a record. */
export function isLoggableField(name: string): boolean {
  if (!FIELD_RE.test(name) || REDACTED_WORDS.has(name.toLowerCase())) return false;
  return !fieldWords(name).some((w) => REDACTED_WORDS.has(w));
}

/** A string as it may appear in a record: control characters, IP addresses and secret-looking runs masked, length cut. */
export function redactLogString(value: string): string {
  let s = value.replace(CONTROL_RE, ' ');
  s = s.replace(IPV4_RE, '[ip]').replace(IPV6_RE, (m) => (m.split(':').length > 2 && /[0-9a-f]/i.test(m) ? '[ip]' : m));
  s = s.replace(SECRET_RUN_RE, '[redacted]');
  return s.length > MAX_LOG_VALUE_LENGTH ? `${s.slice(0, MAX_LOG_VALUE_LENGTH - 1)}…` : s;
}

/** The loggable subset of `fields`. */
export function redactLogFields(fields: SfuLogFields | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  if (!fields) return out;
  for (const name of Object.keys(fields)) {
    const value = fields[name];
    if (value === undefined || !isLoggableField(name)) continue;
    if (typeof value === 'number') out[name] = Number.isFinite(value) ? value : String(value);
    else if (typeof value === 'boolean') out[name] = value;
    else if (typeof value === 'string') out[name] = redactLogString(value);
  }
  return out;
}

/**
 * A short, loggable reason for a caught error: its name and (redacted) message, never its stack
 * or the input that caused it.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) return redactLogString(`${error.name}: ${error.message}`);
  if (typeof error === 'string') return redactLogString(error);
  return typeof error;
}

/** Writes each record as one JSON line (`{"t","level","ns","tag","event",...fields}`). */
export function jsonLineSink(
  write: (line: string) => void = (line) => void process.stderr.write(`${line}\n`),
  now: () => number = Date.now,
): (record: SfuLogRecord) => void {
  return (r) =>
    write(
      JSON.stringify({
        t: new Date(now()).toISOString(),
        level: r.level,
        ns: r.namespace,
        ...(r.tag ? { tag: r.tag } : {}),
        event: r.event,
        ...r.fields,
      }),
    );
}

/** Adapts a {@link SfuLogSink} (`logger.debug(event, fields)`) to receive records. */
export function sinkToRecords(sink: SfuLogSink): (record: SfuLogRecord) => void {
  return (r) => sink[r.level](r.event, { ns: r.namespace, ...(r.tag ? { tag: r.tag } : {}), ...r.fields });
}

/** Level, tags and destination shared by every logger of one worker; changed by `updateSettings`. */
export class SfuLogSettings {
  #level: WorkerLogLevel;
  #tags: ReadonlySet<WorkerLogTag>;
  readonly #write: (record: SfuLogRecord) => void;

  constructor(options: { level?: WorkerLogLevel; tags?: readonly WorkerLogTag[]; write: (record: SfuLogRecord) => void }) {
    this.#level = options.level ?? 'error';
    this.#tags = new Set(options.tags ?? []);
    this.#write = options.write;
  }

  /** Current level. */
  get level(): WorkerLogLevel {
    return this.#level;
  }
  /** Enabled tags. */
  get tags(): readonly WorkerLogTag[] {
    return [...this.#tags];
  }

  /** Changes the level and/or the tags (validated with {@link validateLogSettings} first). */
  update(settings: { logLevel?: WorkerLogLevel; logTags?: readonly WorkerLogTag[] }): void {
    if (settings.logLevel !== undefined) this.#level = settings.logLevel;
    if (settings.logTags !== undefined) this.#tags = new Set(settings.logTags);
  }

  /** Whether a record of `level` under `tag` would be written. */
  enabled(level: SfuLogRecordLevel, tag: WorkerLogTag | undefined): boolean {
    return RANK[level] >= RANK[this.#level] && (tag === undefined || this.#tags.has(tag));
  }

  /** Delivers a record; a failing destination never throws into the media path. */
  write(record: SfuLogRecord): void {
    try {
      this.#write(record);
    } catch {
      // A broken log destination must not break forwarding.
    }
  }
}

/**
 * Throws `TypeError` unless `logLevel` is a {@link WorkerLogLevel} and `logTags` an array of
 * {@link WorkerLogTag} (when given).
 */
export function validateLogSettings(settings: { logLevel?: unknown; logTags?: unknown }): void {
  const { logLevel, logTags } = settings;
  if (logLevel !== undefined && !(WORKER_LOG_LEVELS as readonly unknown[]).includes(logLevel)) {
    throw new TypeError(`invalid logLevel "${String(logLevel)}" (one of ${WORKER_LOG_LEVELS.join(', ')})`);
  }
  if (logTags === undefined) return;
  if (!Array.isArray(logTags)) throw new TypeError('if given, logTags must be an array');
  for (const tag of logTags) {
    if (!(WORKER_LOG_TAGS as readonly unknown[]).includes(tag))
      throw new TypeError(`invalid logTag "${String(tag)}" (one of ${WORKER_LOG_TAGS.join(', ')})`);
  }
}

/**
 * A namespaced logger. `child('udp')` extends the namespace; `tagged('srtp')` logs under a tag.
 * Check {@link SfuLogger.enabled} before building fields on a hot path.
 * @example
 * ```ts
 * const log = new SfuLogger('alcove-sfu:webrtc-transport', settings).tagged('srtp');
 * if (log.enabled('debug')) log.debug('srtp.decryptFailed', { transportId, reason: describeError(e) });
 * ```
 */
export class SfuLogger {
  /** `alcove-sfu:<component>`. */
  readonly namespace: string;
  /** The tag records of this logger carry, if any. */
  readonly tag: WorkerLogTag | undefined;
  readonly #settings: SfuLogSettings;
  readonly #tagged = new Map<WorkerLogTag, SfuLogger>();

  constructor(namespace: string, settings: SfuLogSettings, tag?: WorkerLogTag) {
    this.namespace = namespace;
    this.#settings = settings;
    this.tag = tag;
  }

  /** A logger for a sub-component: `alcove-sfu:engine` → `alcove-sfu:engine:udp`. */
  child(name: string): SfuLogger {
    return new SfuLogger(`${this.namespace}:${name}`, this.#settings, this.tag);
  }

  /** The same logger, writing under `tag` (cached: no allocation per call). */
  tagged(tag: WorkerLogTag): SfuLogger {
    let l = this.#tagged.get(tag);
    if (!l) {
      l = new SfuLogger(this.namespace, this.#settings, tag);
      this.#tagged.set(tag, l);
    }
    return l;
  }

  /** Whether a record of `level` from this logger would be written. */
  enabled(level: SfuLogRecordLevel): boolean {
    return this.#settings.enabled(level, this.tag);
  }

  debug(event: string, fields?: SfuLogFields): void {
    this.#log('debug', event, fields);
  }
  warn(event: string, fields?: SfuLogFields): void {
    this.#log('warn', event, fields);
  }
  error(event: string, fields?: SfuLogFields): void {
    this.#log('error', event, fields);
  }

  #log(level: SfuLogRecordLevel, event: string, fields: SfuLogFields | undefined): void {
    if (!this.#settings.enabled(level, this.tag)) return;
    this.#settings.write({
      level,
      namespace: this.namespace,
      ...(this.tag ? { tag: this.tag } : {}),
      event: EVENT_RE.test(event) ? event : 'invalid.event',
      fields: redactLogFields(fields),
    });
  }
}
