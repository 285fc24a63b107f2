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
import type { VaultPayload } from '../core/vault.js';
import { KEY_LENGTH } from '../format/aead.js';
import { storeAuditKeyring, type AuditKeyring } from '../format/audit-line.js';
import { decodeBase64 } from '../format/encoding.js';
import { FormatError } from '../format/format-error.js';
import { peekJournalOp } from '../format/journal.js';
import { openPassphraseSlot, openStoreKeys, parseStoreFile, type StoreFile } from '../format/store-file.js';
import { encodeVaultFile, openVault, parseVaultFile, unwrapOwnerSlot, unwrapTokenSlot, type ParsedVaultFile, type VaultHeader } from '../format/vault-file.js';
import { objectIds, WriteConflictError, type Generation, type StorageBackend } from '../store/backend.js';
import { derivePassphraseKey } from './owner-key.js';
import { AuditRecorder, type AuditKeySource } from './recorder.js';

/** Where a passphrase came from, for the hint of a wrong one. */
export type PassphraseOrigin = 'prompt' | 'file' | 'stdin' | 'variable';

/** A passphrase and where it came from; a prompt may be asked again after a typo. */
export interface PassphraseAnswer {
  passphrase: string;
  origin: PassphraseOrigin;
  /** The file it was read from, for the hint. */
  file?: string;
}

/** Supplies the owner passphrase when (and only when) it is first needed; called again for each try at a prompt. */
export type PassphraseSource = () => Promise<string | PassphraseAnswer>;

/**
 * An owner session opened by `unlock`: its short id and the passphrase key its session
 * file held, read when the owner is first proved (a session that does not open is exit 4).
 */
export interface OwnerSessionSource {
  id: string;
  passphraseKey(): Promise<Buffer>;
}

/** Who is calling. */
export type Principal = { kind: 'owner'; passphrase: PassphraseSource; session?: OwnerSessionSource } | { kind: 'agent'; token: AgentToken };

/** How many times a passphrase typed at a prompt is asked for before exit 4. */
export const PROMPT_TRIES = 3;

