/** Parsing of numeric command-line arguments. */
import { UsageError } from '../core/errors.js';

/** A whole number from `min` to `max` given as `flag`'s value, else a usage error naming the range. */
export function wholeNumber(text: string, flag: string, min: number, max: number): number {
  if (!/^[0-9]{1,9}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, not ${JSON.stringify(text)}`);
  }
  return Number(text);
}
