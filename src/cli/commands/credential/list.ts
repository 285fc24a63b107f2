import type { Command } from 'commander';
import { Option } from 'commander';
import { CREDENTIAL_TYPES, checkCredentialType, mainField, toPublicJson, type Credential } from '../../../core/credential.js';
import { listVault, type ListedCredential } from '../../../app/credentials.js';
import { Context } from '../../context.js';
import { examples, type Deps } from '../../command-kit.js';
import { printJson, printTable } from '../../render.js';

interface ListOptions {
  reveal?: boolean;
  type?: string;
}

const MASK = '********';

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
    .description('find credentials by key, name, username, URI or tag (never by value)')
    .argument('<query>', 'case-insensitive text')
    .option('--reveal', 'show the main secret values')
    .addOption(new Option('-t, --type <type>', 'only this type').choices(CREDENTIAL_TYPES))
    .action((query: string, options: ListOptions, cmd: Command) => runList(Context.of(io, cmd), query, options));
  examples(search, ['agent-vault credential search github', 'agent-vault credential search prod --json']);
}

export async function runList(ctx: Context, query: string | undefined, options: ListOptions): Promise<void> {
  const session = await ctx.session();
  const agent = ctx.agent(session);
  const reveal = options.reveal === true;
  const credentials = await listVault(session, agent, {
    ...(options.type === undefined ? {} : { type: checkCredentialType(options.type) }),
    ...(query === undefined ? {} : { query }),
    reveal,
  });
  if (ctx.mode.json) {
    printJson(ctx.io, credentials.map((c) => ({ agent, ...toPublicJson(c, { secrets: reveal, revealTotp: false }), ...(c.grantedBy ? { granted_by: c.grantedBy } : {}) })));
    return;
  }
  if (credentials.length === 0 && ctx.io.isStdoutTTY) {
    ctx.io.err(query === undefined ? `no credentials in the vault of ${agent}\n` : `nothing matches ${JSON.stringify(query)}\n`);
    return;
  }
  const policyText = (c: Credential): string =>
    [c.policy?.rotateEvery === undefined ? '' : `rotate every ${c.policy.rotateEvery}`, c.policy?.expires === undefined ? '' : `expires ${c.policy.expires}`].filter((t) => t !== '').join(', ');
  const value = (c: Credential): string => (reveal ? (c.fields[mainField(c)] ?? '') : c.fields[mainField(c)] === undefined ? '' : MASK);
  await printTable(ctx.io, ctx.mode, credentials, [
    { header: 'KEY', value: (c) => c.key },
    { header: 'NAME', value: (c) => c.name },
    { header: 'TYPE', value: (c) => c.type },
    { header: 'UPDATED', value: (c) => c.updated, time: true },
    // Piped, a column of asterisks only gets in the way of cut and awk: values appear there only with --reveal.
    ...(reveal || ctx.io.isStdoutTTY ? [{ header: 'VALUE', value }] : []),
    { header: 'GRANTED BY', value: (c: ListedCredential) => c.grantedBy ?? '' },
    // Only when a credential has a policy, so the lines of a vault without any keep their columns.
    ...(credentials.some((c) => c.policy !== undefined) ? [{ header: 'POLICY', value: policyText }] : []),
  ]);
}
