import type { Command } from 'commander';
import { requireCredential } from '../../../core/vault.js';
import { deleteTyped } from '../../../app/credentials.js';
import { Context } from '../../context.js';
import { examples, type Deps } from '../../command-kit.js';
import { notice, printJson } from '../../render.js';

export function registerDelete(credential: Command, { io }: Deps): void {
  const command = credential
    .command('delete')
    .alias('rm')
    .description('delete a credential (and every grant of it)')
    .argument('<KEY|id>', 'the credential key or id')
    .action((key: string, _options: unknown, cmd: Command) => runDelete(Context.of(io, cmd), key));
  examples(command, ['agent-vault credential delete OLD_KEY            # asks first', 'agent-vault credential delete OLD_KEY --yes      # in scripts']);
}

export async function runDelete(ctx: Context, keyOrId: string): Promise<void> {
  const session = await ctx.session();
  const agent = ctx.agent(session);
  await ctx.confirm(async () => {
    const credential = requireCredential((await session.unlock(agent)).payload, keyOrId);
    return `delete ${credential.type} ${credential.key} from the vault of ${agent}`;
  });
  const deleted = await deleteTyped(session, agent, keyOrId);
  if (ctx.mode.json) printJson(ctx.io, { agent, id: deleted.id, key: deleted.key, deleted: true });
  else notice(ctx.io, ctx.mode, `deleted ${deleted.key} from the vault of ${agent}`);
}
