/**
 * Non-secret preferences (the default agent and store) in a `conf` settings file at
 * `$XDG_CONFIG_HOME/agent-vault/config.json`. Reading parses that JSON file directly,
 * because importing conf costs more start-up time than the whole `credential get`
 * budget; writing goes through conf, pointed at the same file.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { checkAgentId } from '../core/ids.js';

export const SETTING_NAMES = ['default-agent', 'default-store'] as const;
export type SettingName = (typeof SETTING_NAMES)[number];
export type Settings = Partial<Record<SettingName, string>>;

export function settingsDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'agent-vault');
}

export function checkSettingName(name: string): SettingName {
  if (!(SETTING_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`unknown setting ${JSON.stringify(name)}`, `settings are ${SETTING_NAMES.join(', ')}`);
  }
  return name as SettingName;
}

/** The settings, or none when the file is missing or unreadable. */
export function readSettings(env: NodeJS.ProcessEnv): Settings {
  try {
    const data: unknown = JSON.parse(readFileSync(join(settingsDir(env), 'config.json'), 'utf8'));
    if (!data || typeof data !== 'object') return {};
    const settings: Settings = {};
    for (const name of SETTING_NAMES) {
      const value = (data as Record<string, unknown>)[name];
      if (typeof value === 'string') settings[name] = value;
    }
    return settings;
  } catch {
    return {};
  }
}

/** Sets (or, with `undefined`, removes) one setting. */
export async function writeSetting(env: NodeJS.ProcessEnv, name: SettingName, value: string | undefined): Promise<void> {
  if (name === 'default-agent' && value !== undefined) checkAgentId(value);
  const { default: Conf } = await import('conf');
  const conf = new Conf<Settings>({ cwd: settingsDir(env), configName: 'config', projectName: 'agent-vault', configFileMode: 0o600 });
  if (value === undefined) conf.delete(name);
  else conf.set(name, value);
}
