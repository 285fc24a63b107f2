import type { Command } from 'commander';
import { checkReference, formatReference } from '../../core/reference.js';
import { resolveReferences } from '../../app/references.js';
import { Context } from '../context.js';
import { examples, type Deps } from '../command-kit.js';
import { printJson, printValue } from '../render.js';

interface ReadOptions {
  newline: boolean;
  reveal?: boolean;
}

export function registerRead(program: Command, { io }: Deps): void {
  const command = program
    .command('read')
    .description('print the one value an av://<agent>/<KEY>[/<field>] reference names, and nothing else')
    .argument('<reference>', 'av://<agent>/<KEY> (the main secret) or av://<agent>/<KEY>/<field>')
    .option('-n, --no-newline', 'no trailing newline')
    .option('--reveal', 'allow a reference to the TOTP secret (…/totp)')
    .action((reference: string, options: ReadOptions, cmd: Command) => runRead(Context.of(io, cmd), reference, options));
  examples(command, [
    'psql "postgres://app:$(agent-vault read av://web/DATABASE/password)@db/app"',
    'AGENT_VAULT_TOKEN_FILE=bot.token agent-vault read av://researcher/GITHUB/username',
    'agent-vault read av://web/STRIPE_KEY --json      # {"reference", "agent", "key", "field", "value"}',
  ]);
}

export async function runRead(ctx: Context, text: string, options: ReadOptions): Promise<void> {
  const reference = checkReference(text, 'the argument');
  const session = await ctx.session();
  const [value] = await resolveReferences(session, [reference], { reveal: options.reveal === true });
  if (ctx.mode.json) printJson(ctx.io, { reference: formatReference(reference), agent: reference.agent, key: reference.key, field: reference.field ?? null, value: value! });
  else printValue(ctx.io, value!, options.newline);
}
