/**
 * A session is a store plus the principal calling: the owner (proved by the passphrase)
 * or one agent (proved by its token). It unlocks vaults, writes them under their lock,
 * and records audit events. The CLI and the programmatic API both work through it.
 */
import { randomBytes } from 'node:crypto';
import { AccessDeniedError, AuthError, IntegrityError, VaultError } from '../core/errors.js';
import { checkAgentId } from '../core/ids.js';
import { parseToken, type AgentToken } from '../core/token.js';
import { emptyPayload, encodePayload, parsePayload, type VaultPayload } from '../core/vault.js';
import type { AuditEvent, AuditResult } from '../core/audit-event.js';
import { KEY_LENGTH } from '../format/aead.js';
import { storeAuditKeyring, type AuditKeyring } from '../format/audit-line.js';
import { decodeBase64, encodeBase64 } from '../format/encoding.js';
import { verifyOwnerKey } from '../format/store-file.js';
import {
  encodeVaultFile,
  openVaultPayload,
  unwrapOwnerSlot,
  unwrapTokenSlot,
  wrapOwnerSlot,
  wrapTokenSlot,
  type ParsedVaultFile,
  type VaultHeader,
} from '../format/vault-file.js';
import { generateAgentKeyPair } from '../format/grant-file.js';
import { appendAuditEvent, reanchorAuditHead, type AppendOutcome } from '../store/audit-log.js';
import { GrantFiles } from '../store/grant-files.js';
import { StoreFiles } from '../store/store-files.js';
import { deriveOwnerKey } from './owner-key.js';

/** Supplies the owner passphrase when (and only when) it is first needed. */
export type PassphraseSource = () => Promise<string>;

/** Who is calling. */
export type Principal = { kind: 'owner'; passphrase: PassphraseSource } | { kind: 'agent'; token: AgentToken };

/** An unlocked vault: its parsed file, its key, and its decrypted payload. */
export interface UnlockedVault {
  file: ParsedVaultFile;
  vaultKey: Buffer;
  payload: VaultPayload;
}

export interface SessionOptions {
  /** The store directory. */
  store: string;
  /** An agent token; when given it alone decides who is calling. */
  token?: string;
  /** The owner passphrase, or a function that asks for it. */
  passphrase?: string | PassphraseSource;
  env?: NodeJS.ProcessEnv;
  /** The clock, for tests. */
  now?: () => Date;
}

function nowIso(now: () => Date): string {
  return now().toISOString();
}

/** The fields a caller gives {@link Session.record}; the session adds actor and agent. */
export type RecordedEvent = Omit<AuditEvent, 'actor' | 'agent' | 'result'> & { result?: AuditResult };

function keyringOf(payload: VaultPayload): AuditKeyring {
  return { keys: payload.auditKeys.map((key, i) => decodeBase64(key, `audit key ${i}`, KEY_LENGTH)) };
}

export class Session {
  readonly files: StoreFiles;
  readonly principal: Principal;
  readonly now: () => Date;
  private ownerKeyPromise: Promise<Buffer> | undefined;
  /** The owner key once the passphrase was proved right: it keys the owner's lines in the store's log. */
  private provenOwnerKey: Buffer | undefined;
  /** The audit keys of the vaults this session opened, by agent. */
  private readonly auditKeyrings = new Map<string, AuditKeyring>();

  constructor(options: SessionOptions) {
    this.files = new StoreFiles(options.store, options.env ?? {});
    this.now = options.now ?? (() => new Date());
    if (options.token !== undefined) {
      this.principal = { kind: 'agent', token: this.parseTokenOrRecord(options.token) };
    } else {
      const source = options.passphrase;
      const ask: PassphraseSource =
        typeof source === 'string' ? async () => source : (source ?? (async () => Promise.reject(new AuthError('no passphrase or token given'))));
      this.principal = { kind: 'owner', passphrase: ask };
    }
  }

  private parseTokenOrRecord(token: string): AgentToken {
    try {
      return parseToken(token);
    } catch (err) {
      this.recordStoreEvent({ actor: 'unknown', agent: '', action: 'auth.denied', result: 'denied', reason: 'malformed token' });
      throw err;
    }
  }

  /** `owner` or `agent:<id>`, as audit lines name the caller. */
  get actor(): string {
    return this.principal.kind === 'owner' ? 'owner' : `agent:${this.principal.token.agent}`;
  }

  /** The agent a token names, if the caller is an agent. */
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

