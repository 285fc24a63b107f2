import type { Command } from 'commander';
import { UsageError } from '../../../core/errors.js';
import { checkCredentialKey } from '../../../core/ids.js';
import { setSecrets } from '../../../app/credentials.js';
import { Context } from '../../context.js';
import { examples, type Deps } from '../../command-kit.js';
import { notice, printJson } from '../../render.js';
import { promptSecret, readSecretFromStdin, refuseEmpty, warnSecretInArguments } from '../../secret-input.js';

export function registerSet(credential: Command, { io }: Deps): void {
  const command = credential
    .command('set')
    .description('add or overwrite simple secrets (type api_key), or the main secret of an existing credential')
    .argument('<KEY=VALUE...>', 'KEY=VALUE, KEY=- to read the value from stdin (asked, masked, when stdin is a terminal), or KEY alone to be asked (masked)')
    .option('--allow-empty', 'store an empty value read from stdin or typed at the prompt (refused otherwise)')
    .action((pairs: string[], options: SetOptions, cmd: Command) => runSet(Context.of(io, cmd), pairs, options));
  examples(command, [
    'printf %s "$OPENAI_KEY" | agent-vault credential set OPENAI_API_KEY=- --agent researcher',
    'agent-vault credential set GITHUB_TOKEN --agent researcher      # asks, masked',
    'agent-vault credential set REGION=eu-west-1 LOG_LEVEL=debug -a researcher',
    'agent-vault credential set FEATURE_FLAG=- --allow-empty < /dev/null      # an empty value, on purpose',
  ]);
}

interface SetOptions {
  allowEmpty?: boolean;
}

export async function runSet(ctx: Context, args: string[], options: SetOptions = {}): Promise<void> {
  const parsed = args.map((arg) => {
    const eq = arg.indexOf('=');
    return eq < 0 ? { key: checkCredentialKey(arg), source: 'prompt' as const } : { key: checkCredentialKey(arg.slice(0, eq)), source: arg.slice(eq + 1) };
  });
  if (new Set(parsed.map((p) => p.key)).size !== parsed.length) throw new UsageError('a key is given twice');
  if (parsed.filter((p) => p.source === '-').length > 1) throw new UsageError('only one KEY=- can read stdin', 'set the others in another call');
  for (const { key, source } of parsed) if (source !== 'prompt' && source !== '-') warnSecretInArguments(ctx.io, ctx.mode, `the value of ${key}`, `${key}=- with the value on stdin, or ${key} alone to be asked`);
  const session = await ctx.session();
  const agent = ctx.agent(session);
  const pairs: Array<[string, string]> = [];
  for (const { key, source } of parsed) {
    if (source === 'prompt') pairs.push([key, refuseEmpty(await promptSecret(ctx.io, `Value of ${key}`, `${key}=- and the value on stdin`), `the value of ${key}`, options.allowEmpty)]);
    else if (source === '-') pairs.push([key, refuseEmpty(await readSecretFromStdin(ctx.io, `the value of ${key}`), `the value of ${key}`, options.allowEmpty)]);
    else pairs.push([key, source]);
  }
  const results = await setSecrets(session, agent, pairs);
  if (ctx.mode.json) printJson(ctx.io, results.map((r) => ({ agent, id: r.id, key: r.key, added: r.created })));
  else for (const r of results) notice(ctx.io, ctx.mode, `${r.created ? 'added' : 'updated'} ${r.key} in the vault of ${agent}`);
}
