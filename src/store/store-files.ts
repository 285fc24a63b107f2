/**
 * Reading and writing the store's files: the store file, the vault files and their
 * locks. Reads take no lock (a rename makes every read see a whole file); every
 * read-modify-write happens under the vault's lock.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NotFoundError, UsageError } from '../core/errors.js';
import { isAgentId } from '../core/ids.js';
import { parseStoreFile, encodeStoreFile, type StoreFile } from '../format/store-file.js';
import { FormatError } from '../format/format-error.js';
import { parseVaultFile, type ParsedVaultFile } from '../format/vault-file.js';
import { ensurePrivateDir, replaceFile, writeNewFile } from './atomic.js';
import { lockTimeoutMs, withLock, withLockSync } from './lock.js';
import { auditHeadPath, auditLockPath, StorePaths } from './paths.js';

function readIfExists(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** One audit log of a store: the store's own, an agent's, or a deprovisioned agent's. */
export interface AuditLogFile {
  kind: 'store' | 'agent' | 'retired';
  path: string;
  /** The agent whose log it is (not for the store's log). */
  agent?: string;
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** The files of one store on disk. */
export class StoreFiles {
  readonly paths: StorePaths;
  /** How long to wait for a lock (AGENT_VAULT_LOCK_TIMEOUT), in milliseconds. */
  readonly lockTimeout: number;

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
    return listDir(this.paths.vaultsDir)
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
    try {
      return parseVaultFile(bytes);
    } catch (err) {
      if (err instanceof FormatError) throw new FormatError(`${this.paths.vault(agent)}: ${err.message}`, 'restore it from the .bak beside it or from a backup');
      throw err;
    }
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

  /**
   * Deletes an agent's vault and backup, and moves its audit log and head to `retired/`
   * under the log's append lock, so no append lands between the two. Call under
   * {@link withVaultLock}.
   */
  deleteVault(agent: string, at: string): void {
    const log = this.paths.auditLog(agent);
    withLockSync(auditLockPath(log), this.lockTimeout, 'the audit log', () => {
      const retired = this.paths.retiredAuditLog(agent, at);
      for (const [from, to] of [
        [log, retired],
        [auditHeadPath(log), auditHeadPath(retired)],
      ] as const) {
        if (!existsSync(from)) continue;
        ensurePrivateDir(dirname(to));
        renameSync(from, to);
      }
    });
    rmSync(`${this.paths.vault(agent)}.bak`, { force: true });
    rmSync(this.paths.vault(agent), { force: true });
  }

  /**
   * Every audit log the store has or should have: the store's, then agents', then
   * retired ones, each sorted by name. A log is listed when it, its head or (for an
   * agent's log) its vault exists, so `audit verify` can report one that was deleted.
   */
  auditLogs(): AuditLogFile[] {
    const logs: AuditLogFile[] = [];
    const storeLog = this.paths.storeAuditLog;
    if (this.isInitialised() || existsSync(storeLog) || existsSync(auditHeadPath(storeLog))) logs.push({ kind: 'store', path: storeLog });
    const agents = new Set<string>();
    for (const name of listDir(this.paths.vaultsDir)) {
      const agent = /^(.+)\.(?:vault|audit\.jsonl|audit\.head)$/.exec(name)?.[1];
      if (agent !== undefined && isAgentId(agent)) agents.add(agent);
    }
    for (const agent of [...agents].sort()) logs.push({ kind: 'agent', path: this.paths.auditLog(agent), agent });
    const retired = new Set<string>();
    for (const name of listDir(this.paths.retiredDir)) {
      const match = /^(([a-z0-9_-]{1,64})\..+\.audit)\.(?:jsonl|head)$/.exec(name);
      if (match && isAgentId(match[2]!) && !retired.has(match[1]!)) {
        retired.add(match[1]!);
        logs.push({ kind: 'retired', path: join(this.paths.retiredDir, `${match[1]!}.jsonl`), agent: match[2]! });
      }
    }
    return logs;
  }

  /** Runs `fn` holding the agent's vault lock (bounded wait, then exit 7). */
  withVaultLock<T>(agent: string, fn: () => Promise<T> | T): Promise<T> {
    ensurePrivateDir(this.paths.vaultsDir);
    return withLock(this.paths.vaultLock(agent), this.lockTimeout, fn);
  }
}
