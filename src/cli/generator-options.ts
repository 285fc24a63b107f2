/**
 * The password and passphrase flags of the generator, shared by `generate` and
 * `credential rotate`, so both spell and describe them alike, and the one mapping of
 * them to generator settings, which the MCP tool `password_generate` uses too.
 */
import type { Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { AMBIGUOUS_CHARACTERS, CLASS_NAMES, DEFAULT_WORDS, MAX_LENGTH, MAX_WORDS, MIN_LENGTH, MIN_WORDS, type CharacterClass } from '../core/generator.js';
import type { GeneratorSettings } from '../core/policy.js';
import { wholeNumber } from './numbers.js';

/** What the generator flags give, as commander parses them. */
export interface GeneratorFlags {
  length?: string;
  upper?: boolean;
  lower?: boolean;
  digits?: boolean;
  symbols?: boolean;
  excludeAmbiguous?: boolean;
  passphrase?: boolean;
  words?: string;
  separator?: string;
  capitalize?: boolean;
  number?: boolean;
}

/** How a caller names each generator setting in its error messages. */
export interface GeneratorFlagNames {
  length: string;
  words: string;
  passphrase: string;
  excludeAmbiguous: string;
  separator: string;
  capitalize: string;
  number: string;
  /** A character class left out. */
  dropped(name: CharacterClass): string;
}

/** The command line's names: the flags. */
const CLI_FLAG_NAMES: GeneratorFlagNames = {
  length: '--length',
  words: '--words',
  passphrase: '--passphrase',
  excludeAmbiguous: '--exclude-ambiguous',
  separator: '--separator',
  capitalize: '--capitalize',
  number: '--number',
  dropped: (name) => `--no-${name}`,
};

/** Adds the generator flags to `command`; `lengthDefault` says what a password's length is when `--length` is not given. */
export function addGeneratorOptions(command: Command, lengthDefault: string): Command {
  return command
    .option('-l, --length <n>', `password length, ${MIN_LENGTH} to ${MAX_LENGTH} (default: ${lengthDefault})`)
    .option('--no-upper', 'no upper-case letters')
    .option('--no-lower', 'no lower-case letters')
    .option('--no-digits', 'no digits')
    .option('--no-symbols', 'no symbols')
    .option('--exclude-ambiguous', `leave out look-alike characters (${[...AMBIGUOUS_CHARACTERS].join(' ')})`)
    .option('--passphrase', `a passphrase of ${DEFAULT_WORDS} words from the EFF large word list instead of a password`)
    .option('--words <n>', `a passphrase of this many words, ${MIN_WORDS} to ${MAX_WORDS}`)
    .option('--separator <text>', 'between passphrase words (default: -)')
    .option('--capitalize', 'capitalise each passphrase word')
    .option('--number', 'append a random digit to one passphrase word');
}

/**
 * The generator settings the flags give, `undefined` when none was given: a passphrase
 * when `--passphrase` or `--words` is given, else a password. Only what was given is
 * set (the generator fills the defaults), so `credential rotate` remembers no more than
 * was asked for. A flag of the other mode, or a number out of its bounds, is a usage
 * error naming the setting as `names` spell it.
 */
export function generatorSettings(flags: GeneratorFlags, names: GeneratorFlagNames = CLI_FLAG_NAMES): GeneratorSettings | undefined {
  const passphrase = flags.passphrase === true || flags.words !== undefined;
  // Commander sets every `--no-<class>` to true unless it is given.
  const dropped = CLASS_NAMES.filter((name) => flags[name] === false);
  const passwordFlags: ReadonlyArray<readonly [string, boolean]> = [
    [names.length, flags.length !== undefined],
    ...dropped.map((name) => [names.dropped(name), true] as const),
    [names.excludeAmbiguous, flags.excludeAmbiguous === true],
  ];
  const passphraseFlags: ReadonlyArray<readonly [string, boolean]> = [
    [names.separator, flags.separator !== undefined],
    [names.capitalize, flags.capitalize === true],
    [names.number, flags.number === true],
  ];
  const wrong = (passphrase ? passwordFlags : passphraseFlags).find(([, given]) => given);
  if (wrong && passphrase) throw new UsageError(`${wrong[0]} applies to passwords, not passphrases`);
  if (wrong) throw new UsageError(`${wrong[0]} applies to passphrases`, `add ${names.words} N or ${names.passphrase}`);
  const settings: GeneratorSettings = {};
  if (passphrase) {
    settings.words = flags.words === undefined ? DEFAULT_WORDS : wholeNumber(flags.words, names.words, MIN_WORDS, MAX_WORDS);
    if (flags.separator !== undefined) settings.separator = flags.separator;
    if (flags.capitalize === true) settings.capitalize = true;
    if (flags.number === true) settings.number = true;
  } else {
    if (flags.length !== undefined) settings.length = wholeNumber(flags.length, names.length, MIN_LENGTH, MAX_LENGTH);
    if (dropped.length > 0) settings.classes = CLASS_NAMES.filter((name) => !dropped.includes(name));
    if (flags.excludeAmbiguous === true) settings.excludeAmbiguous = true;
  }
  return Object.keys(settings).length > 0 ? settings : undefined;
}
