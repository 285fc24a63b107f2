/**
 * Durations as people type them: a whole number and one unit, `s`, `m`, `h`, `d` or
 * `w` (`30m`, `7d`). Used by `grant --expires` and `audit --since`.
 */
import { UsageError } from './errors.js';

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
/** About 1000 years: far enough for any expiry, small enough to stay a safe date. */
const MAX_MS = 1000 * 365 * UNIT_MS.d!;

/** Parses `<number><unit>` into milliseconds; anything else is a usage error (exit 2). */
export function parseDuration(text: string): number {
  const match = /^([1-9][0-9]{0,12})([smhdw])$/.exec(text.trim());
  const ms = match ? Number(match[1]) * UNIT_MS[match[2]!]! : NaN;
  if (!match || ms > MAX_MS) {
    throw new UsageError(`invalid duration ${JSON.stringify(text.slice(0, 40))}`, 'give a positive whole number and a unit: s, m, h, d or w (e.g. 30m, 7d)');
  }
  return ms;
}
