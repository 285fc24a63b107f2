import { describe, expect, it } from 'vitest';
import { estimateStrength } from '../../../src/core/strength.js';

describe('estimateStrength', () => {
  it('rates short or single-class passphrases weak', () => {
    expect(estimateStrength('').rating).toBe('weak');
    expect(estimateStrength('abc').rating).toBe('weak');
    expect(estimateStrength('password').rating).toBe('weak');
  });

  it('discounts repetition', () => {
    expect(estimateStrength('aaaaaaaaaaaaaaaaaaaaaaaa').bits).toBeLessThan(estimateStrength('qwertzuiopasdfghjklyxcvb').bits);
  });

  it('rates a six-word diceware passphrase strong', () => {
    expect(estimateStrength('cable-smirk-unvoiced-ardently-reclaim-sulfide').rating).toBe('strong');
  });

  it('counts bits as length times log2 of the classes used', () => {
    expect(estimateStrength('abcdefghij').bits).toBe(Math.round(10 * Math.log2(26)));
    expect(estimateStrength('abcDEF123!').bits).toBe(Math.round(10 * Math.log2(95)));
  });
});
