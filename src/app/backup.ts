/**
 * `backup`, `backup verify` and `restore`: the whole store as a ustar archive
 * (format/tar.ts) inside an age file (age-encryption.org/v1, so the `age` tool itself
 * decrypts it). The archive holds every object under its id (`store`, `hooks`, `hook-cursor`,
 * `vaults/<agent>`, `keys/…`, `grants/…`, `journals/…`, `proposals/…`) and every audit log and head as
 * `logs/<log name>` and `heads/<log name>`, all read through the storage interface,
 * so a backup is taken from and restored to any backend.
 *
 * age-encryption is an ES module loaded only here, when a backup is written or read.
 */
import { AuthError, IntegrityError, UsageError, VaultError } from '../core/errors.js';
import { checkAuditLog } from '../format/audit-chain.js';
import { openPassphraseSlot, parseStoreFile } from '../format/store-file.js';
import { encodeTar, parseTar, type TarEntry } from '../format/tar.js';
import { parseVaultFile } from '../format/vault-file.js';
import { agentLog, objectIds, STORE_LOG, type AuditLogRef, type ObjectId, type StorageBackend } from '../store/backend.js';
import { derivePassphraseKey } from './owner-key.js';
import type { Session } from './session.js';

/** Who can open a backup: one passphrase (scrypt), or X25519 recipients (`age1…`). */
export type BackupLock = { passphrase: string } | { recipients: string[] };

/** What opens a backup: its passphrase, or identities (`AGE-SECRET-KEY-1…`). */
export type BackupKey = { passphrase: string } | { identities: string[] };

/** What a checked backup holds. */
export interface BackupContents {
  objects: Array<{ id: ObjectId; bytes: Buffer }>;
  logs: Array<{ log: AuditLogRef; text: string | undefined; head: string | undefined }>;
  /** The agents whose vaults it holds. */
  agents: string[];
}

const OBJECT_FOLDERS = ['vaults/', 'keys/', 'journals/', 'grants/', 'proposals/'] as const;

/** Every object and log of `store`, as archive entries: the walk `backup` and `store migrate` share. */
export async function collect(store: StorageBackend): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  const ids: ObjectId[] = [objectIds.store, objectIds.hooks, objectIds.hookCursor];
  for (const folder of OBJECT_FOLDERS) ids.push(...(await store.list(folder)));
  for (const id of ids) {
    const object = await store.read(id);
    if (object) entries.push({ name: id, bytes: object.bytes });
  }
  for (const log of await store.audit.list()) {
    const { text, head } = await store.audit.read(log);
    if (text !== undefined) entries.push({ name: `logs/${log.name}`, bytes: Buffer.from(text, 'utf8') });
    if (head !== undefined) entries.push({ name: `heads/${log.name}`, bytes: Buffer.from(head, 'utf8') });
  }
  return entries;
}

/**
 * Writes a backup of the session's store with `write` (the caller's file), then records
 * `store.backup` in the store's log. Owner only: the passphrase is proved first, which
 * also finishes any interrupted change, so the backup holds no half-done lifecycle step.
 */
export async function createBackup(session: Session, lock: BackupLock, write: (bytes: Uint8Array) => void): Promise<void> {
  session.requireOwner('making a backup');
  await session.rootKey();
  const archive = encodeTar(await collect(session.store), session.now());
  const { Encrypter } = await import('age-encryption');
  const encrypter = new Encrypter();
  if ('passphrase' in lock) encrypter.setPassphrase(lock.passphrase);
  else {
    for (const recipient of lock.recipients) {
      try {
        encrypter.addRecipient(recipient);
      } catch {
        throw new UsageError(`not an age recipient: ${recipient}`, 'give an X25519 recipient, age1…, as age-keygen prints it');
      }
    }
  }
  write(await encrypter.encrypt(archive));
  await session.audit.recordStore({ agent: '', action: 'store.backup' });
}

