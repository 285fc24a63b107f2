import type { Command } from 'commander';
import { parseDuration } from '../../core/duration.js';
import { UsageError } from '../../core/errors.js';
import { checkAgentId } from '../../core/ids.js';
import { createGrant, listGrants, revokeGrant } from '../../app/grants.js';
import { Context } from '../context.js';
import { examples, type Deps } from '../command-kit.js';
import { notice, printJson, printTable } from '../render.js';

interface GrantOptions {
  to?: string;
  expires?: string;
}

export function registerGrant(program: Command, { io }: Deps): void {
  const grant = program
    .command('grant')
    .description("let another agent read one credential of this vault (a copy sealed to that agent's key)")
    .argument('<KEY|id>', 'the credential to grant')
    // Not a required option: commander would then demand it of `grant list` too.
    .option('--to <agent>', 'the agent that may read it (required)')
    .option('--expires <duration>', 'end the grant after this long: a number and s, m, h, d or w (e.g. 7d)')
    .action((key: string, options: GrantOptions, cmd: Command) => runGrant(Context.of(io, cmd), key, options));
  examples(grant, [
    'agent-vault grant OPENAI_API_KEY --to summariser --agent researcher',
    'agent-vault grant GITHUB --to ci-bot --agent researcher --expires 7d',
    'agent-vault credential get OPENAI_API_KEY --agent researcher --token-file summariser.token',
  ]);

  const list = grant
    .command('list')
    .alias('ls')
    .description('list live grants: the owner sees all (or those of --agent), an agent those it gave and received')
    .action((_options: unknown, cmd: Command) => runGrantList(Context.of(io, cmd)));
  examples(list, ['agent-vault grant list', 'agent-vault grant list --agent researcher --json']);

  const revoke = grant
    .command('revoke')
    .description('end a grant: the sealed copy is deleted at once')
    .argument('<KEY|id>', 'the granted credential')
    .option('--to <agent>', 'the agent it was granted to (required)')
    // `grant` also has --to, and commander gives it to the parent: read both.
    .action((key: string, _options: unknown, cmd: Command) => runRevoke(Context.of(io, cmd), key, cmd.optsWithGlobals<{ to?: string }>().to));
  examples(revoke, [
    'agent-vault grant revoke OPENAI_API_KEY --to summariser --agent researcher',
    'agent-vault grant revoke OPENAI_API_KEY --to summariser --token-file researcher.token',
  ]);
}

function grantee(to: string | undefined): string {
  if (to === undefined) throw new UsageError('no grantee given', 'name it with --to <agent>');
  return checkAgentId(to);
}

export async function runGrant(ctx: Context, keyOrId: string, options: GrantOptions): Promise<void> {
  const to = grantee(options.to);
  const expiresIn = options.expires === undefined ? undefined : parseDuration(options.expires);
  const session = await ctx.session();
  const granter = ctx.agent(session);
  const record = await createGrant(session, granter, keyOrId, to, expiresIn);
  if (ctx.mode.json) printJson(ctx.io, { granter, grantee: to, key: record.key, created: record.created, expires: record.expires ?? null });
  else notice(ctx.io, ctx.mode, `granted ${record.key} of agent ${granter} to agent ${to}${record.expires ? ` until ${record.expires}` : ''}`);
}

export async function runGrantList(ctx: Context): Promise<void> {
  const session = await ctx.session();
  const only = ctx.options.agent === undefined ? undefined : checkAgentId(ctx.options.agent);
  const rows = await listGrants(session, only);
  if (ctx.mode.json) {
    printJson(ctx.io, rows);
    return;
  }
  if (rows.length === 0 && ctx.io.isStdoutTTY) {
    ctx.io.err('no grants\n');
    return;
  }
  await printTable(ctx.io, ctx.mode, rows, [
    { header: 'GRANTER', value: (r) => r.granter },
    { header: 'GRANTEE', value: (r) => r.grantee },
    { header: 'KEY', value: (r) => r.key },
    { header: 'CREATED', value: (r) => r.created, time: true },
    { header: 'EXPIRES', value: (r) => r.expires ?? 'never', time: true },
  ]);
}

export async function runRevoke(ctx: Context, keyOrId: string, to: string | undefined): Promise<void> {
  const revokedFrom = grantee(to);
  const session = await ctx.session();
  const granter = ctx.agent(session);
  const { key } = await revokeGrant(session, granter, keyOrId, revokedFrom);
  if (ctx.mode.json) printJson(ctx.io, { granter, grantee: revokedFrom, key, revoked: true });
  else notice(ctx.io, ctx.mode, `revoked the grant of ${keyOrId} of agent ${granter} to agent ${revokedFrom}`);
}
