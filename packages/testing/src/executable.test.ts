import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChromiumNotFoundError, findChromium } from './browser.js';
import { findExecutable } from './executable.js';
import { FirefoxNotFoundError, findFirefox } from './firefox.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
/** A folder with empty executables of these names. */
function binDir(...names: string[]): string {
  const d = mkdtempSync(join(tmpdir(), 'alcove-bin-'));
  dirs.push(d);
  mkdirSync(d, { recursive: true });
  for (const n of names) {
    writeFileSync(join(d, n), '#!/bin/sh\n');
    chmodSync(join(d, n), 0o755);
  }
  return d;
}
const search = { envVar: 'X_PATH', names: ['first', 'second'], paths: ['/nonexistent/x'] } as const;

describe('findExecutable (findChromium, findFirefox)', () => {
  it('takes the first name in PATH order of names, then of folders', () => {
    const a = binDir('second');
    const b = binDir('first', 'second');
    expect(findExecutable(search, { PATH: `${a}:${b}` })).toEqual({ path: join(b, 'first') });
    expect(findExecutable({ ...search, names: ['second', 'first'] }, { PATH: `${a}:${b}` })).toEqual({ path: join(a, 'second') });
  });

  it('uses the variable alone when set, and says what it tried otherwise', () => {
    const a = binDir('first');
    expect(findExecutable(search, { PATH: a, X_PATH: process.execPath })).toEqual({ path: process.execPath });
    expect(findExecutable(search, { PATH: a, X_PATH: '/nonexistent/y' })).toEqual({ tried: ['X_PATH=/nonexistent/y'] });
    expect(findExecutable(search, { PATH: binDir() })).toEqual({ tried: ['first', 'second', '/nonexistent/x'] });
  });

  it('finds the browsers by their Debian names, and each error names its package', () => {
    expect(findChromium({ PATH: binDir('chromium') })).toMatch(/\/chromium$/);
    expect(findFirefox({ PATH: binDir('firefox-esr') })).toMatch(/\/firefox-esr$/);
    expect(() => findChromium({ CHROMIUM_PATH: '/nonexistent/c' })).toThrow(ChromiumNotFoundError);
    expect(() => findFirefox({ FIREFOX_PATH: '/nonexistent/f' })).toThrow(/apt-get install -y firefox-esr/);
    expect(() => findFirefox({ FIREFOX_PATH: '/nonexistent/f' })).toThrow(FirefoxNotFoundError);
  });
});
