import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UsageError, IntegrityError } from '../../../src/core/errors.js';
import {
  AMBIGUOUS_CHARACTERS,
  CHARACTER_CLASSES,
  CLASS_NAMES,
  generatePassphrase,
  generatePassword,
  parseWordList,
  passphraseEntropyBits,
  passwordEntropyBits,
  type CharacterClass,
  type PasswordOptions,
} from '../../../src/core/generator.js';

const ALL: PasswordOptions = { length: 24, classes: CLASS_NAMES, excludeAmbiguous: false };
const wordListText = readFileSync(new URL('../../../data/eff-large-wordlist.txt', import.meta.url), 'utf8');

/** Counts strings of `length` over the classes' alphabets holding each class at least once, by dynamic programming over which classes have appeared. */
function countByDp(sizes: number[], length: number): bigint {
  const full = (1 << sizes.length) - 1;
  let ways = new Array<bigint>(full + 1).fill(0n);
  ways[0] = 1n;
  for (let step = 0; step < length; step++) {
    const next = new Array<bigint>(full + 1).fill(0n);
    ways.forEach((count, seen) => sizes.forEach((size, i) => (next[seen | (1 << i)]! += count * BigInt(size))));
    ways = next;
  }
  return ways[full]!;
}

function log2Big(value: bigint): number {
  const bits = value.toString(2).length;
  const shift = Math.max(0, bits - 53);
  return shift + Math.log2(Number(value >> BigInt(shift)));
}

describe('generatePassword', () => {
  it('puts every class in each of 60 passwords of length 12', () => {
    for (let i = 0; i < 60; i++) {
      const password = generatePassword({ ...ALL, length: 12 });
      expect(password).toHaveLength(12);
      for (const name of CLASS_NAMES) expect([...password].some((c) => CHARACTER_CLASSES[name].includes(c)), `${name} in a password`).toBe(true);
    }
  });

  it('puts every class even in the shortest password, and only the enabled classes in any', () => {
    for (let i = 0; i < 200; i++) {
      const password = generatePassword({ ...ALL, length: 4 });
      expect(CLASS_NAMES.every((name) => [...password].some((c) => CHARACTER_CLASSES[name].includes(c)))).toBe(true);
    }
    const digitsOnly = generatePassword({ length: 1024, classes: ['digits'], excludeAmbiguous: false });
    expect(digitsOnly).toMatch(/^[0-9]{1024}$/);
  });

  it('leaves out symbols and look-alikes over thousands of characters, yet uses everything else', () => {
    const text = Array.from({ length: 10 }, () => generatePassword({ length: 1024, classes: ['upper', 'lower', 'digits'], excludeAmbiguous: true })).join('');
    expect(text).toMatch(/^[A-Za-z0-9]+$/);
    for (const c of AMBIGUOUS_CHARACTERS) expect(text).not.toContain(c);
    const allowed = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'].filter((c) => !AMBIGUOUS_CHARACTERS.includes(c));
    expect(new Set(text)).toEqual(new Set(allowed));
  });

  it('makes 30 different passwords', () => {
    expect(new Set(Array.from({ length: 30 }, () => generatePassword(ALL))).size).toBe(30);
  });

  it('refuses lengths outside 4..1024, too short for the classes, and no classes at all', () => {
    const cases: Array<[PasswordOptions, RegExp]> = [
      [{ ...ALL, length: 3 }, /3 characters cannot hold one of each of the 4 enabled/],
      [{ ...ALL, length: 2, classes: ['digits', 'symbols', 'upper'] }, /cannot hold one of each of the 3/],
      [{ ...ALL, length: 3, classes: ['digits'] }, /from 4 to 1024/],
      [{ ...ALL, length: 1025 }, /from 4 to 1024/],
      [{ ...ALL, length: 12.5 }, /whole number/],
      [{ ...ALL, classes: [] }, /every character class is turned off/],
    ];
    for (const [options, message] of cases) {
      expect(() => generatePassword(options)).toThrow(UsageError);
      expect(() => generatePassword(options)).toThrow(message);
    }
  });
});

