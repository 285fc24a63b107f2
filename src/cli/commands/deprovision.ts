import type { Command } from 'commander';
import { checkAgentId } from '../../core/ids.js';
import { deprovisionAgent } from '../../app/agents.js';
import { Context } from '../context.js';
import { examples, type Deps } from '../command-kit.js';
import { notice, printJson } from '../render.js';

export function registerDeprovision(program: Command, { io }: Deps): void {
  const command = program
    .command('deprovision')
    .description("delete an agent's vault and every credential in it; its token stops working")
    .argument('<agent>', 'the agent to remove')
    .action((agent: string, _options: unknown, cmd: Command) => runDeprovision(Context.of(io, cmd), agent));
  examples(command, ['agent-vault deprovision old-bot          # asks first', 'agent-vault deprovision old-bot --yes    # in scripts']);
}

export async function runDeprovision(ctx: Context, agent: string): Promise<void> {
  checkAgentId(agent);
  const session = await ctx.session();
  session.requireOwner('deprovisioning an agent');
  await ctx.confirm(async () => {
    const { payload } = await session.unlock(agent);
    return `deprovision agent ${agent} and delete its ${payload.credentials.length} credential(s)`;
  });
  await deprovisionAgent(session, agent);
  if (ctx.mode.json) printJson(ctx.io, { agent, deprovisioned: true });
  else notice(ctx.io, ctx.mode, `deprovisioned agent ${agent}`);
}
