import { describe, expect, it } from 'vitest';
import { estimateStrength } from '../../../src/core/strength.js';

describe('estimateStrength (zxcvbn)', () => {
  it('rates empty, short and common passphrases weak, saying why', () => {
    expect(estimateStrength('')).toMatchObject({ bits: 0, rating: 'weak' });
    expect(estimateStrength('abc').rating).toBe('weak');
    expect(estimateStrength('password')).toMatchObject({ rating: 'weak', warning: expect.stringMatching(/commonly used|heavily used|common password/i) });
    expect(estimateStrength('Password1!').rating).toBe('weak');
  });

  it('sees through l33t substitutions and keyboard walks that fill every character class', () => {
    expect(estimateStrength('Tr0ub4dor&3').rating).toBe('weak');
    expect(estimateStrength('qwertzuiopasdfghjklyxcvb').rating).toBe('weak');
  });

  it('does not rate four common words as a random 124-bit string', () => {
    const { bits, rating } = estimateStrength('correct horse battery staple');
    expect(bits).toBeLessThan(70);
    expect(rating).not.toMatch(/good|strong/);
  });

  it('discounts repetition', () => {
    expect(estimateStrength('aaaaaaaaaaaaaaaaaaaaaaaa').rating).toBe('weak');
    expect(estimateStrength('aaaaaaaaaaaaaaaaaaaaaaaa').bits).toBeLessThan(estimateStrength('kX9#mQ2$vL7!pR4@wN8&').bits);
  });

  it('rates a six-word diceware passphrase strong', () => {
    expect(estimateStrength('cable-smirk-unvoiced-ardently-reclaim-sulfide').rating).toBe('strong');
    expect(estimateStrength('tomato kiwi raven ocean violin 77').rating).toBe('strong');
  });
});
