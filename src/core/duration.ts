/**
 * Durations as people type them (`30m`, `7d`), and `--since` values that are either a
 * duration back from now or an ISO 8601 date.
 */
import { UsageError } from './errors.js';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DURATION = /^([1-9][0-9]{0,8})([smhdw])$/;
/** About 1000 years: far enough for any expiry, small enough to stay a valid date. */
const MAX_MS = 1000 * 365 * UNIT_MS.d;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

/** True when `text` is a duration such as `30m`, `2s` or `1w`. */
export function isDuration(text: string): boolean {
  return DURATION.test(text);
}

/**
 * A duration in milliseconds: a positive whole number and one unit, `s`, `m`, `h`, `d`
 * or `w` (`30m`, `7d`). Anything else is a usage error (exit 2).
 */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text);
  if (!match || Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] > MAX_MS) throw new UsageError(`${JSON.stringify(text)} is not a duration`, 'use a whole number and a unit: 30s, 15m, 2h, 7d or 1w');
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/**
 * The instant a `--since` value names: a duration back from `now` (`7d`), or an ISO 8601
 * date or time (`2025-01-31`, `2025-01-31T12:00:00Z`; a date alone is midnight UTC).
 */
export function parseSince(text: string, now: Date): Date {
  if (isDuration(text)) return new Date(now.getTime() - parseDuration(text));
  const time = ISO_DATE.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new UsageError(`--since ${JSON.stringify(text)} is neither a duration nor an ISO date`, 'use 30m, 1h, 7d, or a date such as 2025-01-31 or 2025-01-31T12:00:00Z');
  }
  return new Date(time);
}
