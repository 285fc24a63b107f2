/**
 * Reading and writing the store's files: the store file, the vault files and their
 * locks. Reads take no lock (a rename makes every read see a whole file); every
 * read-modify-write happens under the vault's lock.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { NotFoundError, UsageError } from '../core/errors.js';
import { isAgentId } from '../core/ids.js';
import { parseStoreFile, encodeStoreFile, type StoreFile } from '../format/store-file.js';
import { parseVaultFile, type ParsedVaultFile } from '../format/vault-file.js';
import { ensurePrivateDir, replaceFile, writeNewFile } from './atomic.js';
import { lockTimeoutMs, withLock } from './lock.js';
import { StorePaths } from './paths.js';

function readIfExists(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The files of one store on disk. */
export class StoreFiles {
  readonly paths: StorePaths;
  private readonly lockTimeout: number;

  constructor(root: string, env: NodeJS.ProcessEnv) {
    this.paths = new StorePaths(root);
    this.lockTimeout = lockTimeoutMs(env);
  }

  get root(): string {
    return this.paths.root;
  }

  isInitialised(): boolean {
    return existsSync(this.paths.storeFile);
  }

  readStoreFile(): StoreFile {
    const bytes = readIfExists(this.paths.storeFile);
    if (!bytes) throw new NotFoundError(`no agent-vault store at ${this.root}`, 'create one with: agent-vault init (or point --store / AGENT_VAULT_HOME at yours)');
    return parseStoreFile(bytes);
  }

  /** Creates the store directory and file; refuses to overwrite an existing store. */
  createStore(file: StoreFile): void {
    if (this.isInitialised()) throw new UsageError(`a store already exists at ${this.root}`, 'use it, or pass --store DIR for a new one');
    ensurePrivateDir(this.root);
    ensurePrivateDir(this.paths.vaultsDir);
    writeNewFile(this.paths.storeFile, encodeStoreFile(file));
  }

  /** Agent ids with a vault file, sorted. */
  listAgents(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.paths.vaultsDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return names
      .filter((n) => n.endsWith('.vault'))
      .map((n) => n.slice(0, -'.vault'.length))
      .filter(isAgentId)
      .sort();
  }

  hasVault(agent: string): boolean {
    return existsSync(this.paths.vault(agent));
  }

  /** Reads and parses an agent's vault file; a missing one is exit 3. */
  readVault(agent: string): ParsedVaultFile {
    const bytes = readIfExists(this.paths.vault(agent));
    if (!bytes) throw new NotFoundError(`agent ${agent} is not provisioned`, `provision it with: agent-vault provision ${agent}`);
    return parseVaultFile(bytes);
  }

  /** Replaces an agent's vault file atomically, keeping the previous one as `.bak`. Call under {@link withVaultLock}. */
  writeVault(agent: string, bytes: Buffer): void {
    replaceFile(this.paths.vault(agent), bytes, { backup: true });
  }

  /** Removes the `.bak` generation, after a change the old file must not outlive (a token rotation). */
  removeBackup(agent: string): void {
    rmSync(`${this.paths.vault(agent)}.bak`, { force: true });
  }

  /** Writes a new vault file; fails if the agent exists. Call under {@link withVaultLock}. */
  createVault(agent: string, bytes: Buffer): void {
    ensurePrivateDir(this.paths.vaultsDir);
    if (this.hasVault(agent)) throw new UsageError(`agent ${agent} is already provisioned`, `rotate its token with: agent-vault token rotate ${agent}`);
    replaceFile(this.paths.vault(agent), bytes, { backup: false });
  }

  /** Deletes an agent's vault and backup, and moves its audit log to `retired/`. Call under {@link withVaultLock}. */
  deleteVault(agent: string, at: string): void {
    const log = this.paths.auditLog(agent);
    if (existsSync(log)) {
      const retired = this.paths.retiredAuditLog(agent, at);
      ensurePrivateDir(dirname(retired));
      renameSync(log, retired);
    }
    rmSync(`${this.paths.vault(agent)}.bak`, { force: true });
    rmSync(this.paths.vault(agent), { force: true });
  }

  /** Runs `fn` holding the agent's vault lock (bounded wait, then exit 7). */
  withVaultLock<T>(agent: string, fn: () => Promise<T> | T): Promise<T> {
    ensurePrivateDir(this.paths.vaultsDir);
    return withLock(this.paths.vaultLock(agent), this.lockTimeout, fn);
  }
}
