/**
 * A small H.264 `profile-level-id` parser (RFC 6184 §8.1) for codec matching:
 * which profile a 3-byte hex value denotes, whether two fmtp sets have the same
 * profile, and which profile-level-id an answer should carry.
 *
 * @packageDocumentation
 */
import type { RtpCodecParametersMap } from '../types/rtp-parameters.js';

/** H.264 profiles distinguished for negotiation. */
export const H264Profile = {
  ConstrainedBaseline: 1,
  Baseline: 2,
  Main: 3,
  ConstrainedHigh: 4,
  High: 5,
  PredictiveHigh444: 6,
} as const;
/** One of {@link H264Profile}. */
export type H264Profile = (typeof H264Profile)[keyof typeof H264Profile];

/** Level 1b is encoded as level_idc 11 with constraint_set3; it is given the value 0 here. */
export const H264_LEVEL_1B = 0;

const KNOWN_LEVELS = new Set([10, 11, 12, 13, 20, 21, 22, 30, 31, 32, 40, 41, 42, 50, 51, 52]);

/** Parsed profile and level (level_idc, with 1b as {@link H264_LEVEL_1B}). */
export type H264ProfileLevelId = { profile: H264Profile; level: number };

/** The default when an fmtp has no profile-level-id: Constrained Baseline 3.1. */
export const DEFAULT_H264_PROFILE_LEVEL_ID: H264ProfileLevelId = {
  profile: H264Profile.ConstrainedBaseline,
  level: 31,
};

/**
 * profile_idc, then a pattern of profile-iop bits: `1` must be set, `0` must be
 * clear, `x` is free. Order matters: constrained variants are tested first.
 */
const PROFILE_PATTERNS: readonly [number, string, H264Profile][] = [
  [0x42, 'x1xx0000', H264Profile.ConstrainedBaseline],
  [0x4d, '1xxx0000', H264Profile.ConstrainedBaseline],
  [0x58, '11xx0000', H264Profile.ConstrainedBaseline],
  [0x42, 'x0xx0000', H264Profile.Baseline],
  [0x58, '10xx0000', H264Profile.Baseline],
  [0x4d, '0x0x0000', H264Profile.Main],
  [0x64, '00000000', H264Profile.High],
  [0x64, '00001100', H264Profile.ConstrainedHigh],
  [0xf4, '00000000', H264Profile.PredictiveHigh444],
];

function iopMatches(pattern: string, iop: number): boolean {
  for (let bit = 0; bit < 8; bit++) {
    const want = pattern[bit];
    const has = (iop >> (7 - bit)) & 1;
    if (want === '1' && has !== 1) return false;
    if (want === '0' && has !== 0) return false;
  }
  return true;
}

/**
 * Parses a 6-hex-digit profile-level-id.
 *
 * @returns the profile and level, or `undefined` if malformed or unknown.
 * @example parseH264ProfileLevelId('42e01f') // { profile: ConstrainedBaseline, level: 31 }
 */
export function parseH264ProfileLevelId(value: unknown): H264ProfileLevelId | undefined {
  if (typeof value !== 'string' || !/^[0-9a-fA-F]{6}$/.test(value)) return undefined;
  const numeric = Number.parseInt(value, 16);
  if (numeric === 0) return undefined;
  const levelIdc = numeric & 0xff;
  const iop = (numeric >> 8) & 0xff;
  const profileIdc = (numeric >> 16) & 0xff;
  if (!KNOWN_LEVELS.has(levelIdc)) return undefined;
  // Level 1b: level_idc 11 with constraint_set3_flag (0x10).
  const level = levelIdc === 11 && (iop & 0x10) !== 0 ? H264_LEVEL_1B : levelIdc;
  for (const [idc, pattern, profile] of PROFILE_PATTERNS) {
    if (idc === profileIdc && iopMatches(pattern, iop)) return { profile, level };
  }
  return undefined;
}

/** Formats a profile and level back to its canonical 6-hex-digit string. */
export function h264ProfileLevelIdToString(id: H264ProfileLevelId): string | undefined {
  if (id.level === H264_LEVEL_1B) {
    if (id.profile === H264Profile.ConstrainedBaseline) return '42f00b';
    if (id.profile === H264Profile.Baseline) return '42100b';
    if (id.profile === H264Profile.Main) return '4d100b';
    return undefined;
  }
  const prefix: Record<H264Profile, string> = {
    [H264Profile.ConstrainedBaseline]: '42e0',
    [H264Profile.Baseline]: '4200',
    [H264Profile.Main]: '4d00',
    [H264Profile.ConstrainedHigh]: '640c',
    [H264Profile.High]: '6400',
    [H264Profile.PredictiveHigh444]: 'f400',
  };
  return `${prefix[id.profile]}${id.level.toString(16).padStart(2, '0')}`;
}

/** Profile and level from an fmtp map; the RFC default when absent, `undefined` when invalid. */
export function parseSdpH264ProfileLevelId(params: RtpCodecParametersMap | undefined): H264ProfileLevelId | undefined {
  const value: unknown = params?.['profile-level-id'];
  return value === undefined || value === null || value === '' ? DEFAULT_H264_PROFILE_LEVEL_ID : parseH264ProfileLevelId(String(value));
}

/** Whether two fmtp maps denote the same H.264 profile (levels may differ). */
export function isSameH264Profile(a: RtpCodecParametersMap | undefined, b: RtpCodecParametersMap | undefined): boolean {
  const pa = parseSdpH264ProfileLevelId(a);
  const pb = parseSdpH264ProfileLevelId(b);
  return pa !== undefined && pb !== undefined && pa.profile === pb.profile;
}

function isLevelAsymmetryAllowed(params: RtpCodecParametersMap | undefined): boolean {
  const v: unknown = params?.['level-asymmetry-allowed'];
  return v === true || v === 1 || v === '1';
}

function isLessLevel(a: number, b: number): boolean {
  if (a === H264_LEVEL_1B) return b !== 10 && b !== H264_LEVEL_1B;
  if (b === H264_LEVEL_1B) return a !== 10;
  return a < b;
}

/**
 * The profile-level-id an answer should carry (RFC 6184 §8.2.2): the local
 * level if both sides allow level asymmetry, otherwise the lower level.
 *
 * @returns the string, or `undefined` when neither side has a profile-level-id.
 * @throws TypeError if either is invalid or the profiles differ.
 */
export function generateH264ProfileLevelIdForAnswer(
  local: RtpCodecParametersMap | undefined,
  remote: RtpCodecParametersMap | undefined,
): string | undefined {
  if (!local?.['profile-level-id'] && !remote?.['profile-level-id']) return undefined;
  const l = parseSdpH264ProfileLevelId(local);
  const r = parseSdpH264ProfileLevelId(remote);
  if (!l) throw new TypeError('invalid local profile-level-id');
  if (!r) throw new TypeError('invalid remote profile-level-id');
  if (l.profile !== r.profile) throw new TypeError('H264 profile mismatch');
  const asymmetry = isLevelAsymmetryAllowed(local) && isLevelAsymmetryAllowed(remote);
  const level = asymmetry ? l.level : isLessLevel(l.level, r.level) ? l.level : r.level;
  return h264ProfileLevelIdToString({ profile: l.profile, level });
}
