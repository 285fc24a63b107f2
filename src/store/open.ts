/**
 * The factory of storage backends: the one place that knows which backend a store
 * location means. `app/` opens stores through it and talks to them only through the
 * interface of backend.ts.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { StorageBackend } from './backend.js';
import { DirectoryBackend } from './directory-backend.js';
import { lockTimeoutMs } from './lock.js';

/** `--store`, else `$AGENT_VAULT_HOME`, else the configured default, else the XDG data directory. */
export function resolveStoreLocation(flag: string | undefined, env: NodeJS.ProcessEnv, configured?: () => string | undefined): string {
  if (flag) return resolve(flag);
  if (env.AGENT_VAULT_HOME) return resolve(env.AGENT_VAULT_HOME);
  const fromSettings = configured?.();
  if (fromSettings) return resolve(fromSettings);
  const dataHome = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share');
  return resolve(dataHome, 'agent-vault');
}

/** The backend of the store at `location`; `env` supplies its settings (AGENT_VAULT_LOCK_TIMEOUT). */
export function openStore(location: string, env: NodeJS.ProcessEnv): StorageBackend {
  return new DirectoryBackend(resolve(location), lockTimeoutMs(env));
}
