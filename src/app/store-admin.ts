/**
 * The store as a whole: creating it (`init`) and describing it (`status`). Both go
 * through the storage interface like everything else in `app/`.
 */
import { randomBytes } from 'node:crypto';
import { AuthError, IntegrityError, UsageError } from '../core/errors.js';
import { checkAgentId } from '../core/ids.js';
import { KEY_LENGTH } from '../format/aead.js';
import { storeAuditKeyring } from '../format/audit-line.js';
import type { KdfParams } from '../format/kdf.js';
import type { VaultHeader } from '../format/vault-file.js';
import { createStoreFile, encodeStoreFile } from '../format/store-file.js';
import { objectIds, STORE_LOG, WriteConflictError, type StorageBackend } from '../store/backend.js';
import { derivePassphraseKey } from './owner-key.js';
import { AuditRecorder } from './recorder.js';
import type { Session } from './session.js';
import { countDue } from './lifecycle.js';

const exists = (store: StorageBackend): UsageError => new UsageError(`a store already exists at ${store.location}`, 'use it, or pass --store DIR for a new one');

/** Refuses early, before a passphrase is asked for, when `store` already exists. */
export async function checkStoreAbsent(store: StorageBackend): Promise<void> {
  if (await store.isInitialised()) throw exists(store);
}

/**
 * Creates the store: a random root key, the store log's first line, `store.init`,
 * keyed with a key derived from it, then the store file (KDF parameters, and the root
 * key wrapped under the passphrase key).
 * The store file is written last, as the commit: until it exists nobody else appends
 * to the store's log (so `store.init` is always its first line), and a crash before it
 * leaves a log that the next `init` recognises as its own debris and starts over.
 */
export async function initStore(store: StorageBackend, passphrase: string, kdf: KdfParams, now: () => Date): Promise<void> {
  await checkStoreAbsent(store);
  if ((await store.list('vaults/')).length > 0) {
    throw new IntegrityError(`the store file of ${store.location} is missing, but vaults are there`, 'restore the store file from a backup; init would orphan them');
  }
  const passphraseKey = await derivePassphraseKey(passphrase, kdf);
  const rootKey = randomBytes(KEY_LENGTH);
  await store.prepare();
  await store.audit.discard(STORE_LOG);
  const keyring = storeAuditKeyring(rootKey);
  const owner = { provenActor: () => 'owner', tokenAgent: undefined, keyringFor: async () => undefined, storeKeyring: () => keyring };
  await new AuditRecorder(store, owner, now).recordStore({ agent: '', action: 'store.init' }, { beforeInit: true });
  try {
    await store.create(objectIds.store, encodeStoreFile(createStoreFile(passphraseKey, kdf, rootKey, [])));
  } catch (err) {
    if (err instanceof WriteConflictError) throw exists(store);
    throw err;
  }
}

/** One agent as `status` shows it. */
export interface AgentStatus {
  agent: string;
  provisioned: boolean;
  created?: string;
  updated?: string;
  /** Known only when the caller may unlock the vault without being asked. */
  credentials?: number;
  /** How many of those credentials are due for rotation or expired, counted with them. */
  credentials_due?: number;
  /** The vault file is there but does not parse (the warning says why). */
  damaged?: true;
}

/**
 * `status`: every agent (or `only`), provisioned or not, with its vault's times, which
 * need no key. Credentials are counted where `mayCount` allows it and the caller's
 * proof works; a refused proof leaves the count out rather than failing.
 */
export async function storeStatus(session: Session, only: string | undefined, mayCount: (agent: string) => boolean): Promise<AgentStatus[]> {
  // A store that does not exist is exit 3 naming `init`, as for every other command, not an empty table.
  if (!(await session.store.isInitialised())) await session.readStoreFile();
  const agents = only !== undefined ? [checkAgentId(only)] : await session.listAgents();
  const rows: AgentStatus[] = [];
  for (const agent of agents) {
    if (!(await session.hasVault(agent))) {
      rows.push({ agent, provisioned: false });
      continue;
    }
    let header: VaultHeader;
    try {
      header = (await session.readVaultFile(agent)).file.header;
    } catch (err) {
      // One damaged vault is reported in its row, not as the failure of every row.
      if (!(err instanceof IntegrityError)) throw err;
      session.warn(err.message);
      rows.push({ agent, provisioned: true, damaged: true });
      continue;
    }
    let credentials: number | undefined;
    let due: number | undefined;
    if (mayCount(agent)) {
      try {
        const { payload } = await session.unlock(agent);
        credentials = payload.credentials.length;
        due = countDue(payload, session.now());
      } catch (err) {
        if (!(err instanceof AuthError) && !(err instanceof IntegrityError)) throw err;
        if (err instanceof IntegrityError) session.warn(err.message);
      }
    }
    rows.push({ agent, provisioned: true, created: header.created, updated: header.updated, ...(credentials === undefined ? {} : { credentials }), ...(due === undefined ? {} : { credentials_due: due }) });
  }
  return rows;
}
