/**
 * Times for people: "3 minutes ago", "in 2 days", "just now". Tables on a terminal show
 * these; piped output and `--json` keep the ISO 8601 time, which sorts and parses.
 */

/** Each unit and how many seconds it is, largest first; a value is shown in the largest unit it reaches. */
const UNITS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400],
  ['month', 30 * 86_400],
  ['week', 7 * 86_400],
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
];

/** Made on first use: ICU's formatter is not free, and `credential get` loads this module without drawing a table. */
let format: Intl.RelativeTimeFormat | undefined;

/** How far `then` is from `now`, in words; under 10 seconds either way is "just now". */
export function relativeTime(then: Date, now: Date): string {
  const seconds = (then.getTime() - now.getTime()) / 1000;
  const size = Math.abs(seconds);
  if (size < 10) return 'just now';
  const [unit, length] = UNITS.find(([, length]) => size >= length)!;
  // Whole units, rounded down: 1 day 23 hours ago is "1 day ago", never a rounded-up "2 days".
  format ??= new Intl.RelativeTimeFormat('en', { numeric: 'always' });
  return format.format(Math.sign(seconds) * Math.floor(size / length), unit);
}

/** An ISO 8601 time as {@link relativeTime}; any other text (`never`, an empty cell) as it is. */
export function relativeIfTime(text: string, now: Date): string {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text)) return text;
  const then = new Date(text);
  return Number.isNaN(then.getTime()) ? text : relativeTime(then, now);
}
