import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src/core/duration.js';

describe('parseDuration', () => {
  it.each([
    ['2s', 2_000],
    ['30m', 1_800_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    ['2w', 1_209_600_000],
  ])('reads %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '0s', '-1d', '1.5h', '7', 'd', '7x', '7 d', '1D', '99999999999999w'])('rejects %j as a usage error', (text) => {
    expect(() => parseDuration(text)).toThrow(/invalid duration/);
  });
});
