import { ChecklistError } from './errors.js';
import type { PhoneNumber } from './types.js';
import { ANSWER_LIMITS } from './types.js';

/**
 * ISO 3166-1 alpha-2 → international calling code (without `+`), packed as `CCdigits` words so
 * the table stays small in the bundle. Unpacked on first use.
 */
const PACKED =
  'AD376 AE971 AF93 AG1 AI1 AL355 AM374 AO244 AR54 AS1 AT43 AU61 AW297 AX358 AZ994 BA387 BB1 BD880 BE32 BF226 BG359 BH973 ' +
  'BI257 BJ229 BL590 BM1 BN673 BO591 BQ599 BR55 BS1 BT975 BW267 BY375 BZ501 CA1 CC61 CD243 CF236 CG242 CH41 CI225 CK682 CL56 ' +
  'CM237 CN86 CO57 CR506 CU53 CV238 CW599 CX61 CY357 CZ420 DE49 DJ253 DK45 DM1 DO1 DZ213 EC593 EE372 EG20 EH212 ER291 ES34 ' +
  'ET251 FI358 FJ679 FK500 FM691 FO298 FR33 GA241 GB44 GD1 GE995 GF594 GG44 GH233 GI350 GL299 GM220 GN224 GP590 GQ240 GR30 ' +
  'GT502 GU1 GW245 GY592 HK852 HN504 HR385 HT509 HU36 ID62 IE353 IL972 IM44 IN91 IO246 IQ964 IR98 IS354 IT39 JE44 JM1 JO962 ' +
  'JP81 KE254 KG996 KH855 KI686 KM269 KN1 KP850 KR82 KW965 KY1 KZ7 LA856 LB961 LC1 LI423 LK94 LR231 LS266 LT370 LU352 LV371 ' +
  'LY218 MA212 MC377 MD373 ME382 MF590 MG261 MH692 MK389 ML223 MM95 MN976 MO853 MP1 MQ596 MR222 MS1 MT356 MU230 MV960 MW265 ' +
  'MX52 MY60 MZ258 NA264 NC687 NE227 NF672 NG234 NI505 NL31 NO47 NP977 NR674 NU683 NZ64 OM968 PA507 PE51 PF689 PG675 PH63 ' +
  'PK92 PL48 PM508 PR1 PS970 PT351 PW680 PY595 QA974 RE262 RO40 RS381 RU7 RW250 SA966 SB677 SC248 SD249 SE46 SG65 SH290 ' +
  'SI386 SJ47 SK421 SL232 SM378 SN221 SO252 SR597 SS211 ST239 SV503 SX1 SY963 SZ268 TC1 TD235 TG228 TH66 TJ992 TK690 TL670 ' +
  'TM993 TN216 TO676 TR90 TT1 TV688 TW886 TZ255 UA380 UG256 US1 UY598 UZ998 VA39 VC1 VE58 VG1 VI1 VN84 VU678 WF681 WS685 ' +
  'XK383 YE967 YT262 ZA27 ZM260 ZW263';

let table: ReadonlyMap<string, string> | undefined;

function codes(): ReadonlyMap<string, string> {
  if (!table) table = new Map(PACKED.split(' ').map((w) => [w.slice(0, 2), w.slice(2)] as const));
  return table;
}

/**
 * The international calling code of an ISO 3166-1 alpha-2 country (without `+`), or `undefined`.
 * @example
 * callingCodeOf('DE'); // '49'
 * callingCodeOf('us'); // '1'
 */
export function callingCodeOf(country: string): string | undefined {
  return codes().get(country.toUpperCase());
}

/**
 * National (trunk) prefixes dropped before the calling code, by country. Default `0`; Italy, San
 * Marino and the Vatican keep the leading 0; the NANP's `1` is handled apart.
 */
const TRUNK: Readonly<Record<string, readonly string[]>> = {
  IT: [],
  SM: [],
  VA: [],
  RU: ['8'],
  KZ: ['8'],
  BY: ['80', '8'],
  LT: ['8', '0'],
  HU: ['06'],
};

/** Digits of an E.164 number, country code included. */
export const PHONE_DIGITS = { min: 8, max: 15 } as const;

