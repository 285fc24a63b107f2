/**
 * A session is a store plus the principal calling: the owner (proved by the passphrase)
 * or one agent (proved by its token). It proves the caller, unlocks vaults, and writes
 * them back with compare-and-swap; what it records goes through its {@link AuditRecorder}.
 * The CLI and the programmatic API both work through it. The agent lifecycle lives in
 * agents.ts, credentials in credentials.ts, grants in grants.ts: functions over a session.
 */
import { AccessDeniedError, AuthError, BusyError, IntegrityError, NotFoundError, VaultError } from '../core/errors.js';
import { checkAgentId } from '../core/ids.js';
import type { AgentToken } from '../core/token.js';
import { encodePayload, parsePayload, type VaultPayload } from '../core/vault.js';
import { KEY_LENGTH } from '../format/aead.js';
import { storeAuditKeyring, type AuditKeyring } from '../format/audit-line.js';
import { decodeBase64 } from '../format/encoding.js';
import { FormatError } from '../format/format-error.js';
import { peekJournalOp } from '../format/journal.js';
import { parseStoreFile, verifyOwnerKey, type StoreFile } from '../format/store-file.js';
import { encodeVaultFile, openVaultPayload, parseVaultFile, unwrapOwnerSlot, unwrapTokenSlot, type ParsedVaultFile, type VaultHeader } from '../format/vault-file.js';
import { objectIds, WriteConflictError, type Generation, type StorageBackend } from '../store/backend.js';
import { deriveOwnerKey } from './owner-key.js';
import { AuditRecorder, type AuditKeySource } from './recorder.js';

/** Supplies the owner passphrase when (and only when) it is first needed. */
export type PassphraseSource = () => Promise<string>;

/** Who is calling. */
export type Principal = { kind: 'owner'; passphrase: PassphraseSource } | { kind: 'agent'; token: AgentToken };

/** An unlocked vault: its parsed file, its key, its decrypted payload, and the generation it was read at. */
export interface UnlockedVault {
  file: ParsedVaultFile;
  vaultKey: Buffer;
  payload: VaultPayload;
  generation: Generation;
}

/** How often a read-modify-write is retried when another writer got in between, before exit 7. */
const MAX_WRITE_ATTEMPTS = 8;

/** The audit keys a vault's payload holds, one per epoch, decoded. */
export function auditKeyringOf(payload: VaultPayload): AuditKeyring {
  return { keys: payload.auditKeys.map((key, i) => decodeBase64(key, `audit key ${i}`, KEY_LENGTH)) };
}

/** What a session does besides its principal's work, set by whoever opens it. */
export interface SessionHooks {
  /** Runs once, after the owner proved the passphrase and before anything else (finishing interrupted changes). */
  ownerProved?: (session: Session) => Promise<void>;
  /** A problem that does not stop the command (a damaged vault skipped), for the user to see. */
  warn?: (message: string) => void;
}

export class Session implements AuditKeySource {
  readonly audit: AuditRecorder;
  private ownerKeyPromise: Promise<Buffer> | undefined;
  private readyPromise: Promise<Buffer> | undefined;
  /** The owner key once the passphrase was proved right. */
  private provenOwnerKey: Buffer | undefined;
  /** Whether the agent's token opened its own vault. */
  private provenToken = false;
  /** The audit keys of the vaults this session opened, by agent. */
  private readonly auditKeyrings = new Map<string, AuditKeyring>();

  constructor(
    readonly store: StorageBackend,
    readonly principal: Principal,
    readonly now: () => Date,
    private readonly hooks: SessionHooks = {},
  ) {
    this.audit = new AuditRecorder(store, this, now);
  }

  /** Tells the user of a problem that does not stop the command. */
  warn(message: string): void {
    this.hooks.warn?.(message);
  }

  /** `owner` or `agent:<id>` once the caller proved it, else `unknown`: an unproved claim names no one. */
  provenActor(): string {
    if (this.principal.kind === 'owner') return this.provenOwnerKey ? 'owner' : 'unknown';
    return this.provenToken ? `agent:${this.principal.token.agent}` : 'unknown';
  }

  /** The agent a token names, if the caller is an agent (proved or not). */
  get tokenAgent(): string | undefined {
    return this.principal.kind === 'agent' ? this.principal.token.agent : undefined;
  }

  isOwner(): boolean {
    return this.principal.kind === 'owner';
  }

  /** Throws unless the caller is the owner: for provisioning and other store-wide changes. */
  requireOwner(what: string): void {
    if (this.principal.kind !== 'owner') {
      throw new AccessDeniedError(`${what} needs the owner passphrase, not an agent token`, 'unset AGENT_VAULT_TOKEN and give the passphrase');
    }
  }

  /** The store file; a store that does not exist is exit 3. */
  async readStoreFile(): Promise<StoreFile> {
    const found = await this.store.read(objectIds.store);
    if (!found) throw new NotFoundError(`no agent-vault store at ${this.store.location}`, 'create one with: agent-vault init (or point --store / AGENT_VAULT_HOME at yours)');
    return parseStoreFile(found.bytes);
  }

