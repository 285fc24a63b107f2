/**
 * Passphrase strength, as zxcvbn (the `@zxcvbn-ts` packages, with their common and
 * English dictionaries) estimates it: the number of guesses an attacker who knows
 * common passwords, words, names, keyboard walks, dates and l33t substitutions needs.
 * Counting character classes instead rated "correct horse battery staple" at 124 bits
 * and "Password1!" as fair; zxcvbn sees the words and the pattern.
 *
 * The dictionaries are several megabytes: the CLI bundle keeps this module in a file
 * of its own (`dist/strength.cjs`, see scripts/bundle.mjs), and its callers import it
 * dynamically, so no other command pays for loading them.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';

export type StrengthRating = 'weak' | 'fair' | 'good' | 'strong';

export interface Strength {
  /** log2 of the estimated guesses, rounded. */
  bits: number;
  rating: StrengthRating;
  /** zxcvbn's reason for a low rating ("This is a top-10 common password."), when it has one. */
  warning: string | undefined;
}

let estimator: ZxcvbnFactory | undefined;

/**
 * The thresholds are for an offline attack on the store file (its passphrase slot is
 * behind Argon2id, so each guess is slow, but nothing limits how many are tried): under
 * 50 bits is weak, as before; a six-word diceware passphrase (77 bits of choice) rates
 * good or strong.
 */
export function estimateStrength(passphrase: string): Strength {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
  });
  const result = estimator.check(passphrase);
  const bits = passphrase === '' ? 0 : Math.round(result.guessesLog10 * Math.log2(10));
  const rating: StrengthRating = bits < 50 ? 'weak' : bits < 70 ? 'fair' : bits < 90 ? 'good' : 'strong';
  return { bits, rating, warning: result.feedback.warning ?? undefined };
}