  /** Derives and checks the owner key once per session; a wrong passphrase is exit 4. */
  ownerKey(): Promise<Buffer> {
    if (this.principal.kind !== 'owner') return Promise.reject(new AccessDeniedError('this needs the owner passphrase'));
    const principal = this.principal;
    this.ownerKeyPromise ??= (async () => {
      const store = this.files.readStoreFile();
      const passphrase = await principal.passphrase();
      const key = await deriveOwnerKey(passphrase, store.kdf);
      if (!verifyOwnerKey(store, key)) {
        // A wrong passphrase proves nothing about who typed it.
        this.recordStoreEvent({ actor: 'unknown', agent: '', action: 'auth.denied', result: 'denied', reason: 'wrong passphrase' });
        throw new AuthError('wrong passphrase', 'check the passphrase file or AGENT_VAULT_PASSPHRASE');
      }
      this.provenOwnerKey = key;
      return key;
    })();
    return this.ownerKeyPromise;
  }

  /** Unlocks an agent's vault for reading. An agent may open only its own. */
  async unlock(agent: string): Promise<UnlockedVault> {
    checkAgentId(agent);
    if (this.principal.kind === 'owner') {
      const ownerKey = await this.ownerKey();
      const file = this.files.readVault(agent);
      const vaultKey = unwrapOwnerSlot(ownerKey, agent, file.header.owner);
      // The passphrase was verified against the store file, so a slot that does not
      // open is a damaged or swapped vault, not a wrong passphrase.
      if (!vaultKey) throw new IntegrityError(`the owner key slot of agent ${agent} does not open: the vault file was altered or belongs to another store`);
      return this.opened(agent, file, vaultKey);
    }
    const token = this.principal.token;
    if (token.agent !== agent) {
      this.record(agent, { action: 'access.denied', result: 'denied', reason: `agent ${token.agent} has no access to this vault` });
      throw new AccessDeniedError(`agent ${token.agent} may not open the vault of agent ${agent}`);
    }
    let file: ParsedVaultFile;
    try {
      file = this.files.readVault(agent);
    } catch (err) {
      if (err instanceof VaultError && err.exitCode === 3) {
        this.recordStoreEvent({ actor: 'unknown', agent, action: 'auth.denied', result: 'denied', reason: 'token for an agent that is not provisioned' });
        throw new AuthError('token not accepted: its agent is not provisioned', 'ask the owner for a new token');
      }
      throw err;
    }
    const vaultKey = unwrapTokenSlot(token.secret, agent, file.header.token);
    if (!vaultKey) {
      this.recordStoreEvent({ actor: 'unknown', agent, action: 'auth.denied', result: 'denied', reason: 'token does not open the vault' });
      throw new AuthError('token not accepted: it is wrong or was rotated', 'ask the owner for the current token (agent-vault token rotate)');
    }
    return this.opened(agent, file, vaultKey);
  }

  /** Decrypts a vault and remembers its audit keys, so events about it can be keyed. */
  private opened(agent: string, file: ParsedVaultFile, vaultKey: Buffer): UnlockedVault {
    const payload = parsePayload(openVaultPayload(file, vaultKey), agent);
    this.auditKeyrings.set(agent, keyringOf(payload));
    return { file, vaultKey, payload };
  }

  /** The audit keys of `agent`'s log; the caller must be allowed to open that vault. */
  async auditKeyring(agent: string): Promise<AuditKeyring> {
    await this.unlock(agent);
    return this.auditKeyrings.get(agent)!;
  }

  /** The key of the store's own log. Owner only. */
  async storeAuditKeyring(): Promise<AuditKeyring> {
    return storeAuditKeyring(await this.ownerKey());
  }

  /**
   * Read-modify-write of an agent's vault under its lock: `change` sees the freshly
   * read payload and may mutate it; the result is sealed and replaced atomically.
   * `afterWrite` runs once the new vault is on disk, still under the lock (grants are
   * re-sealed there, so a grant never holds a value its granter's vault does not).
   */
  async modify<T>(agent: string, change: (vault: UnlockedVault) => T | Promise<T>, options: { afterWrite?: () => void } = {}): Promise<T> {
    if (this.principal.kind === 'owner') await this.ownerKey();
    return this.files.withVaultLock(agent, async () => {
      const vault = await this.unlock(agent);
      const result = await change(vault);
      this.files.writeVault(agent, this.seal(vault.file.header, vault.vaultKey, vault.payload));
      options.afterWrite?.();
      return result;
    });
  }

  private seal(header: VaultHeader, vaultKey: Buffer, payload: VaultPayload): Buffer {
    return encodeVaultFile({ ...header, updated: nowIso(this.now) }, vaultKey, encodePayload(payload));
  }

