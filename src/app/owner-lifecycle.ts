/**
 * The owner's lifecycle: changing the passphrase (`passwd`) and replacing the root key
 * (`rekey`). Both go through the storage interface, holding the store file's exclusive
 * section, so two of them never interleave.
 *
 * `passwd` rewrites one object, the store file, with one atomic replace: the passphrase
 * only wraps the root key. `rekey` touches every vault (its owner slot and the owner
 * verify key its payload pins), every key certificate (signed by a key derived from the
 * root key), the store file and the store log's head, so it runs under the rekey
 * journal: written first, removed last, and finished by the next owner command (see
 * {@link finishInterruptedRekey}) should a crash stop it in between. Every step does
 * nothing when already done, so finishing is running the same steps again.
 */
import { randomBytes } from 'node:crypto';
import { BusyError, IntegrityError } from '../core/errors.js';
import type { VaultPayload } from '../core/vault.js';
import { KEY_LENGTH } from '../format/aead.js';
import { planHeadReanchor } from '../format/audit-append.js';
import { storeAuditKeyring } from '../format/audit-line.js';
import { FormatError } from '../format/format-error.js';
import { deriveOwnerSigningKey } from '../format/key-certificate.js';
import type { KdfParams } from '../format/kdf.js';
import { deriveStoreAuditKey } from '../format/keys.js';
import { encodeRekeyJournal, openRekeyJournal } from '../format/rekey-journal.js';
import { createStoreFile, encodeStoreFile, openPassphraseSlot, openStoreKeys, parseStoreFile } from '../format/store-file.js';
import { openVault, unwrapOwnerSlot, wrapOwnerSlot } from '../format/vault-file.js';
import { objectIds, STORE_LOG, type Generation } from '../store/backend.js';
import { certifiedPublicKey, certifyAgentKey, ownerVerifyKey } from './agent-keys.js';
import { derivePassphraseKey } from './owner-key.js';
import { resealHooks } from './hooks.js';
import type { Session } from './session.js';

/** The store file as read, parsed, with its generation. */
async function readStore(session: Session): Promise<{ bytes: Buffer; generation: Generation; file: ReturnType<typeof parseStoreFile> }> {
  const found = await session.store.read(objectIds.store);
  if (!found) throw new IntegrityError(`the store file of ${session.store.location} is gone`, 'restore it from a backup');
  return { bytes: found.bytes, generation: found.generation, file: parseStoreFile(found.bytes) };
}

/**
 * Changes the owner passphrase: the store file's passphrase slot is written anew under
 * a key from `passphrase` (with `kdf`, the old costs and a new salt by default), the
 * root key and everything it keys unchanged, so tokens, grants and logs are untouched.
 * Every owner session ends with it, since a session holds the old passphrase key.
 * No `.bak` of the store file is kept: the old passphrase would open it.
 */
export async function changePassphrase(session: Session, passphrase: string, kdf: (current: KdfParams) => KdfParams): Promise<KdfParams> {
  session.requireOwner('changing the passphrase');
  const { rootKey } = await session.ownerSecrets();
  return session.store.exclusive(objectIds.store, async () => {
    const read = await readStore(session);
    const retired = openStoreKeys(read.file, rootKey);
    if (!retired) throw new BusyError('the root key changed while the passphrase was being changed (a rekey ran)', 'run agent-vault passwd again');
    const params = kdf(read.file.kdf);
    const next = createStoreFile(await derivePassphraseKey(passphrase, params), params, rootKey, retired);
    const written = await session.store.replace(objectIds.store, encodeStoreFile(next), read.generation);
    await session.store.forgetPrevious(objectIds.store);
    try {
      await session.audit.recordStore({ agent: '', action: 'owner.passwd' });
    } catch (err) {
      // Acknowledged only with its line: put the old passphrase back if the line cannot be written.
      await session.store.replace(objectIds.store, read.bytes, written).catch(() => session.warn('the passphrase was changed, but its audit line could not be written'));
      throw err;
    }
    return params;
  });
}

/**
 * Replaces the root key: new owner slots in every vault, every key certificate signed
 * anew, and the store file wrapping the new key (its commit), the store log starting a
 * new key epoch. The passphrase, tokens and grants keep working. The session goes on
 * with the new key.
 */
export async function rekeyStore(session: Session): Promise<void> {
  session.requireOwner('replacing the root key');
  const { rootKey: previous } = await session.ownerSecrets();
  await session.store.exclusive(objectIds.store, async () => {
    // Every vault must open first: one that does not (exit 6, naming it) would be left
    // under the old root key, and no owner command could open it, or its .bak, again.
    for (const agent of await session.listAgents()) await session.unlock(agent);
    const next = randomBytes(KEY_LENGTH);
    const at = session.now().toISOString();
    await session.store.put(objectIds.rekeyJournal, encodeRekeyJournal(at, previous, next));
    await finishRekey(session, previous, next);
  });
}

