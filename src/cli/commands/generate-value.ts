/**
 * The generator's values and what a bare `generate` prints, apart from saving
 * (generate-run.ts): dist/generate.cjs (cli/generate-main.ts) runs a bare `generate`
 * from this module with none of the store's code, and `generate`, `credential rotate`,
 * the interactive `add` and the MCP `password_generate` tool draw their values here.
 */
import {
  CLASS_NAMES,
  DEFAULT_LENGTH,
  generatePassphrase,
  generatePassword,
  passphraseEntropyBits,
  passwordEntropyBits,
  type PassphraseOptions,
  type PasswordOptions,
} from '../../core/generator.js';
import type { GeneratorSettings } from '../../core/policy.js';
import { generatorSettings } from '../generator-options.js';
import type { IO } from '../io.js';
import { outputMode, printJson, printValue, type OutputMode } from '../render.js';

/**
 * A value from generator settings (`generate`'s flags, or the ones `credential rotate`
 * remembers): a passphrase when `words` is set, else a password; defaults fill the rest.
 */
export async function generateValue(settings: GeneratorSettings = {}): Promise<{ value: string; bits: number }> {
  if (settings.words !== undefined) {
    const options: PassphraseOptions = { words: settings.words, separator: settings.separator ?? '-', capitalize: settings.capitalize === true, number: settings.number === true };
    const { loadWordList } = await import('../../app/wordlist.js');
    const words = loadWordList();
    return { value: generatePassphrase(options, words), bits: passphraseEntropyBits(options, words.length) };
  }
  const options: PasswordOptions = { length: settings.length ?? DEFAULT_LENGTH, classes: settings.classes ?? CLASS_NAMES, excludeAmbiguous: settings.excludeAmbiguous === true };
  return { value: generatePassword(options), bits: passwordEntropyBits(options) };
}

/** Entropy as `generate` reports it: bits to two decimals. */
export function reportedBits(bits: number): number {
  return Math.round(bits * 100) / 100;
}

/** `generate` without `--save`: the value alone on stdout, or `{password, entropy_bits}` with `--json`. */
export async function printGenerated(io: IO, mode: OutputMode, settings: GeneratorSettings | undefined): Promise<void> {
  const { value, bits } = await generateValue(settings);
  if (mode.json) printJson(io, { password: value, entropy_bits: reportedBits(bits) });
  else printValue(io, value);
}

/**
 * A bare `generate`, the fast form (cli/fast-path.ts, and dist/generate.cjs through
 * cli/generate-main.ts): the flags as commander gives them when none is given, every
 * `--no-<class>` true, and the global options' defaults.
 */
export function runBareGenerate(io: IO, json: boolean): Promise<void> {
  return printGenerated(io, outputMode(io, { color: true, json }), generatorSettings({ upper: true, lower: true, digits: true, symbols: true }));
}