  /** Creates an agent's vault, records `agent.provision` as its log's first line, and returns its one-time token. Owner only. */
  async provision(agent: string): Promise<string> {
    checkAgentId(agent);
    this.requireOwner('provisioning an agent');
    const ownerKey = await this.ownerKey();
    const { createToken } = await import('../core/token.js');
    const { certifyAgentKey, ownerVerifyKey } = await import('./agent-keys.js');
    return this.files.withVaultLock(agent, () => {
      const { token, parsed } = createToken(agent);
      const vaultKey = randomBytes(KEY_LENGTH);
      const keyPair = generateAgentKeyPair();
      const now = nowIso(this.now);
      const header: VaultHeader = {
        agent,
        created: now,
        updated: now,
        owner: wrapOwnerSlot(ownerKey, agent, vaultKey),
        token: wrapTokenSlot(parsed.secret, agent, vaultKey),
        publicKey: keyPair.publicKey,
      };
      const payload = emptyPayload(agent, keyPair.privateKey, ownerVerifyKey(ownerKey), encodeBase64(randomBytes(KEY_LENGTH)));
      this.files.createVault(agent, encodeVaultFile(header, vaultKey, encodePayload(payload)));
      certifyAgentKey(this, ownerKey, agent, keyPair.publicKey);
      this.auditKeyrings.set(agent, keyringOf(payload));
      // Still under the vault lock, so it is the log's first line: `audit verify` relies on that.
      this.record(agent, { action: 'agent.provision' });
      return token;
    });
  }

  /**
   * Issues a new token and re-keys the vault: a new vault key, so whoever held the old
   * token cannot open this or any later version of the file. Owner only.
   *
   * It also starts a new audit key epoch: the old token could read the old audit key,
   * so from now on lines and the head are keyed with a new one, and `audit verify`
   * rejects old-epoch lines after it.
   *
   * The agent's X25519 key pair is replaced too (and certified anew), and the grants it
   * received are re-sealed to the new key: the old token opened the old private key, so
   * without this a leaked token would still open every future update of those grants. The
   * grants it gave end: a leaked token could have granted its credentials to an agent
   * the thief controls, to keep receiving their future values after the owner rotates.
   */
  async rotateToken(agent: string): Promise<string> {
    this.requireOwner('rotating a token');
    const ownerKey = await this.ownerKey();
    const { createToken } = await import('../core/token.js');
    const { certifyAgentKey, ownerVerifyKey } = await import('./agent-keys.js');
    const rotated = await this.files.withVaultLock(agent, async () => {
      const vault = await this.unlock(agent);
      const { token, parsed } = createToken(agent);
      const vaultKey = randomBytes(KEY_LENGTH);
      const keyPair = generateAgentKeyPair();
      const header: VaultHeader = {
        ...vault.file.header,
        owner: wrapOwnerSlot(ownerKey, agent, vaultKey),
        token: wrapTokenSlot(parsed.secret, agent, vaultKey),
        publicKey: keyPair.publicKey,
      };
      const previous = keyringOf(vault.payload);
      const payload: VaultPayload = {
        ...vault.payload,
        privateKey: keyPair.privateKey,
        ownerSigningKey: ownerVerifyKey(ownerKey),
        auditKeys: [...vault.payload.auditKeys, encodeBase64(randomBytes(KEY_LENGTH))],
      };
      delete payload.grants;
      new GrantFiles(this.files.paths).removeInvolving(agent, { given: true, received: false });
      this.files.writeVault(agent, this.seal(header, vaultKey, payload));
      certifyAgentKey(this, ownerKey, agent, keyPair.publicKey);
      this.files.removeBackup(agent);
      const next = keyringOf(payload);
      this.auditKeyrings.set(agent, next);
      reanchorAuditHead(this.files.paths.auditLog(agent), previous, next, this.files.lockTimeout);
      return token;
    });
    const { resealGrantsTo } = await import('./grants.js');
    await resealGrantsTo(this, agent);
    return rotated;
  }

  /**
   * Deletes an agent's vault; its token stops working with it. Every grant to or from
   * it ends, and other vaults forget the grants they gave it, so a new agent later
   * provisioned under the same name inherits none of them. Owner only.
   */
  async deprovision(agent: string): Promise<void> {
    this.requireOwner('deprovisioning an agent');
    await this.unlock(agent);
    const { forgetGrantsTo } = await import('./grants.js');
    const { removeAgentKey } = await import('./agent-keys.js');
    await forgetGrantsTo(this, agent);
    await this.files.withVaultLock(agent, () => {
      // The certificate goes first: should the rest fail, no grant is sealed to this key.
      removeAgentKey(this, agent);
      new GrantFiles(this.files.paths).removeInvolving(agent, { given: true, received: true });
      this.files.deleteVault(agent, nowIso(this.now));
    });
    this.auditKeyrings.delete(agent);
  }

