import { describe, expect, it } from 'vitest';
import { parseDuration, parseSince } from '../../../src/core/duration.js';

describe('parseDuration', () => {
  it.each([
    ['2s', 2_000],
    ['30m', 1_800_000],
    ['1h', 3_600_000],
    ['7d', 604_800_000],
    ['1w', 604_800_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '0d', '7', 'd', '1.5h', '-1h', '1y', '7 d', ' 7d', '07d', '1H', '999999999w'])('rejects %j as a usage error', (text) => {
    expect(() => parseDuration(text)).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});

describe('parseSince', () => {
  const now = new Date('2025-03-10T12:00:00.000Z');

  it('counts a duration back from now', () => {
    expect(parseSince('1h', now).toISOString()).toBe('2025-03-10T11:00:00.000Z');
  });

  it('takes ISO dates and times, a bare date as midnight UTC', () => {
    expect(parseSince('2025-01-31', now).toISOString()).toBe('2025-01-31T00:00:00.000Z');
    expect(parseSince('2025-01-31T12:30:00Z', now).toISOString()).toBe('2025-01-31T12:30:00.000Z');
    expect(parseSince('2025-01-31T12:30:00+02:00', now).toISOString()).toBe('2025-01-31T10:30:00.000Z');
  });

  it.each(['yesterday', '2025-13-01', '2025-01-32', '31/01/2025', '1y'])('rejects %j with exit 2', (text) => {
    expect(() => parseSince(text, now)).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});
