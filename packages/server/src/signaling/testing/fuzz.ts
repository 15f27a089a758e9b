/**
 * Random and schema-derived malformed signalling messages for robustness tests: mutations of the
 * valid `SAMPLE_REQUESTS` (wrong types, unknown fields, huge strings, deep nesting, `__proto__`,
 * envelope damage) plus raw garbage. Deterministic for a given seed.
 * Exported by `@alcove/server/testing`.
 */
import { SAMPLE_REQUESTS } from '@alcove/protocol/fixtures';

/** A small seeded PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const METHODS = Object.keys(SAMPLE_REQUESTS) as (keyof typeof SAMPLE_REQUESTS)[];
/** Methods a fuzzer should not send unmutated (they would end the fuzzing participant's presence). */
const DISRUPTIVE = new Set(['session.leave']);

/** Generates fuzz messages: strings (text frames) or Buffers (binary frames). */
export class MessageFuzzer {
  readonly #r: () => number;
  #id = 1;

  constructor(
    seed: number,
    readonly maxBytes = 64 * 1024,
  ) {
    this.#r = prng(seed);
  }

  #int(n: number): number {
    return Math.floor(this.#r() * n);
  }

  #pick<T>(list: readonly T[]): T {
    return list[this.#int(list.length)] as T;
  }

