/**
 * A session is a store plus the principal calling: the owner (proved by the passphrase)
 * or one agent (proved by its token). It unlocks vaults, writes them under their lock,
 * and records audit events. The CLI and the programmatic API both work through it.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { AccessDeniedError, AuthError, IntegrityError, VaultError } from '../core/errors.js';
import { checkAgentId } from '../core/ids.js';
import { parseToken, type AgentToken } from '../core/token.js';
import { emptyPayload, encodePayload, parsePayload, type VaultPayload } from '../core/vault.js';
import type { AuditEvent, AuditResult } from '../core/audit-event.js';
import { KEY_LENGTH } from '../format/aead.js';
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
import { appendAuditEvent } from '../store/audit-log.js';
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

export class Session {
  readonly files: StoreFiles;
  readonly principal: Principal;
  readonly now: () => Date;
  private ownerKeyPromise: Promise<Buffer> | undefined;

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
        this.recordStoreEvent({ actor: 'owner', agent: '', action: 'auth.denied', result: 'denied', reason: 'wrong passphrase' });
        throw new AuthError('wrong passphrase', 'check the passphrase file or AGENT_VAULT_PASSPHRASE');
      }
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
      return { file, vaultKey, payload: parsePayload(openVaultPayload(file, vaultKey), agent) };
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
    return { file, vaultKey, payload: parsePayload(openVaultPayload(file, vaultKey), agent) };
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

  /** Creates an agent's vault and returns its one-time token. Owner only. */
  async provision(agent: string): Promise<string> {
    checkAgentId(agent);
    this.requireOwner('provisioning an agent');
    const ownerKey = await this.ownerKey();
    const { createToken } = await import('../core/token.js');
    return this.files.withVaultLock(agent, () => {
      const { token, parsed } = createToken(agent);
      const vaultKey = randomBytes(KEY_LENGTH);
      const { publicKey, privateKey } = generateKeyPairSync('x25519');
      const now = nowIso(this.now);
      const header: VaultHeader = {
        agent,
        created: now,
        updated: now,
        owner: wrapOwnerSlot(ownerKey, agent, vaultKey),
        token: wrapTokenSlot(parsed.secret, agent, vaultKey),
        publicKey: publicKey.export({ format: 'der', type: 'spki' }).subarray(-32),
      };
      const payload = emptyPayload(agent, privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'));
      this.files.createVault(agent, encodeVaultFile(header, vaultKey, encodePayload(payload)));
      return token;
    });
  }

  /**
   * Issues a new token and re-keys the vault: a new vault key, so whoever held the old
   * token cannot open this or any later version of the file. Owner only.
   *
   * The agent's X25519 key pair is replaced too, and the grants it received are
   * re-sealed to the new key: the old token opened the old private key, so without
   * this a leaked token would still open every future update of those grants. The
   * grants it gave end: a leaked token could have granted its credentials to an agent
   * the thief controls, to keep receiving their future values after the owner rotates.
   */
  async rotateToken(agent: string): Promise<string> {
    this.requireOwner('rotating a token');
    const ownerKey = await this.ownerKey();
    const { createToken } = await import('../core/token.js');
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
      const payload: VaultPayload = { ...vault.payload, privateKey: keyPair.privateKey };
      delete payload.grants;
      new GrantFiles(this.files.paths).removeInvolving(agent, { given: true, received: false });
      this.files.writeVault(agent, this.seal(header, vaultKey, payload));
      this.files.removeBackup(agent);
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
    await forgetGrantsTo(this, agent);
    await this.files.withVaultLock(agent, () => {
      new GrantFiles(this.files.paths).removeInvolving(agent, { given: true, received: true });
      this.files.deleteVault(agent, nowIso(this.now));
    });
  }

  /**
   * Appends an event to the log of `agent`'s vault, or to the store's log when that
   * agent has no vault (so a probe for unknown agents cannot create log files).
   */
  record(agent: string, event: { action: string; key?: string; result?: AuditResult; reason?: string }): void {
    const full: AuditEvent = { actor: this.actor, agent, result: 'ok', ...event };
    if (this.files.hasVault(agent)) appendAuditEvent(this.files.paths.auditLog(agent), full, this.now());
    else this.recordStoreEvent(full);
  }

  /**
   * Runs `fn` and records its outcome as one audit event per key (or one without a
   * key): `ok`, or `not_found` / `error` when it throws. Failed authentication and
   * denied access are recorded where they happen, not again here.
   */
  async audited<T>(agent: string, action: string, keys: string | string[] | undefined, fn: () => Promise<T>): Promise<T> {
    const each = keys === undefined ? [undefined] : Array.isArray(keys) ? keys : [keys];
    const recordAll = (result: AuditResult, reason?: string): void => {
      for (const key of each) this.record(agent, { action, ...(key === undefined ? {} : { key }), result, ...(reason === undefined ? {} : { reason }) });
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

  /** Appends an event to the store-wide log. */
  recordStoreEvent(event: AuditEvent): void {
    if (!this.files.isInitialised()) return;
    appendAuditEvent(this.files.paths.storeAuditLog, event, this.now());
  }
}
