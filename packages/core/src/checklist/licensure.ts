import type { LicensureMode } from '@alcove/protocol';
import type { LicensureResult } from './types.js';

/** Where the client is, as the licensure rule reads it (codes only). */
export interface LicensureLocation {
  /** ISO 3166-1 alpha-2, e.g. `US`. */
  readonly country?: string | undefined;
  /** ISO 3166-2, e.g. `US-TN`. */
  readonly region?: string | undefined;
}

/**
 * The licensure rule (pure). The client's jurisdiction is its ISO 3166-2 subdivision when given,
 * else its country. In order:
 *
 * | Case                                                              | Outcome                  |
 * |-------------------------------------------------------------------|--------------------------|
 * | mode `off`                                                        | none (`undefined`)       |
 * | no country                                                        | `unknown`, COUNTRY_MISSING |
 * | the list names the whole country (`DE` covers `DE-BY`)            | `pass`                   |
 * | the list names the client's subdivision                           | `pass`                   |
 * | no region, and the list names subdivisions of the country only   | `unknown`, REGION_MISSING |
 * | a region of a listed country that is not listed                   | mode (`warn`/`block`), OTHER_REGION |
 * | a country the list does not name at all                           | mode (`warn`/`block`), OTHER_COUNTRY |
 *
 * @example
 * evaluateLicensure({ country: 'US', region: 'US-TN' }, ['US-TN', 'US-GA'], 'block'); // { outcome: 'pass', jurisdiction: 'US-TN' }
 * evaluateLicensure({ country: 'US', region: 'US-MS' }, ['US-TN'], 'warn');           // { outcome: 'warn', jurisdiction: 'US-MS', reason: 'OTHER_REGION' }
 */
export function evaluateLicensure(
  location: LicensureLocation,
  jurisdictions: readonly string[],
  mode: LicensureMode,
): LicensureResult | undefined {
  if (mode === 'off') return undefined;
  const country = location.country?.trim().toUpperCase() || undefined;
  if (!country) return { outcome: 'unknown', reason: 'COUNTRY_MISSING' };
  const rawRegion = location.region?.trim().toUpperCase() || undefined;
  const region = rawRegion && !rawRegion.includes('-') ? `${country}-${rawRegion}` : rawRegion;
  const inCountry = region?.startsWith(`${country}-`) ? region : undefined;
  const jurisdiction = inCountry ?? country;
  const list = jurisdictions.map((j) => j.toUpperCase());
  if (list.includes(country)) return { outcome: 'pass', jurisdiction };
  if (inCountry && list.includes(inCountry)) return { outcome: 'pass', jurisdiction };
  const subdivisionsListed = list.some((j) => j.startsWith(`${country}-`));
  if (subdivisionsListed && !inCountry) return { outcome: 'unknown', jurisdiction, reason: 'REGION_MISSING' };
  return { outcome: mode, jurisdiction, reason: subdivisionsListed ? 'OTHER_REGION' : 'OTHER_COUNTRY' };
}
