import type { Command } from 'commander';
import { checkAgentId } from '../../core/ids.js';
import { rotateToken } from '../../app/agents.js';
import { Context } from '../context.js';
import { examples, type Deps } from '../command-kit.js';
import { issueToken } from './provision.js';

export function registerToken(program: Command, { io }: Deps): void {
  const token = program.command('token').description("manage agents' tokens");
  const rotate = token
    .command('rotate')
    .description('issue a new token for an agent; the old one stops working at once')
    .argument('<agent>', 'the agent')
    .action((agent: string, _options: unknown, cmd: Command) => runRotate(Context.of(io, cmd), agent));
  examples(rotate, ['agent-vault token rotate ci-bot', 'agent-vault token rotate ci-bot --token-file ./ci-bot.token']);
}

export async function runRotate(ctx: Context, agent: string): Promise<void> {
  checkAgentId(agent);
  const session = await ctx.session({ owner: 'rotating a token' });
  await issueToken(ctx, agent, () => rotateToken(session, agent));
}
