import { describe, expect, it } from 'vitest';
import {
  H264Profile,
  generateH264ProfileLevelIdForAnswer,
  h264ProfileLevelIdToString,
  isSameH264Profile,
  parseH264ProfileLevelId,
} from './h264-profile-level-id.js';

describe('H.264 profile-level-id', () => {
  it.each<[string, H264Profile, number]>([
    ['42e01f', H264Profile.ConstrainedBaseline, 31],
    ['42c01f', H264Profile.ConstrainedBaseline, 31],
    ['4d801f', H264Profile.ConstrainedBaseline, 31],
    ['42001f', H264Profile.Baseline, 31],
    ['4d0032', H264Profile.Main, 50],
    ['640032', H264Profile.High, 50],
    ['640c1f', H264Profile.ConstrainedHigh, 31],
    ['f4001f', H264Profile.PredictiveHigh444, 31],
    ['42f00b', H264Profile.ConstrainedBaseline, 0],
  ])('parses %s', (value, profile, level) => {
    expect(parseH264ProfileLevelId(value)).toEqual({ profile, level });
  });

  it.each(['', '42e01', '42e01f0', 'zzzzzz', '000000', '42e0ff', '6e001f', '64101f'])('rejects %j', (value) => {
    expect(parseH264ProfileLevelId(value)).toBeUndefined();
  });

  it('formats back to canonical strings', () => {
    expect(h264ProfileLevelIdToString({ profile: H264Profile.ConstrainedBaseline, level: 31 })).toBe('42e01f');
    expect(h264ProfileLevelIdToString({ profile: H264Profile.High, level: 40 })).toBe('640028');
    expect(h264ProfileLevelIdToString({ profile: H264Profile.Main, level: 0 })).toBe('4d100b');
    expect(h264ProfileLevelIdToString({ profile: H264Profile.High, level: 0 })).toBeUndefined();
  });

  it('compares profiles, defaulting to Constrained Baseline 3.1', () => {
    expect(isSameH264Profile({ 'profile-level-id': '42e01f' }, { 'profile-level-id': '42e034' })).toBe(true);
    expect(isSameH264Profile({}, { 'profile-level-id': '42e034' })).toBe(true);
    expect(isSameH264Profile({ 'profile-level-id': '42e01f' }, { 'profile-level-id': '4d001f' })).toBe(false);
    expect(isSameH264Profile({ 'profile-level-id': 'bad' }, {})).toBe(false);
  });

  it('negotiates the answer level', () => {
    expect(generateH264ProfileLevelIdForAnswer({}, {})).toBeUndefined();
    expect(generateH264ProfileLevelIdForAnswer({ 'profile-level-id': '42e034' }, { 'profile-level-id': '42e01f' })).toBe('42e01f');
    expect(
      generateH264ProfileLevelIdForAnswer(
        { 'profile-level-id': '42e034', 'level-asymmetry-allowed': 1 },
        { 'profile-level-id': '42e01f', 'level-asymmetry-allowed': '1' },
      ),
    ).toBe('42e034');
    // 1b is below 1.1 but not below 1.
    expect(generateH264ProfileLevelIdForAnswer({ 'profile-level-id': '42f00b' }, { 'profile-level-id': '42e00c' })).toBe('42f00b');
    expect(generateH264ProfileLevelIdForAnswer({ 'profile-level-id': '42f00b' }, { 'profile-level-id': '42e00a' })).toBe('42e00a');
    expect(() => generateH264ProfileLevelIdForAnswer({ 'profile-level-id': '42e01f' }, { 'profile-level-id': '640c1f' })).toThrow(
      TypeError,
    );
  });
});
