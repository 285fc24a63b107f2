/**
 * `store migrate`: copy a whole store to another backend (app/migrate.ts).
 */
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { openStore, resolveStoreLocation } from '../../store/open.js';
import { Context } from '../context.js';
import { examples, type Deps } from '../command-kit.js';
import { notice, printJson } from '../render.js';

interface MigrateOptions {
  from: string;
  to: string;
}

export function registerStore(program: Command, { io }: Deps): void {
  const store = program.command('store').description('the store as a whole: move it to another backend');
  const migrate = store
    .command('migrate')
    .description('copy a whole store into a new, empty one on any backend (directory or postgres://…), then verify the copy; tokens and the passphrase keep working (owner only)')
    .requiredOption('--from <store>', 'the store to copy: a directory or a postgres:// URL')
    .requiredOption('--to <store>', 'the new, empty store: a directory or a postgres:// URL')
    .action((options: MigrateOptions, cmd: Command) => runMigrate(Context.of(io, cmd), options));
  examples(migrate, [
    "agent-vault store migrate --from ~/.local/share/agent-vault --to 'postgres:///vaults?host=/run/postgresql'",
    "agent-vault store migrate --from 'postgres://vault@db.internal/vaults' --to ./vault-copy --passphrase-file ./owner.pass --json",
  ]);
}

export async function runMigrate(ctx: Context, options: MigrateOptions): Promise<void> {
  if (ctx.io.env.AGENT_VAULT_TOKEN || ctx.options.tokenFile || ctx.io.env.AGENT_VAULT_TOKEN_FILE) {
    throw new UsageError('store migrate needs the owner passphrase, not an agent token', 'unset AGENT_VAULT_TOKEN and give the passphrase');
  }
  const from = openStore(resolveStoreLocation(options.from, {}), ctx.io.env);
  const to = openStore(resolveStoreLocation(options.to, {}), ctx.io.env);
  const passphrase = async (): Promise<string> => {
    const given = await ctx.givenPassphrase();
    if (given !== undefined) return given;
    if (ctx.io.canPrompt()) return (await ctx.io.prompter()).password('Owner passphrase');
    throw new UsageError('the owner passphrase is needed and there is no terminal to ask on', 'pass --passphrase-file F or --passphrase-stdin, or set AGENT_VAULT_PASSPHRASE_FILE');
  };
  const { migrateStore } = await import('../../app/migrate.js');
  const result = await migrateStore(from, to, passphrase, () => ctx.io.now(), (message) => ctx.warn(message));
  if (ctx.mode.json) printJson(ctx.io, { from: result.from, to: result.to, agents: result.agents, objects: result.objects, audit_logs: result.logs });
  else notice(ctx.io, ctx.mode, `copied ${result.agents.length} vaults, ${result.objects} objects and ${result.logs} audit logs from ${result.from} to ${result.to}, and verified the copy`);
}
