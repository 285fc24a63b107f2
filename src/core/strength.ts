/**
 * A rough passphrase strength estimate, shown by `init` on a terminal. It is a guide,
 * not a guarantee: it counts the character classes used and the length, and discounts
 * repetition. A diceware passphrase of six words rates strong.
 */

export type StrengthRating = 'weak' | 'fair' | 'good' | 'strong';

export interface Strength {
  bits: number;
  rating: StrengthRating;
}

export function estimateStrength(passphrase: string): Strength {
  const chars = [...passphrase];
  let pool = 0;
  if (/[a-z]/.test(passphrase)) pool += 26;
  if (/[A-Z]/.test(passphrase)) pool += 26;
  if (/[0-9]/.test(passphrase)) pool += 10;
  if (/[^a-zA-Z0-9]/.test(passphrase)) pool += 33;
  // Repeated characters add little: count each character at most twice.
  const counts = new Map<string, number>();
  const effective = chars.filter((c) => {
    const n = (counts.get(c) ?? 0) + 1;
    counts.set(c, n);
    return n <= 2;
  }).length;
  const bits = pool === 0 ? 0 : Math.round(effective * Math.log2(pool));
  const rating: StrengthRating = bits < 50 ? 'weak' : bits < 70 ? 'fair' : bits < 90 ? 'good' : 'strong';
  return { bits, rating };
}
