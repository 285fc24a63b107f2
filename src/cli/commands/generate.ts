import { Option, type Command } from 'commander';
import { DEFAULT_LENGTH } from '../../core/generator.js';
import { Context } from '../context.js';
import { SECRET_FIELDS } from '../credential-fields.js';
import { addGeneratorOptions } from '../generator-options.js';
import { examples, type Deps } from '../command-kit.js';
import { runGenerate, type GenerateOptions } from './generate-run.js';

/** Fields a generated value may be saved into: the secret ones, but not a TOTP key. */
const SAVABLE_FIELDS = SECRET_FIELDS.filter((f) => f !== 'totp');

export function registerGenerate(program: Command, { io }: Deps): void {
  const command = program
    .command('generate')
    .description('generate a strong password or passphrase; --save stores it without printing it');
  addGeneratorOptions(command, String(DEFAULT_LENGTH))
    .option('--save <KEY>', 'store the value in the vault (as an api_key, or the --field of an existing credential) instead of printing it')
    .addOption(new Option('--field <field>', 'with --save: the field to store it in, e.g. password').choices(SAVABLE_FIELDS))
    .action((options: GenerateOptions, cmd: Command) => runGenerate(Context.of(io, cmd), options));
  examples(command, [
    'agent-vault generate                          # 24 characters, every class',
    'agent-vault generate -l 16 --no-symbols --exclude-ambiguous',
    'agent-vault generate --words 7 --separator " " --capitalize --number',
    'agent-vault generate --save DB_PASSWORD --agent ci-bot',
    'agent-vault generate --save GITHUB --field password --agent ci-bot   # a login\'s new password',
  ]);
}