  /**
   * Records an event about `agent`'s vault. The log it goes into is decided by who can
   * key it, so no log holds a line its vault's keys cannot vouch for:
   * - a caller who can open that vault (the owner, or the agent itself): that vault's log;
   * - another agent, who proved itself with its token: its own log, naming `agent`;
   * - a caller who proved nothing (a wrong token or passphrase): the store's log, unkeyed.
   */
  record(agent: string, event: RecordedEvent): void {
    const full: AuditEvent = { actor: this.actor, agent, result: 'ok', ...event };
    const keyring = this.keyringFor(agent);
    if (keyring) return this.appendToVaultLog(agent, full, keyring);
    const caller = this.tokenAgent;
    const own = caller !== undefined && caller !== agent ? this.keyringFor(caller) : undefined;
    if (own) return this.appendToVaultLog(caller!, full, own);
    this.recordStoreEvent(full);
  }

  /**
   * Appends to the log of `vault`, keyed. If `token rotate` started a newer key epoch
   * since this session opened that vault, the line may not go there keyed with the
   * retired key: the session re-opens the vault for the newer key if it still can (the
   * owner can), and otherwise, its token rotated, records the event in the store's log
   * with a reason saying so.
   */
  private appendToVaultLog(vault: string, event: AuditEvent, keyring: AuditKeyring): void {
    const log = this.files.paths.auditLog(vault);
    if (this.append(log, event, keyring) === 'appended') return;
    this.auditKeyrings.delete(vault);
    const fresh = this.keyringFor(vault);
    if (!fresh) this.auditKeyrings.set(vault, keyring); // so later events are noted the same way
    else if (fresh.keys.length > keyring.keys.length && this.append(log, event, fresh) === 'appended') return;
    const note = `written by a holder of a superseded audit key of the log of agent ${vault}: its token was rotated`;
    this.recordStoreEvent({ ...event, reason: event.reason === undefined ? note : `${event.reason}; ${note}` });
  }

  /**
   * The audit keys of `agent`'s vault if this session has opened it, or can open it
   * without asking for anything: with the proven owner key, or with the caller's token.
   */
  private keyringFor(agent: string): AuditKeyring | undefined {
    const known = this.auditKeyrings.get(agent);
    if (known || !this.files.hasVault(agent)) return known;
    try {
      const file = this.files.readVault(agent);
      const vaultKey =
        this.principal.kind === 'owner'
          ? this.provenOwnerKey && unwrapOwnerSlot(this.provenOwnerKey, agent, file.header.owner)
          : this.principal.token.agent === agent
            ? unwrapTokenSlot(this.principal.token.secret, agent, file.header.token)
            : undefined;
      if (!vaultKey) return undefined;
      this.opened(agent, file, vaultKey);
      return this.auditKeyrings.get(agent);
    } catch {
      // A vault that does not open cannot key a line; the line goes to another log.
      return undefined;
    }
  }

  private append(log: string, event: AuditEvent, keyring: AuditKeyring | undefined): AppendOutcome {
    return appendAuditEvent(log, event, { now: this.now(), lockTimeoutMs: this.files.lockTimeout, ...(keyring ? { keyring } : {}) });
  }

  /**
   * Runs `fn` and records its outcome as one audit event per key (or one without a
   * key): `ok`, or `not_found` / `error` when it throws. Failed authentication and
   * denied access are recorded where they happen, not again here.
   */
  async audited<T>(
    agent: string,
    action: string,
    keys: string | string[] | undefined,
    fn: () => Promise<T>,
    details: Pick<RecordedEvent, 'to' | 'program'> = {},
  ): Promise<T> {
    const each = keys === undefined ? [undefined] : Array.isArray(keys) ? keys : [keys];
    const recordAll = (result: AuditResult, reason?: string): void => {
      for (const key of each) this.record(agent, { action, ...(key === undefined ? {} : { key }), ...details, result, ...(reason === undefined ? {} : { reason }) });
    };
    try {
      const value = await fn();
      recordAll('ok');
      return value;
    } catch (err) {
      if (!(err instanceof AuthError) && !(err instanceof AccessDeniedError)) {
        recordAll(err instanceof VaultError && err.exitCode === 3 ? 'not_found' : 'error', err instanceof VaultError ? err.message : undefined);
      }
      throw err;
    }
  }

  /** Appends an event to the store-wide log, keyed when the owner proved the passphrase. */
  recordStoreEvent(event: AuditEvent): void {
    if (!this.files.isInitialised()) return;
    const keyring = this.provenOwnerKey && storeAuditKeyring(this.provenOwnerKey);
    // The store key has one epoch, so a head claiming a newer one was forged: record the event unkeyed all the same.
    if (this.append(this.files.paths.storeAuditLog, event, keyring) === 'superseded') this.append(this.files.paths.storeAuditLog, event, undefined);
  }
}
