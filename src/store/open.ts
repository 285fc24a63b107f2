/**
 * The factory of storage backends: the one place that knows which backend a store
 * location means. `app/` opens stores through it and talks to them only through the
 * interface of backend.ts. A location is a directory, or a `postgres://` URL
 * (postgres-url.ts), whose backend loads the `pg` package only when it first queries.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { StorageBackend } from './backend.js';
import { closeAtEnd } from './closing.js';
import { DirectoryBackend } from './directory-backend.js';
import { lockTimeoutMs } from './lock.js';
import { PostgresBackend } from './postgres-backend.js';
import { isPostgresUrl, parsePostgresUrl } from './postgres-url.js';

/** A directory is made absolute; a URL is kept as it is. */
function normalise(location: string): string {
  return isPostgresUrl(location) ? location : resolve(location);
}

/** `--store`, else `$AGENT_VAULT_HOME`, else the configured default, else the XDG data directory. */
export function resolveStoreLocation(flag: string | undefined, env: NodeJS.ProcessEnv, configured?: () => string | undefined): string {
  if (flag) return normalise(flag);
  if (env.AGENT_VAULT_HOME) return normalise(env.AGENT_VAULT_HOME);
  const fromSettings = configured?.();
  if (fromSettings) return normalise(fromSettings);
  const dataHome = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share');
  return resolve(dataHome, 'agent-vault');
}

/** The backend of the store at `location`; `env` supplies its settings (AGENT_VAULT_LOCK_TIMEOUT, PG* variables). */
export function openStore(location: string, env: NodeJS.ProcessEnv): StorageBackend {
  if (isPostgresUrl(location)) {
    const backend = new PostgresBackend(parsePostgresUrl(location, env), env, lockTimeoutMs(env));
    // The connection ends with the command (store/closing.ts).
    closeAtEnd(() => backend.db.close());
    return backend;
  }
  return new DirectoryBackend(resolve(location), lockTimeoutMs(env));
}