/** Decrypts a backup; a wrong key is exit 4, anything the age MACs refuse exit 6. */
async function decrypt(file: Uint8Array, key: BackupKey): Promise<Buffer> {
  const { Decrypter } = await import('age-encryption');
  const decrypter = new Decrypter();
  if ('passphrase' in key) decrypter.addPassphrase(key.passphrase);
  else {
    for (const identity of key.identities) {
      try {
        decrypter.addIdentity(identity);
      } catch {
        throw new UsageError('the identity file holds a line that is not an age identity', 'give a file of AGE-SECRET-KEY-1… lines, as age-keygen writes it');
      }
    }
  }
  try {
    return Buffer.from(await decrypter.decrypt(file));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // age cannot tell a wrong key from a changed recipient stanza: both unwrap nothing.
    if (message.includes('no identity matched')) {
      throw new AuthError('the backup does not open with this ' + ('passphrase' in key ? 'passphrase' : 'identity'), 'give the backup passphrase or identity it was written for');
    }
    throw new IntegrityError(`the backup is damaged or was changed: ${message}`, 'use another copy of the backup');
  }
}

/** The log an archive name (`logs/…`, `heads/…` without the folder) names, or undefined. */
function logOf(name: string): AuditLogRef | undefined {
  if (name === STORE_LOG.name) return STORE_LOG;
  const agent = /^vaults\/([a-z0-9_-]{1,64})\.audit\.jsonl$/.exec(name)?.[1];
  if (agent !== undefined) return agentLog(agent);
  const retired = /^retired\/([a-z0-9_-]{1,64})\.[0-9A-Za-z.-]+\.audit\.jsonl$/.exec(name)?.[1];
  return retired === undefined ? undefined : { kind: 'retired', name, agent: agentLog(retired).agent! };
}

/** The object id an archive name is, rebuilt through `objectIds` so that it names nothing else. */
function objectOf(name: string): ObjectId | undefined {
  if (name === 'store') return objectIds.store;
  if (name === objectIds.hooks || name === objectIds.hookCursor) return name;
  const [folder, ...rest] = name.split('/');
  try {
    if (folder === 'vaults' && rest.length === 1) return objectIds.vault(rest[0]!);
    if (folder === 'keys' && rest.length === 1) return objectIds.keyCertificate(rest[0]!);
    if (folder === 'journals' && rest.length === 1) return objectIds.journal(rest[0]!);
    const grant = folder === 'grants' && rest.length === 2 ? /^([^.]+)\.([^.]+)$/.exec(rest[1]!) : null;
    if (grant) return objectIds.grant(rest[0]!, grant[1]!, grant[2]!);
    if (folder === 'proposals' && rest.length === 2) return objectIds.proposal(rest[0]!, rest[1]!);
  } catch (err) {
    if (err instanceof VaultError) return undefined;
    throw err;
  }
  return undefined;
}

/**
 * Decrypts and checks a backup end to end without writing anything: the archive, the
 * store file and every vault file parse, and every audit chain holds (chain and heads
 * only: no key is needed). Any failure is exit 6, a wrong key exit 4.
 */
export async function checkBackup(file: Uint8Array, key: BackupKey): Promise<BackupContents> {
  return checkEntries(parseTar(await decrypt(file, key)));
}

/** Checks a store's entries (from a backup's archive, or {@link collect}) as {@link checkBackup} describes; any failure is exit 6. */
export function checkEntries(entries: TarEntry[]): BackupContents {
  const contents: BackupContents = { objects: [], logs: [], agents: [] };
  const logs = new Map<string, { log: AuditLogRef; text: string | undefined; head: string | undefined }>();
  for (const { name, bytes } of entries) {
    const [folder, ...rest] = name.split('/');
    const log = (folder === 'logs' || folder === 'heads') && logOf(rest.join('/'));
    if (log) {
      const entry = logs.get(log.name) ?? { log, text: undefined, head: undefined };
      entry[folder === 'logs' ? 'text' : 'head'] = bytes.toString('utf8');
      logs.set(log.name, entry);
      continue;
    }
    const id = objectOf(name);
    if (id === undefined) throw new IntegrityError(`the backup holds ${name}, which is no part of a store`);
    if (id === objectIds.store) parseStoreFile(bytes);
    if (id.startsWith('vaults/')) {
      parseVaultFile(bytes);
      contents.agents.push(id.slice('vaults/'.length));
    }
    contents.objects.push({ id, bytes });
  }
  if (!contents.objects.some((o) => o.id === objectIds.store)) throw new IntegrityError('the backup holds no store file');
  if (!logs.has(STORE_LOG.name)) logs.set(STORE_LOG.name, { log: STORE_LOG, text: undefined, head: undefined });
  for (const agent of contents.agents) if (!logs.has(agentLog(agent).name)) logs.set(agentLog(agent).name, { log: agentLog(agent), text: undefined, head: undefined });
  for (const entry of logs.values()) {
    const { log } = entry;
    const origin = log.kind === 'store' ? 'store.init' : log.kind === 'agent' && contents.agents.includes(log.agent!) ? 'agent.provision' : undefined;
    const check = checkAuditLog(entry.text, entry.head, { requireKeyed: log.kind === 'agent', ...(origin ? { origin } : {}) });
    if (check.problems.length > 0) {
      const [first] = check.problems;
      throw new IntegrityError(`the audit log ${log.name} in the backup is broken${first!.line === undefined ? '' : ` at line ${first!.line}`}: ${first!.message}`);
    }
    contents.logs.push(entry);
  }
  return contents;
}

