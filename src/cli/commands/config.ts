import type { Command } from 'commander';
import { SETTING_NAMES, checkSettingName, readSettings, settingsDir, writeSetting } from '../../store/settings.js';
import { Context } from '../context.js';
import { examples, type Deps } from '../command-kit.js';
import { notice, printJson, printTable } from '../render.js';

export function registerConfig(program: Command, { io }: Deps): void {
  const config = program.command('config').description(`non-secret preferences: ${SETTING_NAMES.join(', ')}`);
  examples(config, ['agent-vault config set default-agent researcher', 'agent-vault config get default-agent', 'agent-vault config unset default-store']);
  const get = config
    .command('get')
    .description('print one setting, or all')
    .argument('[name]', SETTING_NAMES.join(' | '))
    .action((name: string | undefined, _options: unknown, cmd: Command) => runConfigGet(Context.of(io, cmd), name));
  examples(get, ['agent-vault config get', 'agent-vault config get default-agent', 'agent-vault config get --json']);
  const list = config
    .command('list')
    .description('print every setting (as `config get` with no name)')
    .action((_options: unknown, cmd: Command) => runConfigGet(Context.of(io, cmd), undefined));
  examples(list, ['agent-vault config list', 'agent-vault config list --json   # {"default-agent": "researcher", …}']);
  const set = config
    .command('set')
    .description('change a setting')
    .argument('<name>', SETTING_NAMES.join(' | '))
    .argument('<value>', 'the new value')
    .action(async (name: string, value: string, _options: unknown, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      await writeSetting(ctx.io.env, checkSettingName(name), value);
      // --json prints the setting as `config get NAME --json` does.
      if (ctx.mode.json) printJson(ctx.io, { [name]: readSettings(ctx.io.env)[checkSettingName(name)] ?? null });
      else notice(ctx.io, ctx.mode, `${name} = ${value} (in ${settingsDir(ctx.io.env)})`);
    });
  examples(set, ['agent-vault config set default-agent researcher', 'agent-vault config set default-store ~/vaults/work']);
  const unset = config
    .command('unset')
    .description('remove a setting')
    .argument('<name>', SETTING_NAMES.join(' | '))
    .action(async (name: string, _options: unknown, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      await writeSetting(ctx.io.env, checkSettingName(name), undefined);
      if (ctx.mode.json) printJson(ctx.io, { [name]: null });
      else notice(ctx.io, ctx.mode, `${name} removed`);
    });
  examples(unset, ['agent-vault config unset default-agent', 'agent-vault config unset default-store']);
}

export async function runConfigGet(ctx: Context, name: string | undefined): Promise<void> {
  const settings = readSettings(ctx.io.env);
  if (name !== undefined) {
    const value = settings[checkSettingName(name)];
    if (ctx.mode.json) printJson(ctx.io, { [name]: value ?? null });
    else if (value !== undefined) ctx.io.out(`${value}\n`);
    return;
  }
  if (ctx.mode.json) printJson(ctx.io, settings);
  else await printTable(ctx.io, ctx.mode, SETTING_NAMES.filter((n) => settings[n] !== undefined), [
    { header: 'NAME', value: (n) => n },
    { header: 'VALUE', value: (n) => settings[n] ?? '' },
  ]);
}
