import { describe, expect, it } from 'vitest';
import { evaluateLicensure } from './licensure.js';

describe('licensure rule table', () => {
  const list = ['US-TN', 'US-GA', 'DE'];

  it.each([
    // [case, location, mode, expected]
    ['same region', { country: 'US', region: 'US-TN' }, 'warn', { outcome: 'pass', jurisdiction: 'US-TN' }],
    ['region given without the country prefix', { country: 'US', region: 'tn' }, 'block', { outcome: 'pass', jurisdiction: 'US-TN' }],
    ['whole country listed covers its regions', { country: 'DE', region: 'DE-BY' }, 'block', { outcome: 'pass', jurisdiction: 'DE-BY' }],
    ['whole country listed, no region', { country: 'DE' }, 'block', { outcome: 'pass', jurisdiction: 'DE' }],
    ['other region, warn', { country: 'US', region: 'US-MS' }, 'warn', { outcome: 'warn', jurisdiction: 'US-MS', reason: 'OTHER_REGION' }],
    [
      'other region, block',
      { country: 'US', region: 'US-MS' },
      'block',
      { outcome: 'block', jurisdiction: 'US-MS', reason: 'OTHER_REGION' },
    ],
    [
      'other country, warn',
      { country: 'FR', region: 'FR-IDF' },
      'warn',
      { outcome: 'warn', jurisdiction: 'FR-IDF', reason: 'OTHER_COUNTRY' },
    ],
    ['other country, block', { country: 'FR' }, 'block', { outcome: 'block', jurisdiction: 'FR', reason: 'OTHER_COUNTRY' }],
    ['missing country', {}, 'block', { outcome: 'unknown', reason: 'COUNTRY_MISSING' }],
    ['missing country (empty)', { country: '  ' }, 'warn', { outcome: 'unknown', reason: 'COUNTRY_MISSING' }],
    [
      'missing region where only regions are listed',
      { country: 'US' },
      'warn',
      { outcome: 'unknown', jurisdiction: 'US', reason: 'REGION_MISSING' },
    ],
    [
      'region of another country is ignored',
      { country: 'US', region: 'CA-ON' },
      'block',
      { outcome: 'unknown', jurisdiction: 'US', reason: 'REGION_MISSING' },
    ],
  ] as const)('%s', (_case, location, mode, expected) => {
    expect(evaluateLicensure(location, list, mode)).toEqual(expected);
  });

  it('gives no outcome when licensure is off', () => {
    expect(evaluateLicensure({ country: 'FR' }, list, 'off')).toBeUndefined();
    expect(evaluateLicensure({}, list, 'off')).toBeUndefined();
  });

  it('treats an empty list as every country being another country', () => {
    expect(evaluateLicensure({ country: 'US', region: 'US-TN' }, [], 'warn')).toEqual({
      outcome: 'warn',
      jurisdiction: 'US-TN',
      reason: 'OTHER_COUNTRY',
    });
  });

  it('is case-insensitive', () => {
    expect(evaluateLicensure({ country: 'us', region: 'us-ga' }, ['us-ga'], 'block')?.outcome).toBe('pass');
  });
});
