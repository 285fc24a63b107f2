import type { Command } from 'commander';
import { AuthError } from '../../core/errors.js';
import { checkAgentId } from '../../core/ids.js';
import type { Session } from '../../app/session.js';
import { Context } from '../context.js';
import { examples, type Deps } from '../program.js';
import { printJson, printTable } from '../render.js';

interface AgentStatus {
  agent: string;
  provisioned: boolean;
  created?: string;
  updated?: string;
  /** Known only when the caller can unlock the vault without being asked. */
  credentials?: number;
}

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

/**
 * Counting credentials needs a key, but status never prompts: it counts with a token for
 * that agent, or with a passphrase given without a terminal; otherwise it leaves the
 * count out.
 */
async function countCredentials(ctx: Context, session: Session, agent: string): Promise<number | undefined> {
  const canUnlock = session.isOwner()
    ? Boolean(ctx.options.passphraseFile ?? ctx.io.env.AGENT_VAULT_PASSPHRASE_FILE ?? ctx.io.passphraseFromEnv)
    : session.tokenAgent === agent;
  if (!canUnlock) return undefined;
  try {
    return (await session.unlock(agent)).payload.credentials.length;
  } catch (err) {
    if (err instanceof AuthError) return undefined;
    throw err;
  }
}

/** The caller's session, or the owner's when the token is malformed: status needs no proof. */
function statusSession(ctx: Context): Session {
  try {
    return ctx.session();
  } catch (err) {
    if (err instanceof AuthError) return ctx.tokenlessSession();
    throw err;
  }
}

export async function runStatus(ctx: Context, only: string | undefined): Promise<void> {
  const session = statusSession(ctx);
  const agents = only !== undefined ? [checkAgentId(only)] : session.files.listAgents();
  const rows: AgentStatus[] = [];
  for (const agent of agents) {
    if (!session.files.hasVault(agent)) {
      rows.push({ agent, provisioned: false });
      continue;
    }
    const { header } = session.files.readVault(agent);
    const credentials = await countCredentials(ctx, session, agent);
    rows.push({ agent, provisioned: true, created: header.created, updated: header.updated, ...(credentials === undefined ? {} : { credentials }) });
  }
  if (ctx.mode.json) {
    printJson(ctx.io, only !== undefined ? rows[0] : rows);
    return;
  }
  if (rows.length === 0 && ctx.io.isStdoutTTY) {
    ctx.io.err('no agents provisioned yet: agent-vault provision <agent>\n');
    return;
  }
  await printTable(ctx.io, ctx.mode, rows, [
    { header: 'AGENT', value: (r) => r.agent },
    { header: 'PROVISIONED', value: (r) => (r.provisioned ? 'yes' : 'no') },
    { header: 'CREATED', value: (r) => r.created ?? '' },
    { header: 'UPDATED', value: (r) => r.updated ?? '' },
    { header: 'CREDENTIALS', value: (r) => (r.credentials === undefined ? '' : String(r.credentials)) },
  ]);
}
