import type { Command } from 'commander';
import { Option } from 'commander';
import { CREDENTIAL_TYPES } from '../../../core/credential.js';
import { Context } from '../../context.js';
import { examples, type Deps } from '../../command-kit.js';
import { runList, type ListOptions } from './list-run.js';

export function registerList(credential: Command, { io }: Deps): void {
  const list = credential
    .command('list')
    .alias('ls')
    .description('list credentials: keys, names, types and update times, values masked')
    .option('--reveal', 'show the main secret values')
    .addOption(new Option('-t, --type <type>', 'only this type').choices(CREDENTIAL_TYPES))
    .action((options: ListOptions, cmd: Command) => runList(Context.of(io, cmd), undefined, options));
  examples(list, ['agent-vault credential list --agent researcher', 'agent-vault credential list --type login --json', 'agent-vault credential list | cut -f1   # keys only']);

  const search = credential
    .command('search')
    .description('find credentials by key, name, username, URI or tag (never by value); the owner without --agent searches every vault')
    .argument('<query>', 'case-insensitive text')
    .option('--reveal', 'show the main secret values')
    .addOption(new Option('-t, --type <type>', 'only this type').choices(CREDENTIAL_TYPES))
    .action((query: string, options: ListOptions, cmd: Command) => runList(Context.of(io, cmd), query, options));
  examples(search, [
    'agent-vault credential search github              # the owner: every vault, with an AGENT column',
    'agent-vault credential search prod --agent ci-bot --json',
    'AGENT_VAULT_TOKEN_FILE=bot.token agent-vault credential search github   # an agent: its vault and its grants',
  ]);
}
