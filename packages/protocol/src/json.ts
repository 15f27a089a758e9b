import type { ErrorCode } from './errors.js';

/** Limits for {@link strictJsonParse}. */
export interface JsonLimits {
  /** Maximum nesting of objects and arrays. Default 32. */
  readonly maxDepth?: number;
}

/** The outcome of {@link strictJsonParse}: a value, or a typed failure. Never throws. */
export type JsonResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

class JsonFailure {
  constructor(
    readonly code: ErrorCode,
    readonly message: string,
  ) {}
}

/**
 * Parses JSON text strictly: rejects duplicate object keys, the keys `__proto__`, `constructor` and
 * `prototype` anywhere, and nesting deeper than `maxDepth`. Objects are created without a prototype,
 * so no input can reach `Object.prototype`. Never throws.
 */
export function strictJsonParse(text: string, limits: JsonLimits = {}): JsonResult {
  const maxDepth = limits.maxDepth ?? 32;
  let i = 0;
  const n = text.length;

  const fail = (code: ErrorCode, message: string): never => {
    throw new JsonFailure(code, message);
  };
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const str = (): string => {
    // text[i] === '"'
    i++;
    let out = '';
    let start = i;
    for (;;) {
      if (i >= n) fail('INVALID_JSON', 'unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i);
        i++;
        return out;
      }
      if (c < 0x20) fail('INVALID_JSON', 'control character in string');
      if (c === 0x5c) {
        out += text.slice(start, i);
        const e = text[i + 1];
        i += 2;
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            const hex = text.slice(i, i + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('INVALID_JSON', 'bad \\u escape');
            out += String.fromCharCode(parseInt(hex, 16));
            i += 4;
            break;
          }
          default:
            fail('INVALID_JSON', 'bad escape');
        }
        start = i;
        continue;
      }
      i++;
    }
  };
  const NUM = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const num = (): number => {
    NUM.lastIndex = i;
    const m = NUM.exec(text);
    if (!m) fail('INVALID_JSON', 'bad number');
    i = NUM.lastIndex;
    const v = Number(m![0]);
    if (!Number.isFinite(v)) fail('INVALID_JSON', 'number out of range');
    return v;
  };
  const lit = (word: string, v: unknown): unknown => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return v;
    }
    return fail('INVALID_JSON', 'unexpected token');
  };
  const value = (depth: number): unknown => {
    ws();
    if (i >= n) fail('INVALID_JSON', 'unexpected end');
    const c = text[i];
    if (c === '{') {
      if (depth >= maxDepth) fail('TOO_DEEP', `nesting deeper than ${maxDepth}`);
      i++;
      const obj: Record<string, unknown> = Object.create(null);
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('INVALID_JSON', 'expected key');
        const key = str();
        if (FORBIDDEN.has(key)) fail('FORBIDDEN_KEY', `reserved key "${key}"`);
        if (Object.hasOwn(obj, key)) fail('DUPLICATE_KEY', `duplicate key "${key.slice(0, 64)}"`);
        ws();
        if (text[i] !== ':') fail('INVALID_JSON', 'expected ":"');
        i++;
        obj[key] = value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        fail('INVALID_JSON', 'expected "," or "}"');
      }
    }
    if (c === '[') {
      if (depth >= maxDepth) fail('TOO_DEEP', `nesting deeper than ${maxDepth}`);
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        fail('INVALID_JSON', 'expected "," or "]"');
      }
    }
    if (c === '"') return str();
    if (c === 't') return lit('true', true);
    if (c === 'f') return lit('false', false);
    if (c === 'n') return lit('null', null);
    return num();
  };

  try {
    const v = value(0);
    ws();
    if (i !== n) fail('INVALID_JSON', 'trailing characters');
    return { ok: true, value: v };
  } catch (e) {
    if (e instanceof JsonFailure) return { ok: false, code: e.code, message: e.message };
    // Only a stack overflow could land here; the depth limit prevents it, but never throw.
    return { ok: false, code: 'INVALID_JSON', message: 'unparseable' };
  }
}
