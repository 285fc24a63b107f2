/** Parsing of numeric command-line arguments: the one integer parser of the CLI. */
import { UsageError } from '../core/errors.js';

/**
 * A whole number from `min` to `max` (no upper bound without one) given as `flag`'s
 * value, else a usage error naming the range. Digits only: no sign, exponent or
 * fraction, and at most nine of them, so the value is always exact.
 */
export function wholeNumber(text: string, flag: string, min: number, max?: number): number {
  if (!/^[0-9]{1,9}$/.test(text) || Number(text) < min || (max !== undefined && Number(text) > max)) {
    const range = max === undefined ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`${flag} must be a whole number ${range}, not ${JSON.stringify(text)}`);
  }
  return Number(text);
}
