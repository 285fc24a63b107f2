import { Option, type Command } from 'commander';
import { Context } from '../context.js';
import { examples, type Deps } from '../command-kit.js';
import { notice } from '../render.js';

/** app/export.ts's formats, named here so that registering the command loads nothing of the export. */
const FORMATS = ['json', 'dotenv'] as const;

interface ExportOptions {
  format: (typeof FORMATS)[number];
}

export function registerExport(program: Command, { io }: Deps): void {
  const command = program
    .command('export')
    .description('print every credential of a vault, secrets included, to stdout (owner only; asks first)')
    .addOption(new Option('--format <format>', 'json: everything, TOTP secrets included, for import json; dotenv: the variables exec would set').choices(FORMATS).default('json'))
    .action((options: ExportOptions, cmd: Command) => runExport(Context.of(io, cmd), options));
  examples(command, [
    'agent-vault export --agent researcher > researcher.json      # asks first',
    'agent-vault export --agent researcher --format dotenv --yes > .env',
    'agent-vault export --agent old --yes | agent-vault import json - --agent new',
  ]);
}

export async function runExport(ctx: Context, options: ExportOptions): Promise<void> {
  const session = await ctx.session({ owner: 'exporting a vault' });
  const agent = ctx.agent(session);
  // Every secret leaves the vault in the clear: asked first, and off a terminal only with --yes.
  await ctx.confirm(async () => `print every secret of the vault of ${agent} to stdout`);
  const { exportVault } = await import('../../app/export.js');
  const { text, lossy } = await exportVault(session, agent, options.format);
  ctx.io.out(text);
  if (lossy) notice(ctx.io, ctx.mode, 'dotenv keeps only the values exec would set: types, names, tags, URIs and TOTP secrets are left out; --format json keeps them');
}
