/**
 * Where things live. Every path under the store is built here from a validated agent
 * id, so no name from the outside can point elsewhere.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkAgentId, checkCredentialKey } from '../core/ids.js';

/** `--store`, else `$AGENT_VAULT_HOME`, else the configured default, else the XDG data directory. */
export function resolveStoreDir(flag: string | undefined, env: NodeJS.ProcessEnv, configured?: () => string | undefined): string {
  if (flag) return resolve(flag);
  if (env.AGENT_VAULT_HOME) return resolve(env.AGENT_VAULT_HOME);
  const fromSettings = configured?.();
  if (fromSettings) return resolve(fromSettings);
  const dataHome = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share');
  return resolve(dataHome, 'agent-vault');
}

/** The files of one store. */
export class StorePaths {
  constructor(readonly root: string) {}

  get storeFile(): string {
    return join(this.root, 'store');
  }

  get vaultsDir(): string {
    return join(this.root, 'vaults');
  }

  /** The store-wide audit log: init, provisioning, and failures by callers who proved nothing. */
  get storeAuditLog(): string {
    return join(this.root, 'audit.jsonl');
  }

  vault(agent: string): string {
    return join(this.vaultsDir, `${checkAgentId(agent)}.vault`);
  }

  vaultLock(agent: string): string {
    return `${this.vault(agent)}.lock`;
  }

  auditLog(agent: string): string {
    return join(this.vaultsDir, `${checkAgentId(agent)}.audit.jsonl`);
  }

  /** The directory of deprovisioned agents' audit logs. */
  get retiredDir(): string {
    return join(this.root, 'retired');
  }

  /** Sealed grants, one directory per grantee. */
  get grantsDir(): string {
    return join(this.root, 'grants');
  }

  /** The grants addressed to `grantee`. */
  receivedGrantsDir(grantee: string): string {
    return join(this.grantsDir, checkAgentId(grantee));
  }

  /** The grant of `granter`'s credential `key` to `grantee`. */
  grantFile(grantee: string, granter: string, key: string): string {
    return join(this.receivedGrantsDir(grantee), `${checkAgentId(granter)}.${checkCredentialKey(key)}.grant`);
  }

  /** The owner-signed key certificates, one per agent. */
  get keysDir(): string {
    return join(this.root, 'keys');
  }

  /** The certificate of `agent`'s X25519 public key. */
  keyCertificate(agent: string): string {
    return join(this.keysDir, `${checkAgentId(agent)}.pub`);
  }

  /** Where a deprovisioned agent's audit log is kept, so its history outlives it. */
  retiredAuditLog(agent: string, at: string): string {
    return join(this.retiredDir, `${checkAgentId(agent)}.${at.replaceAll(':', '-')}.audit.jsonl`);
  }
}

/** The head file beside an audit log (`x.audit.jsonl` -> `x.audit.head`): its newest seq and hash, keyed. */
export function auditHeadPath(log: string): string {
  return log.replace(/\.jsonl$/, '') + '.head';
}

/** The append lock of an audit log, separate from the vault's write lock. */
export function auditLockPath(log: string): string {
  return `${log}.lock`;
}
