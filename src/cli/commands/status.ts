import type { Command } from 'commander';
import { checkAgentId } from '../../core/ids.js';
import { storeStatus, type AgentStatus } from '../../app/store-admin.js';
import { Context } from '../context.js';
import { examples, type Deps } from '../command-kit.js';
import { notice, printJson, printTable } from '../render.js';

export function registerStatus(program: Command, { io }: Deps): void {
  const command = program
    .command('status')
    .description('show whether agents are provisioned, when their vaults changed, and how many credentials they hold')
    .argument('[agent]', 'one agent (default: all)')
    .action((agent: string | undefined, _options: unknown, cmd: Command) => runStatus(Context.of(io, cmd), agent));
  examples(command, [
    'agent-vault status',
    'agent-vault status ci-bot --json   # {"agent": "ci-bot", "provisioned": true, …}',
    'agent-vault status ci-bot --json | jq -e .provisioned >/dev/null || agent-vault provision ci-bot',
  ]);
}

/** A row as `--json` prints it: `credentials` is an array of credentials everywhere else, so the count is `credential_count`. */
function statusJson({ credentials, ...row }: AgentStatus): Record<string, unknown> {
  return credentials === undefined ? row : { ...row, credential_count: credentials };
}

/**
 * Counting credentials needs a key, but status never prompts: it counts with a token for
 * that agent, or with a passphrase given without a terminal; otherwise it leaves the
 * count out. A malformed token does not stop it either: status needs no proof.
 */
export async function runStatus(ctx: Context, only: string | undefined): Promise<void> {
  const session = await ctx.session({ noProof: true });
  const mayCount = (agent: string): boolean => (session.isOwner() ? ctx.hasPassphraseWithoutAsking() : session.tokenAgent === agent);
  const rows = await storeStatus(session, only === undefined ? undefined : checkAgentId(only), mayCount);
  const owner = ctx.io.sessionFromEnv ? await (await import('../owner-session.js')).describeSession(ctx.io, ctx.storeLocation) : undefined;
  if (owner && !ctx.mode.json) {
    notice(ctx.io, ctx.mode, owner.live ? `owner session ${owner.id}: live until ${owner.expires}` : `owner session ${owner.id}: not live (${owner.reason})`);
  }
  if (ctx.mode.json) {
    printJson(ctx.io, only !== undefined ? statusJson(rows[0]!) : rows.map(statusJson));
    return;
  }
  if (rows.length === 0 && ctx.io.isStdoutTTY) {
    ctx.io.err('no agents provisioned yet: agent-vault provision <agent>\n');
    return;
  }
  await printTable(ctx.io, ctx.mode, rows, [
    { header: 'AGENT', value: (r) => r.agent },
    { header: 'PROVISIONED', value: (r) => (r.provisioned ? 'yes' : 'no') },
    { header: 'CREATED', value: (r) => r.created ?? '', time: true },
    { header: 'UPDATED', value: (r) => r.updated ?? '', time: true },
    { header: 'CREDENTIALS', value: (r) => (r.damaged ? 'damaged' : r.credentials === undefined ? '' : String(r.credentials)), red: (r) => r.damaged === true },
    // Last, and only when counted (with the credentials), so the lines of a status without a key keep their columns.
    ...(rows.some((r) => r.credentials_due !== undefined) ? [{ header: 'DUE', value: (r: AgentStatus) => (r.credentials_due === undefined ? '' : String(r.credentials_due)), red: (r: AgentStatus) => (r.credentials_due ?? 0) > 0 }] : []),
  ]);
}
