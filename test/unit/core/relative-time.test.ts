import { describe, expect, it } from 'vitest';
import { relativeIfTime, relativeTime } from '../../../src/core/relative-time.js';

const NOW = new Date('2031-05-01T12:00:00.000Z');
const at = (seconds: number): Date => new Date(NOW.getTime() + seconds * 1000);

describe('relativeTime', () => {
  it.each([
    [0, 'just now'],
    [-9, 'just now'],
    [-45, '45 seconds ago'],
    [-3 * 60, '3 minutes ago'],
    [-(2 * 3600 + 59 * 60), '2 hours ago'],
    [-(86_400 + 23 * 3600), '1 day ago'],
    [2 * 86_400, 'in 2 days'],
    [10 * 86_400, 'in 1 week'],
    [-45 * 86_400, '1 month ago'],
    [400 * 86_400, 'in 1 year'],
  ])('%i s from now is "%s"', (seconds, text) => {
    expect(relativeTime(at(seconds), NOW)).toBe(text);
  });

  it('leaves text that is not a time as it is', () => {
    expect(relativeIfTime('never', NOW)).toBe('never');
    expect(relativeIfTime('', NOW)).toBe('');
    expect(relativeIfTime('2031-05-01T11:57:00.000Z', NOW)).toBe('3 minutes ago');
    expect(relativeIfTime('2031-13-45T99:99:00Z', NOW)).toBe('2031-13-45T99:99:00Z');
  });
});