/** An unlocked vault: its parsed file, its key, its payload (credentials decrypted when first read: core/vault.ts lazyPayload), and the generation it was read at. */
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
  private rootKeyPromise: Promise<Buffer> | undefined;
  private readyPromise: Promise<Buffer> | undefined;
  /** The root key once the passphrase (or an owner session) was proved right. */
  private provenRootKey: Buffer | undefined;
  /** The passphrase key that opened the store file's slot, and the store log's retired keys. */
  private provenSecrets: { passphraseKey: Buffer; retiredStoreKeys: Buffer[] } | undefined;
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
    if (this.principal.kind === 'owner') return this.provenRootKey ? 'owner' : 'unknown';
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

  /** The short id of the owner session (`unlock`) this session proved itself with, if any. */
  get ownerSessionId(): string | undefined {
    return this.principal.kind === 'owner' ? this.principal.session?.id : undefined;
  }

  /**
   * Proves the owner once per session and hands out the root key (what opens every
   * owner slot and derives every owner-side key); a wrong passphrase, or an owner
   * session that no longer opens the store, is exit 4. The first time, the
   * `ownerProved` hook runs before the key is handed out; calls made from within the
   * hook get the key at once.
   */
  rootKey(): Promise<Buffer> {
    const proved = this.provedRootKey();
    const hook = this.hooks.ownerProved;
    if (!hook) return proved;
    this.readyPromise ??= proved.then(async () => {
      delete this.hooks.ownerProved;
      await hook(this);
      // The hook may have finished a rekey, which changes the root key.
      return this.provenRootKey!;
    });
    return this.readyPromise;
  }

  /** The passphrase key and the store log's retired keys, once the owner is proved: for passwd, rekey and unlock. */
  async ownerSecrets(): Promise<{ rootKey: Buffer; passphraseKey: Buffer; retiredStoreKeys: Buffer[] }> {
    const rootKey = await this.rootKey();
    return { rootKey, ...this.provenSecrets! };
  }

  /**
   * Adopts the root key a rekey just committed to the store file, so that the rest of
   * this session (and of the command) works with it.
   */
  adoptRootKey(rootKey: Buffer, retiredStoreKeys: Buffer[]): void {
    this.provenRootKey = rootKey;
    this.provenSecrets = { passphraseKey: this.provenSecrets!.passphraseKey, retiredStoreKeys };
    this.rootKeyPromise = Promise.resolve(rootKey);
    if (this.readyPromise) this.readyPromise = Promise.resolve(rootKey);
  }

  private provedRootKey(): Promise<Buffer> {
    if (this.principal.kind !== 'owner') return Promise.reject(new AccessDeniedError('this needs the owner passphrase'));
    const principal = this.principal;
    this.rootKeyPromise ??= (async () => {
      const store = await this.readStoreFile();
      const { rootKey, passphraseKey } = principal.session ? await this.openWithSession(store, principal.session) : await this.openWithPassphrase(store, principal.passphrase);
      const retiredStoreKeys = openStoreKeys(store, rootKey);
      // The slot opened, so the passphrase is right: a body that does not is an altered file.
      if (!retiredStoreKeys) throw new IntegrityError(`the store file of ${this.store.location} does not verify under its own root key: it was altered`, 'restore it from a backup');
      this.provenRootKey = rootKey;
      this.provenSecrets = { passphraseKey, retiredStoreKeys };
      return rootKey;
    })();
    return this.rootKeyPromise;
  }

  private async openWithSession(store: StoreFile, session: OwnerSessionSource): Promise<{ rootKey: Buffer; passphraseKey: Buffer }> {
    const passphraseKey = await session.passphraseKey();
    const rootKey = openPassphraseSlot(store, passphraseKey);
    if (!rootKey) {
      await this.audit.denied('', `owner session ${session.id} no longer opens the store`);
      throw new AuthError(`owner session ${session.id} no longer opens the store: the passphrase was changed`, 'unlock again: eval "$(agent-vault unlock --sh)"');
    }
    return { rootKey, passphraseKey };
  }

  /**
   * Asks for the passphrase and opens the slot with it. A passphrase typed at a prompt
   * is asked for again after a typo, {@link PROMPT_TRIES} times in all; one from a file,
   * stdin or a variable would be wrong again, so it fails at once. The hint names where
   * the wrong passphrase came from, so the user knows what to fix.
   */
  private async openWithPassphrase(store: StoreFile, source: PassphraseSource): Promise<{ rootKey: Buffer; passphraseKey: Buffer }> {
    for (let attempt = 1; ; attempt += 1) {
      const given = await source();
      const answer: PassphraseAnswer = typeof given === 'string' ? { passphrase: given, origin: 'variable' } : given;
      const passphraseKey = await derivePassphraseKey(answer.passphrase, store.kdf);
      const rootKey = openPassphraseSlot(store, passphraseKey);
      if (rootKey) return { rootKey, passphraseKey };
      await this.audit.denied('', 'wrong passphrase');
      if (answer.origin === 'prompt' && attempt < PROMPT_TRIES) {
        this.warn(`wrong passphrase, try again (${PROMPT_TRIES - attempt} more ${PROMPT_TRIES - attempt === 1 ? 'try' : 'tries'})`);
        continue;
      }
      throw new AuthError(answer.origin === 'prompt' ? `wrong passphrase (${PROMPT_TRIES} tries at the prompt)` : 'wrong passphrase', wrongPassphraseHint(answer, typeof given === 'string'));
    }
  }

  /** The keys of the store's own log, once the owner proved the passphrase. */
  storeKeyring(): AuditKeyring | undefined {
    return this.provenRootKey && storeAuditKeyring(this.provenRootKey, this.provenSecrets?.retiredStoreKeys ?? []);
  }

  /** Reads and parses an agent's vault file; a missing one is exit 3, a damaged one exit 6 naming it. */
  async readVaultFile(agent: string): Promise<{ file: ParsedVaultFile; generation: Generation }> {
    const id = objectIds.vault(agent);
    // In parts: a read of one credential then reads the header, the index and one block.
    const found = await this.store.readInParts(id);
    if (!found) throw new NotFoundError(`agent ${agent} is not provisioned`, `provision it with: agent-vault provision ${agent}`);
    try {
      return { file: parseVaultFile(found.bytes), generation: found.generation };
    } catch (err) {
      if (err instanceof FormatError) throw new FormatError(`${this.store.describe(id)}: ${err.message}`, err.hint ?? 'restore it from the .bak beside it or from a backup');
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
      const rootKey = await this.rootKey();
      const read = await this.readVaultFile(agent);
      const vaultKey = unwrapOwnerSlot(rootKey, agent, read.file.header.owner);
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
    const payload = openVault(read.file, vaultKey);
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
          ? this.provenRootKey && unwrapOwnerSlot(this.provenRootKey, agent, read.file.header.owner)
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
    if (this.principal.kind === 'owner') await this.rootKey();
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
    return encodeVaultFile({ ...header, updated: this.now().toISOString() }, vaultKey, payload);
  }
}

/** Where to look when a passphrase was wrong: the file, the variable, stdin or the typing. */
function wrongPassphraseHint(answer: PassphraseAnswer, programmatic: boolean): string {
  if (programmatic) return 'check the passphrase given';
  switch (answer.origin) {
    case 'prompt':
      return 'the passphrase typed at the prompt was wrong each time; check the keyboard layout and caps lock';
    case 'file':
      return `the passphrase was read from the file ${answer.file ?? ''} (--passphrase-file or AGENT_VAULT_PASSPHRASE_FILE): check that file`;
    case 'stdin':
      return 'the passphrase was read from stdin (--passphrase-stdin): check what was piped in';
    case 'variable':
      return 'the passphrase was read from AGENT_VAULT_PASSPHRASE: check that variable';
  }
}