  #randomValue(depth = 0): Json {
    switch (this.#int(depth > 2 ? 5 : 7)) {
      case 0:
        return null;
      case 1:
        return this.#r() < 0.5;
      case 2:
        return this.#pick([0, -1, 1.5, 2 ** 53, -(2 ** 31), Number.MAX_SAFE_INTEGER, 1e308, 4294967296]);
      case 3:
        return this.#pick(['', 'x', 'é', '\u0000', '\ud800', 'AB:CD', 'video/H264', '../../etc', '<script>', 'a'.repeat(300)]);
      case 4:
        return this.#randomString();
      case 5:
        return Array.from({ length: this.#int(4) }, () => this.#randomValue(depth + 1));
      default: {
        const o: Record<string, Json> = {};
        for (let i = this.#int(4); i > 0; i--) o[this.#randomString(8)] = this.#randomValue(depth + 1);
        return o;
      }
    }
  }

  #randomString(max = 40): string {
    const n = this.#int(max);
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(32 + this.#int(95));
    return s;
  }

  /** Every path to a value inside `v`. */
  #paths(v: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
    out.push(prefix);
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) this.#paths(x, [...prefix, i], out);
    } else if (v && typeof v === 'object') for (const k of Object.keys(v)) this.#paths(v[k] as Json, [...prefix, k], out);
    return out;
  }

  #set(root: Json, path: (string | number)[], value: Json): Json {
    if (path.length === 0) return value;
    let cur = root as Record<string | number, Json>;
    for (let i = 0; i < path.length - 1; i++) cur = cur[path[i] as string] as Record<string | number, Json>;
    cur[path[path.length - 1] as string] = value;
    return root;
  }

  #get(root: Json, path: (string | number)[]): Json {
    let cur: Json = root;
    for (const p of path) cur = (cur as Record<string | number, Json>)[p as string] as Json;
    return cur;
  }

  /** The next message. */
  next(): string | Buffer {
    const id = this.#id++;
    const method = this.#pick(METHODS);
    const env: Record<string, Json> = { v: 1, id, method, data: structuredClone(SAMPLE_REQUESTS[method]) as unknown as Json };
    const kind = this.#int(12);
    switch (kind) {
      case 0: {
        // wrong type somewhere in data
        const paths = this.#paths(env['data'] as Json).filter((p) => p.length > 0);
        const path = paths.length ? this.#pick(paths) : [];
        env['data'] = this.#set(env['data'] as Json, path, this.#randomValue());
        return JSON.stringify(env);
      }
      case 1: {
        // unknown field in some object
        const paths = this.#paths(env).filter((p) => {
          const v = this.#get(env, p);
          return v !== null && typeof v === 'object' && !Array.isArray(v);
        });
        const target = this.#get(env, this.#pick(paths)) as Record<string, Json>;
        target[this.#pick(['extra', 'admin', 'role', 'isHost', 'constructorX', this.#randomString(10) || 'k'])] = this.#randomValue();
        return JSON.stringify(env);
      }
      case 2: {
        // huge string (sometimes beyond the size limit)
        const paths = this.#paths(env['data'] as Json).filter((p) => typeof this.#get(env['data'] as Json, p) === 'string');
        const size = this.#r() < 0.9 ? this.#int(this.maxBytes - 2048) : this.maxBytes + this.#int(4096);
        const huge = this.#pick(['A', 'é', 'x']).repeat(Math.max(1, Math.floor(size / 2)));
        if (paths.length) env['data'] = this.#set(env['data'] as Json, this.#pick(paths), huge);
        else env['pad'] = huge;
        return JSON.stringify(env);
      }
      case 3: {
        // deep nesting
        let deep: Json = this.#randomValue();
        const depth = 20 + this.#int(200);
        for (let i = 0; i < depth; i++) deep = this.#r() < 0.5 ? [deep] : { a: deep };
        env['data'] = this.#r() < 0.5 ? deep : { ...(env['data'] as Record<string, Json>), nested: deep };
        return JSON.stringify(env);
      }
      case 4: {
        // __proto__ / constructor / prototype keys, and duplicate keys
        const text = JSON.stringify(env);
        const key = this.#pick(['__proto__', 'constructor', 'prototype']);
        if (this.#r() < 0.3) return text.replace('"id":', '"id":1,"id":');
        return text.replace('"data":{', `"data":{"${key}":{"isHost":true},`);
      }
      case 5: {
        // envelope damage
        const which = this.#int(6);
        if (which === 0) env['v'] = this.#pick([0, 2, '1', null]);
        else if (which === 1) env['id'] = this.#pick([-1, 1.5, '7', 2 ** 31, null]);
        else if (which === 2)
          env['method'] = this.#pick(['', 'host', 'session.join ', 'HOST.END', '__proto__', 'x'.repeat(100), 'toString']);
        else if (which === 3) delete env['data'];
        else if (which === 4) env['data'] = this.#randomValue();
        else delete env[this.#pick(['v', 'id', 'method'])];
        return JSON.stringify(env);
      }
      case 6: // raw garbage text
        return this.#pick(['', ' ', 'null', '[]', '{}', '"x"', '{"v":1', '\u0000\u0001', 'true', '1e999', this.#randomString(200)]);
      case 7: {
        // random bytes, binary frame
        const b = Buffer.alloc(this.#int(256));
        for (let i = 0; i < b.length; i++) b[i] = this.#int(256);
        return b;
      }
      case 8: {
        // values at the edges of the schema bounds
        const data = env['data'] as Record<string, Json>;
        if (data && typeof data === 'object') {
          for (const k of Object.keys(data))
            if (typeof data[k] === 'number') data[k] = this.#pick([-1, 2 ** 32, 0.5, Number.MAX_SAFE_INTEGER + 2]);
          for (const k of Object.keys(data)) if (typeof data[k] === 'string') data[k] = this.#pick(['', 'a'.repeat(65), 'ünïcödé', 'a b']);
        }
        return JSON.stringify(env);
      }
      case 9: // a valid sample (with ids that point at nothing)
        if (DISRUPTIVE.has(method)) return JSON.stringify({ v: 1, id, method: 'session.ping', data: {} });
        return JSON.stringify(env);
      case 10: {
        // truncated or bit-flipped JSON
        const text = JSON.stringify(env);
        if (this.#r() < 0.5) return text.slice(0, this.#int(text.length));
        const i = this.#int(text.length);
        return text.slice(0, i) + String.fromCharCode(this.#int(128)) + text.slice(i + 1);
      }
      default: {
        // array or wrong container for data / envelope
        return JSON.stringify(this.#r() < 0.5 ? [env] : { ...env, data: [env['data']] });
      }
    }
  }
}
