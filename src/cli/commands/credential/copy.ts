import type { Command } from 'commander';
import { copyCredentialTo } from '../../../app/copy.js';
import { Context } from '../../context.js';
import { examples, type Deps } from '../../command-kit.js';
import { notice, printJson } from '../../render.js';

interface CopyOptions {
  toAgent?: string;
  force?: boolean;
}

export function registerCopy(credential: Command, { io }: Deps): void {
  const command = credential
    .command('copy')
    .alias('cp')
    .description('copy a credential whole (every field, the TOTP secret, notes, URIs, tags, policies) under a new key, in the same vault or (owner) another')
    .argument('<OLD>', 'the key or id of the credential to copy')
    .argument('<NEW>', 'the key of the copy')
    .option('--to-agent <id>', "put the copy in this agent's vault (owner only)")
    .option('--force', 'overwrite a credential NEW that exists (its history keeps the old values)')
    .action((from: string, to: string, options: CopyOptions, cmd: Command) => runCopy(Context.of(io, cmd), from, to, options));
  examples(command, [
    'agent-vault credential copy GITHUB GITHUB_BACKUP --agent researcher',
    'agent-vault credential copy GITHUB GITHUB --agent researcher --to-agent ci-bot',
    'AGENT_VAULT_TOKEN_FILE=bot.token agent-vault credential copy API_KEY API_KEY_OLD --force --json',
  ]);
}

export async function runCopy(ctx: Context, from: string, key: string, options: CopyOptions): Promise<void> {
  const session = await ctx.session();
  const agent = ctx.agent(session);
  const copied = await copyCredentialTo(session, agent, from, key, {
    ...(options.toAgent === undefined ? {} : { to: options.toAgent }),
    ...(options.force ? { force: true } : {}),
  });
  if (ctx.mode.json) printJson(ctx.io, { agent: copied.agent, from_agent: agent, id: copied.credential.id, key: copied.credential.key, from, replaced: copied.replaced });
  else notice(ctx.io, ctx.mode, `${copied.replaced ? 'overwrote' : 'copied'} ${from} of agent ${agent} to ${copied.credential.key}${copied.agent === agent ? '' : ` of agent ${copied.agent}`}`);
}