  /**
   * Derives and checks the owner key once per session; a wrong passphrase is exit 4.
   * The first time, the `ownerProved` hook runs before the key is handed out; calls made
   * from within the hook get the key at once.
   */
  ownerKey(): Promise<Buffer> {
    const proved = this.provedOwnerKey();
    const hook = this.hooks.ownerProved;
    if (!hook) return proved;
    this.readyPromise ??= proved.then(async (key) => {
      delete this.hooks.ownerProved;
      await hook(this);
      return key;
    });
    return this.readyPromise;
  }

  private provedOwnerKey(): Promise<Buffer> {
    if (this.principal.kind !== 'owner') return Promise.reject(new AccessDeniedError('this needs the owner passphrase'));
    const principal = this.principal;
    this.ownerKeyPromise ??= (async () => {
      const store = await this.readStoreFile();
      const passphrase = await principal.passphrase();
      const key = await deriveOwnerKey(passphrase, store.kdf);
      if (!verifyOwnerKey(store, key)) {
        await this.audit.denied('', 'wrong passphrase');
        throw new AuthError('wrong passphrase', 'check the passphrase file or AGENT_VAULT_PASSPHRASE');
      }
      this.provenOwnerKey = key;
      return key;
    })();
    return this.ownerKeyPromise;
  }

  /** The key of the store's own log, once the owner proved the passphrase. */
  storeKeyring(): AuditKeyring | undefined {
    return this.provenOwnerKey && storeAuditKeyring(this.provenOwnerKey);
  }

  /** Reads and parses an agent's vault file; a missing one is exit 3, a damaged one exit 6 naming it. */
  async readVaultFile(agent: string): Promise<{ file: ParsedVaultFile; generation: Generation }> {
    const id = objectIds.vault(agent);
    const found = await this.store.read(id);
    if (!found) throw new NotFoundError(`agent ${agent} is not provisioned`, `provision it with: agent-vault provision ${agent}`);
    try {
      return { file: parseVaultFile(found.bytes), generation: found.generation };
    } catch (err) {
      if (err instanceof FormatError) throw new FormatError(`${this.store.describe(id)}: ${err.message}`, 'restore it from the .bak beside it or from a backup');
      throw err;
    }
  }

  /** The agents with a vault, sorted. */
  async listAgents(): Promise<string[]> {
    return (await this.store.list('vaults/')).map((id) => id.slice('vaults/'.length));
  }

  /** Whether `agent` has a vault. */
  hasVault(agent: string): Promise<boolean> {
    return this.store.exists(objectIds.vault(agent));
  }

  /** Unlocks an agent's vault for reading. An agent may open only its own. */
  async unlock(agent: string): Promise<UnlockedVault> {
    checkAgentId(agent);
    if (this.principal.kind === 'owner') {
      const ownerKey = await this.ownerKey();
      const read = await this.readVaultFile(agent);
      const vaultKey = unwrapOwnerSlot(ownerKey, agent, read.file.header.owner);
      // The passphrase was verified against the store file, so a slot that does not
      // open is a damaged or swapped vault, not a wrong passphrase.
      if (!vaultKey) throw new IntegrityError(`the owner key slot of agent ${agent} does not open: the vault file was altered or belongs to another store`);
      return this.opened(agent, read, vaultKey);
    }
    const token = this.principal.token;
    if (token.agent !== agent) {
      // Prove the token first: a forged one naming some agent is a failed proof (exit 4,
      // recorded as unknown), not that agent being denied.
      await this.unlock(token.agent);
      await this.audit.record(agent, { action: 'access.denied', result: 'denied', reason: `agent ${token.agent} has no access to this vault` });
      throw new AccessDeniedError(`agent ${token.agent} may not open the vault of agent ${agent}`);
    }
    let read: { file: ParsedVaultFile; generation: Generation };
    try {
      read = await this.readVaultFile(agent);
    } catch (err) {
      if (err instanceof VaultError && err.exitCode === 3) {
        await this.audit.denied(agent, 'token for an agent that is not provisioned');
        throw new AuthError('token not accepted: its agent is not provisioned', 'ask the owner for a new token');
      }
      throw err;
    }
    const vaultKey = unwrapTokenSlot(token.secret, agent, read.file.header.token);
    if (!vaultKey) {
      await this.audit.denied(agent, 'token does not open the vault');
      throw new AuthError('token not accepted: it is wrong or was rotated', 'ask the owner for the current token (agent-vault token rotate)');
    }
    // A name test first: on the hot path (every token read) there is almost never an entry.
    const journalId = objectIds.journal(agent);
    const journal = (await this.store.exists(journalId)) ? await this.store.read(journalId) : undefined;
    if (journal && peekJournalOp(journal.bytes) === 'deprovision') {
      throw new AuthError(`token not accepted: agent ${agent} is being deprovisioned`, 'ask the owner for a new agent');
    }
    this.provenToken = true;
    return this.opened(agent, read, vaultKey);
  }