/**
 * Finishes a rekey a crash interrupted, if its journal is there: run once the owner is
 * proved, before anything else (the lifecycle journals are keyed by the root key, so
 * they come after). Returns what it did, for a notice.
 */
export async function finishInterruptedRekey(session: Session): Promise<string | undefined> {
  if (!(await session.store.exists(objectIds.rekeyJournal))) return undefined;
  return session.store.exclusive(objectIds.store, async () => {
    // Read again holding the store: a rekey still at work holds it until its entry is gone.
    const found = await session.store.read(objectIds.rekeyJournal);
    const { rootKey } = await session.ownerSecrets();
    if (!found) {
      await adoptCurrentRootKey(session);
      return undefined;
    }
    let rekey;
    try {
      rekey = openRekeyJournal(found.bytes, rootKey);
    } catch (err) {
      if (err instanceof FormatError) throw new IntegrityError(`${session.store.describe(objectIds.rekeyJournal)}: ${err.message}`, 'remove it if no agent-vault rekey was interrupted');
      throw err;
    }
    await finishRekey(session, rekey.previous, rekey.next);
    return 'finished an interrupted rekey: the new root key is in use';
  });
}

/** After a rekey by another process finished while this session waited: take the root key the store file holds now. */
async function adoptCurrentRootKey(session: Session): Promise<void> {
  const { rootKey, passphraseKey } = await session.ownerSecrets();
  const { file } = await readStore(session);
  const current = openPassphraseSlot(file, passphraseKey);
  if (!current || current.equals(rootKey)) return;
  const retired = openStoreKeys(file, current);
  if (retired) session.adoptRootKey(current, retired);
}

/** The steps of a rekey from `previous` to `next`, each a no-op when done; holding the store. */
async function finishRekey(session: Session, previous: Buffer, next: Buffer): Promise<void> {
  for (const agent of await session.listAgents()) await rekeyVault(session, agent, previous, next);
  await resealHooks(session, previous, next);
  const { passphraseKey } = await session.ownerSecrets();
  const read = await readStore(session);
  const committed = openPassphraseSlot(read.file, passphraseKey)?.equals(next) === true;
  let retired = committed ? openStoreKeys(read.file, next) : openStoreKeys(read.file, previous);
  if (!retired) throw new IntegrityError(`the store file of ${session.store.location} opens under neither root key of the rekey`, 'restore it from a backup');
  if (!committed) {
    // The commit: from here on the passphrase opens the new root key.
    retired = [...retired, deriveStoreAuditKey(previous)];
    await session.store.replace(objectIds.store, encodeStoreFile(createStoreFile(passphraseKey, read.file.kdf, next, retired)), read.generation);
    await session.store.forgetPrevious(objectIds.store);
  }
  session.adoptRootKey(next, retired);
  // A vault provisioned by an owner command that proved the old root key before this
  // rekey took the store (it does not wait for the store's lock) is moved over too.
  for (const agent of await session.listAgents()) await rekeyVault(session, agent, previous, next);
  const before = storeAuditKeyring(previous, retired.slice(0, -1));
  await session.store.audit.rewriteHead(STORE_LOG, (tail) => planHeadReanchor(tail, before, storeAuditKeyring(next, retired)));
  await session.audit.recordStore({ agent: '', action: 'owner.rekey' });
  await session.store.remove(objectIds.rekeyJournal);
}

/**
 * One vault moved to the new root key: its owner slot wraps the same vault key under
 * `next`, its payload pins the new owner verify key, and its key certificate is signed
 * anew. The previous generation is not kept: it opens under the old root key.
 */
async function rekeyVault(session: Session, agent: string, previous: Buffer, next: Buffer): Promise<void> {
  const id = objectIds.vault(agent);
  await session.store.exclusive(id, async () => {
    const { file, generation } = await session.readVaultFile(agent);
    const underNext = unwrapOwnerSlot(next, agent, file.header.owner);
    const vaultKey = underNext ?? unwrapOwnerSlot(previous, agent, file.header.owner);
    if (!vaultKey) throw new IntegrityError(`the owner key slot of agent ${agent} opens under neither root key of the rekey: the vault file was altered`);
    const payload: VaultPayload = openVault(file, vaultKey);
    const verifyKey = ownerVerifyKey(next);
    if (!underNext || payload.ownerSigningKey !== verifyKey) {
      await session.store.replace(id, session.seal({ ...file.header, owner: wrapOwnerSlot(next, agent, vaultKey) }, vaultKey, Object.assign(payload, { ownerSigningKey: verifyKey })), generation);
      await session.store.forgetPrevious(id);
    }
    // Signed anew only if it does not verify under the new key yet: a finisher and the
    // second pass then write nothing.
    const certified = await certifiedPublicKey(session, agent, deriveOwnerSigningKey(next).publicKey).catch((err: unknown) => {
      if (err instanceof IntegrityError) return undefined;
      throw err;
    });
    if (!certified?.equals(file.header.publicKey)) await certifyAgentKey(session, next, agent, file.header.publicKey);
  });
}
