/**
 * What `generate` does, apart from its commander registration (generate.ts), so that
 * the fast path (cli/fast-path.ts) can run a bare `generate` without loading commander.
 */
import { UsageError } from '../../core/errors.js';
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
import { checkCredentialKey } from '../../core/ids.js';
import type { GeneratorSettings } from '../../core/policy.js';
import { setSecrets, updateTyped } from '../../app/credentials.js';
import type { Context } from '../context.js';
import { generatorSettings, type GeneratorFlags } from '../generator-options.js';
import { notice, printJson, printValue } from '../render.js';

export interface GenerateOptions extends GeneratorFlags {
  upper: boolean;
  lower: boolean;
  digits: boolean;
  symbols: boolean;
  save?: string;
  field?: string;
}

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

export async function runGenerate(ctx: Context, options: GenerateOptions): Promise<void> {
  const settings = generatorSettings(options);
  if (options.field !== undefined && options.save === undefined) throw new UsageError('--field needs --save KEY');
  if (options.save !== undefined) checkCredentialKey(options.save);
  const passphrase = settings?.words !== undefined;
  const { value, bits } = await generateValue(settings);
  const entropyBits = Math.round(bits * 100) / 100;
  if (options.save === undefined) {
    if (ctx.mode.json) printJson(ctx.io, { password: value, entropy_bits: entropyBits });
    else printValue(ctx.io, value);
    return;
  }
  const key = options.save;
  const session = await ctx.session();
  const agent = ctx.agent(session);
  const field = options.field;
  const id = field === undefined ? (await setSecrets(session, agent, [[key, value]]))[0]!.id : (await updateTyped(session, agent, key, { fields: { [field]: value } })).id;
  // The value itself is never printed when saving: it goes straight into the vault.
  if (ctx.mode.json) printJson(ctx.io, { agent, id, key, ...(field === undefined ? {} : { field }), entropy_bits: entropyBits });
  else notice(ctx.io, ctx.mode, `generated a ${passphrase ? 'passphrase' : 'password'} (${entropyBits} bits) and saved it as ${key}${field === undefined ? '' : ` (${field})`} in the vault of ${agent}`);
}
