import { describe, expect, it } from 'vitest';
import { strictJsonParse } from './json.js';

describe('strictJsonParse', () => {
  it('agrees with JSON.parse on valid documents', () => {
    const docs = ['0', '-1.5e3', '"a\\u00e9\\n"', 'true', 'null', '[]', '{}', '{"a":[1,{"b":"c"}],"d":false}', ' [ 1 , 2 ] '];
    for (const d of docs) {
      const r = strictJsonParse(d);
      expect(r.ok).toBe(true);
      if (r.ok) expect(JSON.parse(JSON.stringify(r.value))).toEqual(JSON.parse(d));
    }
  });
  it('rejects what JSON.parse rejects', () => {
    for (const d of ['', '01', '[1,]', '{"a":1,}', "{'a':1}", '"\t"', 'undefined', 'NaN', '1e400', '"\\x"']) {
      expect(strictJsonParse(d).ok, d).toBe(false);
    }
  });
  it('creates prototype-less objects', () => {
    const r = strictJsonParse('{"a":{"b":1}}');
    expect(r.ok).toBe(true);
    if (r.ok) expect(Object.getPrototypeOf(r.value)).toBeNull();
  });
  it('limits depth without overflowing the stack', () => {
    const r = strictJsonParse('['.repeat(100_000));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe('TOO_DEEP');
  });
});