/** Options of {@link normalizePhone}. */
export interface NormalizePhoneOptions {
  /** ISO 3166-1 alpha-2 country used for a national number (no `+`), e.g. the location's country. */
  readonly country?: string | undefined;
  /** Step and field named in errors. */
  readonly stepId?: string;
  readonly field?: string;
}

/**
 * Normalises a phone number to E.164 and keeps what was typed (outer spaces trimmed): spaces, dashes, dots and parentheses
 * are removed, a leading `00` becomes `+`; a national number (leading 0 or no `+`) gets the calling
 * code of `country` (its trunk prefix dropped). Show `e164` to the client to confirm: the number is
 * never changed silently.
 * @throws {ChecklistError} `ANSWER_INVALID` (empty), `ANSWER_TOO_LONG` (over 32 characters typed),
 *   `PHONE_INVALID_CHARS`, `PHONE_NEEDS_COUNTRY_CODE` (national number, no known country),
 *   `PHONE_TOO_SHORT` (< 8 digits), `PHONE_TOO_LONG` (> 15 digits) or `ANSWER_INVALID` (`+0…`).
 * @example
 * normalizePhone('0151 2345 6789', { country: 'DE' }); // { entered: '0151 2345 6789', e164: '+4915123456789' }
 * normalizePhone('(615) 555-0100', { country: 'US' }); // { entered: '(615) 555-0100', e164: '+16155550100' }
 */
export function normalizePhone(entered: string, options: NormalizePhoneOptions = {}): PhoneNumber {
  const field = options.field ?? 'phone';
  const o = { stepId: options.stepId ?? 'emergency-plan', field };
  if (typeof entered !== 'string' || entered.trim() === '') throw new ChecklistError('ANSWER_INVALID', `${field} is required`, o);
  if (entered.length > ANSWER_LIMITS.phone) {
    throw new ChecklistError('ANSWER_TOO_LONG', `${field} is longer than ${ANSWER_LIMITS.phone} characters`, {
      ...o,
      maxLength: ANSWER_LIMITS.phone,
    });
  }
  const typed = entered.trim();
  let s = typed.replace(/[ \u00a0\u2007\u202f.\-()]/g, '');
  if (!/^\+?[0-9]+$/.test(s))
    throw new ChecklistError('PHONE_INVALID_CHARS', `${field} may contain digits, spaces, - . ( ) and a leading + only`, o);
  if (s.startsWith('00')) s = `+${s.slice(2)}`;
  let e164: string;
  if (s.startsWith('+')) {
    e164 = s;
  } else {
    const country = options.country?.toUpperCase();
    const cc = country ? callingCodeOf(country) : undefined;
    if (!country || !cc) throw new ChecklistError('PHONE_NEEDS_COUNTRY_CODE', `${field} needs a country code (+…)`, o);
    let national = s;
    if (cc === '1') {
      if (national.length === 11 && national.startsWith('1')) national = national.slice(1);
    } else {
      for (const prefix of TRUNK[country] ?? ['0']) {
        if (national.startsWith(prefix)) {
          national = national.slice(prefix.length);
          break;
        }
      }
    }
    e164 = `+${cc}${national}`;
  }
  const digits = e164.length - 1;
  if (e164[1] === '0') throw new ChecklistError('ANSWER_INVALID', `${field}: a country code never starts with 0`, o);
  if (digits < PHONE_DIGITS.min) throw new ChecklistError('PHONE_TOO_SHORT', `${field} has fewer than ${PHONE_DIGITS.min} digits`, o);
  if (digits > PHONE_DIGITS.max) throw new ChecklistError('PHONE_TOO_LONG', `${field} has more than ${PHONE_DIGITS.max} digits`, o);
  return { entered: typed, e164 };
}

/**
 * Whether `s` is an E.164 number (`+`, leading digit 1–9, 8–15 digits in all).
 * @example
 * isE164('+16155550100'); // true
 */
export function isE164(s: unknown): s is string {
  return typeof s === 'string' && /^\+[1-9][0-9]{7,14}$/.test(s);
}