  /** Decrypts a vault and remembers its audit keys, so events about it can be keyed. */
  private opened(agent: string, read: { file: ParsedVaultFile; generation: Generation }, vaultKey: Buffer): UnlockedVault {
    const payload = parsePayload(openVaultPayload(read.file, vaultKey), agent);
    this.auditKeyrings.set(agent, auditKeyringOf(payload));
    return { ...read, vaultKey, payload };
  }

  /** Remembers the audit keys of a vault this session just wrote (provisioning, rotation). */
  adoptAuditKeys(agent: string, payload: VaultPayload): void {
    this.auditKeyrings.set(agent, auditKeyringOf(payload));
  }

  /** The audit keys of `agent`'s log; the caller must be allowed to open that vault. */
  async auditKeyring(agent: string): Promise<AuditKeyring> {
    await this.unlock(agent);
    return this.auditKeyrings.get(agent)!;
  }

  /**
   * The audit keys of `agent`'s vault if this session has opened it, or can open it
   * without asking for anything: with the proven owner key, or with the caller's token.
   * With `fresh`, the vault is read again (a rotation may have added a key).
   */
  async keyringFor(agent: string, options: { fresh?: boolean } = {}): Promise<AuditKeyring | undefined> {
    const known = this.auditKeyrings.get(agent);
    if (options.fresh && known) {
      this.auditKeyrings.delete(agent);
      const fresh = await this.keyringFor(agent);
      // Not opened again (the token was rotated): later events are noted the same way.
      if (!fresh) this.auditKeyrings.set(agent, known);
      return fresh;
    }
    if (known) return known;
    try {
      if (!(await this.hasVault(agent))) return undefined;
      const read = await this.readVaultFile(agent);
      const vaultKey =
        this.principal.kind === 'owner'
          ? this.provenOwnerKey && unwrapOwnerSlot(this.provenOwnerKey, agent, read.file.header.owner)
          : this.principal.token.agent === agent
            ? unwrapTokenSlot(this.principal.token.secret, agent, read.file.header.token)
            : undefined;
      if (!vaultKey) return undefined;
      if (this.principal.kind === 'agent') this.provenToken = true;
      this.opened(agent, read, vaultKey);
      return this.auditKeyrings.get(agent);
    } catch {
      // A vault that does not open cannot key a line; the line goes to another log.
      return undefined;
    }
  }

  /**
   * Read-modify-write of an agent's vault: `change` sees the freshly read payload and
   * may mutate it; the result is sealed and replaced with compare-and-swap against the
   * generation it was read at, retried on a conflict (then exit 7). The whole of it runs
   * as the backend's exclusive writer of the vault where the backend has one, so
   * `afterWrite` (the audit line) and `settle` (grants re-sealed) happen before any other
   * writer sees the new vault. If `afterWrite` (the audit line) fails, the vault is put
   * back; `settle` runs after it, still holding the vault, and a failure there is
   * reported without undoing the recorded change.
   */
  async modify<T>(
    agent: string,
    change: (vault: UnlockedVault) => T | Promise<T>,
    options: { afterWrite?: () => Promise<void>; settle?: () => Promise<void> } = {},
  ): Promise<T> {
    if (this.principal.kind === 'owner') await this.ownerKey();
    const id = objectIds.vault(agent);
    return this.store.exclusive(id, async () => {
      for (let attempt = 1; ; attempt += 1) {
        const vault = await this.unlock(agent);
        const result = await change(vault);
        let written: Generation;
        try {
          written = await this.store.replace(id, this.seal(vault.file.header, vault.vaultKey, vault.payload), vault.generation, { keepPrevious: true });
        } catch (err) {
          if (!(err instanceof WriteConflictError)) throw err;
          if (attempt < MAX_WRITE_ATTEMPTS) continue;
          throw new BusyError(`the vault of agent ${agent} kept changing while this write was made`, 'try again');
        }
        try {
          await options.afterWrite?.();
        } catch (err) {
          // A write is acknowledged only together with its audit line: without it, the
          // vault goes back to the previous generation the replace kept, by a rename
          // that works on a full disk too.
          await this.store.restorePrevious(id, written).catch((undo: NodeJS.ErrnoException) => {
            this.warn(`the vault of agent ${agent} could not be put back (${undo.code ?? undo.message}): the change is in effect without its audit line`);
          });
          throw err;
        }
        // Acknowledged and recorded: what follows (grant re-seals) may fail the command
        // but no longer undoes the change its audit line describes.
        await options.settle?.();
        return result;
      }
    });
  }

  /** Seals a vault file for writing, stamped with the session's time. */
  seal(header: VaultHeader, vaultKey: Buffer, payload: VaultPayload): Buffer {
    return encodeVaultFile({ ...header, updated: this.now().toISOString() }, vaultKey, encodePayload(payload));
  }
}