describe('passwordEntropyBits', () => {
  it('is length × log2(alphabet) for a single class', () => {
    expect(passwordEntropyBits({ length: 10, classes: ['digits'], excludeAmbiguous: false })).toBeCloseTo(10 * Math.log2(10), 10);
    expect(passwordEntropyBits({ length: 20, classes: ['lower'], excludeAmbiguous: true })).toBeCloseTo(20 * Math.log2(24), 10);
  });

  it('is log2 of the exact count of strings holding every enabled class', () => {
    const combos: Array<[number, CharacterClass[], boolean]> = [
      [4, ['upper', 'lower', 'digits', 'symbols'], false],
      [12, ['upper', 'lower', 'digits', 'symbols'], false],
      [12, ['upper', 'lower', 'digits', 'symbols'], true],
      [7, ['lower', 'digits'], true],
      [100, ['upper', 'symbols', 'digits'], false],
      [1024, ['upper', 'lower', 'digits', 'symbols'], false],
    ];
    for (const [length, classes, excludeAmbiguous] of combos) {
      const sizes = classes.map((name) => [...CHARACTER_CLASSES[name]].filter((c) => !excludeAmbiguous || !AMBIGUOUS_CHARACTERS.includes(c)).length);
      expect(passwordEntropyBits({ length, classes, excludeAmbiguous })).toBeCloseTo(log2Big(countByDp(sizes, length)), 9);
    }
  });

  it('for the default 24 characters is just under 24 × log2(94)', () => {
    const bits = passwordEntropyBits(ALL);
    expect(bits).toBeLessThan(24 * Math.log2(94));
    expect(bits).toBeGreaterThan(24 * Math.log2(94) - 0.5);
  });
});

describe('passphrases', () => {
  const words = parseWordList(wordListText);

  it('ships the EFF large list unchanged: 7,776 words in dice order', () => {
    expect(createHash('sha256').update(wordListText).digest('hex')).toBe('6d557f0693958fb5e650b68b5bee585eb82cf4da32965505c789e924743bc522');
    expect(words).toHaveLength(7776);
    expect([words[0], words[7775]]).toEqual(['abacus', 'zoom']);
  });

  it('joins the asked number of list words with the separator', () => {
    const phrase = generatePassphrase({ words: 6, separator: ' ', capitalize: false, number: false }, words);
    const parts = phrase.split(' ');
    expect(parts).toHaveLength(6);
    for (const part of parts) expect(words).toContain(part);
  });

  it('capitalises every word and appends one digit to one word', () => {
    for (let i = 0; i < 50; i++) {
      const parts = generatePassphrase({ words: 5, separator: '.', capitalize: true, number: true }, words).split('.');
      expect(parts).toHaveLength(5);
      expect(parts.every((p) => /^[A-Z]/.test(p))).toBe(true);
      expect(parts.filter((p) => /[0-9]$/.test(p))).toHaveLength(1);
      for (const part of parts) expect(words).toContain(part.replace(/[0-9]$/, '').toLowerCase());
    }
  });

  it('differ every time', () => {
    expect(new Set(Array.from({ length: 30 }, () => generatePassphrase({ words: 4, separator: '-', capitalize: false, number: false }, words))).size).toBe(30);
  });

  it('report words × log2(7776), plus log2(10 × words) for the digit', () => {
    expect(passphraseEntropyBits({ words: 6, separator: '-', capitalize: false, number: false }, 7776)).toBeCloseTo(77.5489, 4);
    expect(passphraseEntropyBits({ words: 6, separator: '-', capitalize: true, number: true }, 7776)).toBeCloseTo(6 * Math.log2(7776) + Math.log2(60), 10);
  });

  it('refuse a word count outside 3..64 and a separator with control characters', () => {
    expect(() => generatePassphrase({ words: 2, separator: '-', capitalize: false, number: false }, words)).toThrow(/from 3 to 64/);
    expect(() => generatePassphrase({ words: 65, separator: '-', capitalize: false, number: false }, words)).toThrow(/from 3 to 64/);
    expect(() => generatePassphrase({ words: 6, separator: '\n', capitalize: false, number: false }, words)).toThrow(/control characters/);
  });

  it('refuse a damaged word list', () => {
    expect(() => parseWordList(words.slice(1).join('\n'))).toThrow(IntegrityError);
    expect(() => parseWordList([...words.slice(1), words[1]!].join('\n'))).toThrow(IntegrityError);
    expect(() => parseWordList([...words.slice(1), 'Bad word'].join('\n'))).toThrow(IntegrityError);
  });
});