/**
 * Restores a backup into `store`, which must be empty (exit 2 otherwise), or hold only
 * what a restore of this same backup left when it was killed part-way: no store file,
 * and nothing the backup does not hold. The backup is checked whole and the owner
 * passphrase proved against its store file before the first write, so a bad backup
 * writes nothing.
 */
export async function restoreBackup(store: StorageBackend, file: Uint8Array, key: BackupKey, ownerPassphrase: () => Promise<string>): Promise<BackupContents> {
  const notEmpty = (): UsageError => new UsageError(`the store ${store.location} is not empty, nothing was restored`, 'restore into a new, empty store with --store DIR');
  if (await store.isInitialised()) throw notEmpty();
  return restoreContents(store, await checkBackup(file, key), ownerPassphrase, notEmpty);
}

/**
 * Writes checked contents into `store` as {@link restoreBackup} describes: `store` empty
 * (or holding only what an interrupted write of the same contents left), the owner
 * passphrase proved against the contents' store file first, the store file last, and
 * what was written taken back if a write fails.
 */
export async function restoreContents(store: StorageBackend, contents: BackupContents, ownerPassphrase: () => Promise<string>, notEmpty: () => VaultError): Promise<BackupContents> {
  if (await store.isInitialised()) throw notEmpty();
  const ids = new Set(contents.objects.map((o) => o.id));
  const names = new Set(contents.logs.map((l) => l.log.name));
  const present = (await Promise.all(OBJECT_FOLDERS.map((folder) => store.list(folder)))).flat();
  if (present.some((id) => !ids.has(id)) || (await store.audit.list()).some((log) => !names.has(log.name))) throw notEmpty();
  const storeFile = parseStoreFile(contents.objects.find((o) => o.id === objectIds.store)!.bytes);
  if (!openPassphraseSlot(storeFile, await derivePassphraseKey(await ownerPassphrase(), storeFile.kdf))) {
    throw new AuthError('wrong owner passphrase for the store in this backup, nothing was restored');
  }
  await store.prepare();
  // The store file last: until it exists the store is not initialised. A restore that
  // fails part-way (a full disk) takes back what it wrote, so the target stays empty;
  // one killed part-way is taken over by the next run: what it wrote is written again.
  const written: Array<() => Promise<unknown>> = [];
  try {
    for (const { id, bytes } of contents.objects) {
      if (id === objectIds.store) continue;
      await store.put(id, bytes);
      written.push(() => store.remove(id));
    }
    for (const { log, text, head } of contents.logs) {
      if (text === undefined && head === undefined) continue;
      written.push(() => store.audit.discard(log));
      await store.audit.discard(log);
      await store.audit.restore(log, text, head);
    }
    // The target had none: a failure as late as the flush after it is written takes it back too.
    written.push(() => store.remove(objectIds.store));
    await store.create(objectIds.store, contents.objects.find((o) => o.id === objectIds.store)!.bytes);
  } catch (err) {
    for (const undo of written.reverse()) await undo().catch(() => {});
    throw err;
  }
  return contents;
}

/** Records `store.restore` in the restored store's log, once the owner proved the passphrase on it. */
export async function recordRestore(session: Session): Promise<void> {
  await session.rootKey();
  await session.audit.recordStore({ agent: '', action: 'store.restore' });
}
