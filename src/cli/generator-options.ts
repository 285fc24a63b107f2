/**
 * The password and passphrase flags of the generator, shared by `generate` and
 * `credential rotate`, so both spell and describe them alike.
 */
import type { Command } from 'commander';
import { AMBIGUOUS_CHARACTERS, DEFAULT_WORDS, MAX_LENGTH, MAX_WORDS } from '../core/generator.js';

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

/** Adds the generator flags to `command`; `lengthDefault` says what a password's length is when `--length` is not given. */
export function addGeneratorOptions(command: Command, lengthDefault: string): Command {
  return command
    .option('-l, --length <n>', `password length, 4 to ${MAX_LENGTH} (default: ${lengthDefault})`)
    .option('--no-upper', 'no upper-case letters')
    .option('--no-lower', 'no lower-case letters')
    .option('--no-digits', 'no digits')
    .option('--no-symbols', 'no symbols')
    .option('--exclude-ambiguous', `leave out look-alike characters (${[...AMBIGUOUS_CHARACTERS].join(' ')})`)
    .option('--passphrase', `a passphrase of ${DEFAULT_WORDS} words from the EFF large word list instead of a password`)
    .option('--words <n>', `a passphrase of this many words, 3 to ${MAX_WORDS}`)
    .option('--separator <text>', 'between passphrase words (default: -)')
    .option('--capitalize', 'capitalise each passphrase word')
    .option('--number', 'append a random digit to one passphrase word');
}
