/**
 * What `generate` does, apart from its commander registration (generate.ts). Without
 * `--save` it prints through generate-value.ts, as the fast form of a bare `generate`
 * (cli/fast-path.ts, cli/generate-main.ts) does.
 */
import { UsageError } from '../../core/errors.js';
import { checkCredentialKey } from '../../core/ids.js';
import { setSecrets, updateTyped } from '../../app/credentials.js';
import type { Context } from '../context.js';
import { generatorSettings, type GeneratorFlags } from '../generator-options.js';
import { notice, printJson } from '../render.js';
import { generateValue, printGenerated, reportedBits } from './generate-value.js';

export interface GenerateOptions extends GeneratorFlags {
  upper: boolean;
  lower: boolean;
  digits: boolean;
  symbols: boolean;
  save?: string;
  field?: string;
}

export async function runGenerate(ctx: Context, options: GenerateOptions): Promise<void> {
  const settings = generatorSettings(options);
  if (options.field !== undefined && options.save === undefined) throw new UsageError('--field needs --save KEY');
  if (options.save !== undefined) checkCredentialKey(options.save);
  if (options.save === undefined) return printGenerated(ctx.io, ctx.mode, settings);
  const passphrase = settings?.words !== undefined;
  const { value, bits } = await generateValue(settings);
  const entropyBits = reportedBits(bits);
  const key = options.save;
  const session = await ctx.session();
  const agent = ctx.agent(session);
  const field = options.field;
  const id = field === undefined ? (await setSecrets(session, agent, [[key, value]]))[0]!.id : (await updateTyped(session, agent, key, { fields: { [field]: value } })).id;
  // The value itself is never printed when saving: it goes straight into the vault.
  if (ctx.mode.json) printJson(ctx.io, { agent, id, key, ...(field === undefined ? {} : { field }), entropy_bits: entropyBits });
  else notice(ctx.io, ctx.mode, `generated a ${passphrase ? 'passphrase' : 'password'} (${entropyBits} bits) and saved it as ${key}${field === undefined ? '' : ` (${field})`} in the vault of ${agent}`);
}
