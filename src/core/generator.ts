/**
 * Password and passphrase generation. Every choice is `crypto.randomInt`, which samples
 * uniformly (by rejection, so no modulo bias), and the entropy reported is the log2 of
 * the exact number of equally likely outcomes.
 */
import { randomInt } from 'node:crypto';
import { IntegrityError, UsageError } from './errors.js';

export const CHARACTER_CLASSES = {
  upper: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  lower: 'abcdefghijklmnopqrstuvwxyz',
  digits: '0123456789',
  // All 32 ASCII punctuation characters: the value is piped or stored, not typed.
  symbols: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
} as const;
export type CharacterClass = keyof typeof CHARACTER_CLASSES;
export const CLASS_NAMES = Object.keys(CHARACTER_CLASSES) as CharacterClass[];

/** Characters easily mistaken for one another, left out by `excludeAmbiguous`. */
export const AMBIGUOUS_CHARACTERS = 'Il1|O0o';

export const MIN_LENGTH = 4;
export const MAX_LENGTH = 1024;
export const DEFAULT_LENGTH = 24;
export const MIN_WORDS = 3;
export const MAX_WORDS = 64;
export const DEFAULT_WORDS = 6;
/** The EFF large word list: 6^5 words, one per roll of five dice. */
export const WORD_LIST_SIZE = 7776;

export interface PasswordOptions {
  length: number;
  /** The classes that must each appear at least once. */
  classes: readonly CharacterClass[];
  excludeAmbiguous: boolean;
}

export interface PassphraseOptions {
  words: number;
  separator: string;
  /** Upper-case the first letter of every word (adds no entropy). */
  capitalize: boolean;
  /** Append one random digit to one randomly chosen word. */
  number: boolean;
}

/** The characters each enabled class contributes. */
function alphabets(options: PasswordOptions): string[] {
  return options.classes.map((name) => [...CHARACTER_CLASSES[name]].filter((c) => !options.excludeAmbiguous || !AMBIGUOUS_CHARACTERS.includes(c)).join(''));
}

/** Throws a usage error unless the options can make a password. */
export function checkPasswordOptions(options: PasswordOptions): void {
  if (options.classes.length === 0) throw new UsageError('every character class is turned off', 'leave at least one of upper, lower, digits and symbols on');
  if (options.length < options.classes.length) {
    throw new UsageError(`a password of ${options.length} characters cannot hold one of each of the ${options.classes.length} enabled character classes`, 'give a longer --length or turn classes off');
  }
  if (!Number.isInteger(options.length) || options.length < MIN_LENGTH || options.length > MAX_LENGTH) {
    throw new UsageError(`the length must be a whole number from ${MIN_LENGTH} to ${MAX_LENGTH}`);
  }
}

/**
 * A password of `length` characters with at least one of every enabled class. Drawn
 * uniformly from all such strings: uniform characters, and a draw that misses a class
 * is thrown away and redrawn (placing one of each class first and shuffling would favour
 * some strings, and make the entropy harder to state).
 */
export function generatePassword(options: PasswordOptions): string {
  checkPasswordOptions(options);
  const sets = alphabets(options);
  const all = sets.join('');
  for (;;) {
    let password = '';
    for (let i = 0; i < options.length; i++) password += all[randomInt(all.length)];
    if (sets.every((set) => [...password].some((c) => set.includes(c)))) return password;
  }
}

function log2(value: bigint): number {
  const bits = value.toString(2).length;
  if (bits <= 53) return Math.log2(Number(value));
  const shift = bits - 53;
  return shift + Math.log2(Number(value >> BigInt(shift)));
}

/**
 * log2 of the number of passwords {@link generatePassword} can return, all equally
 * likely: by inclusion-exclusion, the strings over the whole alphabet minus those that
 * miss one or more classes.
 */
export function passwordEntropyBits(options: PasswordOptions): number {
  checkPasswordOptions(options);
  const sizes = alphabets(options).map((set) => BigInt(set.length));
  const total = sizes.reduce((a, b) => a + b, 0n);
  let count = 0n;
  for (let subset = 0; subset < 1 << sizes.length; subset++) {
    let missing = 0n;
    let members = 0;
    sizes.forEach((size, i) => {
      if (subset & (1 << i)) {
        missing += size;
        members++;
      }
    });
    const term = (total - missing) ** BigInt(options.length);
    count += members % 2 === 0 ? term : -term;
  }
  return log2(count);
}

/** Throws a usage error unless the options can make a passphrase. */
export function checkPassphraseOptions(options: PassphraseOptions): void {
  if (!Number.isInteger(options.words) || options.words < MIN_WORDS || options.words > MAX_WORDS) {
    throw new UsageError(`the number of words must be a whole number from ${MIN_WORDS} to ${MAX_WORDS}`);
  }
  if (/[\u0000-\u001f\u007f]/.test(options.separator)) throw new UsageError('the separator cannot contain control characters or newlines');
}

/** A passphrase of words drawn uniformly (with repetition) from `wordList`. */
export function generatePassphrase(options: PassphraseOptions, wordList: readonly string[]): string {
  checkPassphraseOptions(options);
  const words = Array.from({ length: options.words }, () => wordList[randomInt(wordList.length)]!);
  const shown = options.capitalize ? words.map((w) => `${w[0]!.toUpperCase()}${w.slice(1)}`) : words;
  if (options.number) shown[randomInt(shown.length)] += String(randomInt(10));
  return shown.join(options.separator);
}

/**
 * log2 of the number of equally likely choices behind a passphrase: a word per slot,
 * and with `number` a digit and the word it follows. Words are lower-case letters
 * (and four hyphenated ones), so different choices give different passphrases.
 */
export function passphraseEntropyBits(options: PassphraseOptions, listSize: number): number {
  checkPassphraseOptions(options);
  return options.words * Math.log2(listSize) + (options.number ? Math.log2(10 * options.words) : 0);
}

/** Parses the word list file: exactly {@link WORD_LIST_SIZE} distinct words, one a line. */
export function parseWordList(text: string): string[] {
  const words = text.split('\n').map((line) => line.replace(/\r$/, ''));
  if (words.at(-1) === '') words.pop();
  if (words.length !== WORD_LIST_SIZE || new Set(words).size !== WORD_LIST_SIZE || !words.every((w) => /^[a-z]+(-[a-z]+)?$/.test(w))) {
    throw new IntegrityError('the word list for passphrases is damaged', 'reinstall agent-vault');
  }
  return words;
}
