import type { Command } from 'commander';
import { join } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { rotateToken } from '../../app/agents.js';
import { reserveNewFile, type ReservedFile } from '../../store/atomic.js';
import { writeTokenFile } from './provision.js';
import { makeParents } from '../../store/fs-ops.js';
import { Context } from '../context.js';
import { examples, type Deps } from '../command-kit.js';
import { notice, printJson } from '../render.js';

interface RekeyOptions {
  tokens?: boolean;
  tokenDir?: string;
}

export function registerRekey(program: Command, { io }: Deps): void {
  const command = program
    .command('rekey')
    .description("replace the owner's root key (owner slots, key certificates, the store log's key); --tokens also replaces every agent's token")
    .option('--tokens', "also replace every agent's vault key and token, as token rotate does, the grants between agents sealed again")
    .option('--token-dir <dir>', 'with --tokens: write each new token to <dir>/<agent>.token (0600, created new)')
    .action((options: RekeyOptions, cmd: Command) => runRekey(Context.of(io, cmd), options));
  examples(command, [
    'agent-vault rekey',
    'agent-vault rekey --tokens --token-dir ./new-tokens      # ./new-tokens/<agent>.token, one per agent',
    'agent-vault rekey --tokens --json | jq -r .tokens.ci-bot',
  ]);
  command.addHelpText(
    'after',
    [
      '',
      'After a leak, in this order:',
      '  1. agent-vault passwd              a new passphrase: the old one no longer opens the store',
      '  2. agent-vault rekey               a new root key: what the old passphrase unwrapped opens nothing new',
      '  3. agent-vault rekey --tokens      new vault keys and tokens: hand the new tokens to the agents',
      'The passphrase and (without --tokens) every token and grant keep working. A rekey stopped',
      'part-way (a crash) is finished by the next owner command, or by running rekey again.',
    ].join('\n'),
  );
}

export async function runRekey(ctx: Context, options: RekeyOptions): Promise<void> {
  if (options.tokenDir !== undefined && !options.tokens) throw new UsageError('--token-dir goes with --tokens');
  // Decided before anything changes: new tokens that go nowhere would lock every agent out.
  if (options.tokens && options.tokenDir === undefined && !ctx.mode.json) {
    throw new UsageError('rekey --tokens needs somewhere to put the new tokens, nothing was changed', 'pass --token-dir DIR, or --json to print them on stdout');
  }
  const session = await ctx.session({ owner: 'replacing the root key' });
  const { rekeyStore } = await import('../../app/owner-lifecycle.js');
  await rekeyStore(session);
  if (!options.tokens) {
    if (ctx.mode.json) printJson(ctx.io, { rekeyed: true });
    else notice(ctx.io, ctx.mode, 'replaced the root key; the passphrase, tokens and grants keep working');
    return;
  }
  const agents = await session.listAgents();
  // Every file is made before any token is issued, so no token is issued that cannot be written.
  const reserved = new Map<string, ReservedFile>();
  if (options.tokenDir !== undefined) {
    try {
      makeParents(options.tokenDir);
      for (const agent of agents) reserved.set(agent, reserveNewFile(join(options.tokenDir, `${agent}.token`)));
    } catch (err) {
      for (const file of reserved.values()) file.discard();
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(`cannot create the token files in ${options.tokenDir}: ${code === 'EEXIST' ? 'one already exists' : (code ?? 'error')}; the root key was replaced, no token was`, 'choose a new, empty directory and run agent-vault rekey --tokens again');
    }
  }
  const tokens: Record<string, string> = {};
  try {
    for (const agent of agents) {
      const token = await rotateToken(session, agent, { keepGrantsGiven: true });
      const file = reserved.get(agent);
      if (file) {
        reserved.delete(agent);
        writeTokenFile(ctx, file, agent, token, join(options.tokenDir!, `${agent}.token`));
      } else {
        tokens[agent] = token;
      }
    }
  } catch (err) {
    for (const file of reserved.values()) file.discard();
    if (ctx.mode.json && Object.keys(tokens).length > 0) printJson(ctx.io, { tokens, complete: false });
    throw err;
  }
  if (ctx.mode.json) printJson(ctx.io, options.tokenDir === undefined ? { tokens } : { token_dir: options.tokenDir, agents });
  else notice(ctx.io, ctx.mode, `replaced the root key and the tokens of ${agents.length} agent(s); the new tokens are in ${options.tokenDir}`);
}
