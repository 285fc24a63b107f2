/**
 * Grants between agents, enforced by keys: a grant is a copy of one credential sealed
 * by the granter's X25519 key to the grantee's (src/format/grant-file.ts), so the
 * grantee's token opens that copy and nothing else of the granter's, and only the
 * granter could have made it. Both public keys come from certificates the owner signed
 * (src/app/agent-keys.ts), never from a vault header. The granter keeps a record of
 * each grant in its own payload, and every write of its vault goes through
 * {@link modifySyncingGrants}, which re-seals, renames or ends the grant files in step.
 */
import type { Credential } from '../core/credential.js';
import { AccessDeniedError, IntegrityError, NotFoundError, UsageError, VaultError } from '../core/errors.js';
import { isExpired, upsertGrant, type GrantRecord } from '../core/grant.js';
import { recordChanges, snapshotSecrets } from '../core/history.js';
import { checkAgentId, isCredentialKey } from '../core/ids.js';
import { findCredential, findCredentialBy, readSecrets, requireCredential, setHistory, touchedCredentials, trackReads, type VaultPayload } from '../core/vault.js';
import { encodeBase64 } from '../format/encoding.js';
import { openGrant, parseGrantFile, sealGrant, type GrantMeta } from '../format/grant-file.js';
import { objectIds, type ObjectId } from '../store/backend.js';
import { certifiedPublicKey, granteePublicKey, trustedVerifyKey } from './agent-keys.js';
import { checkGrantable, checkRevealable } from './reveal-policy.js';
import type { Session, UnlockedVault } from './session.js';

/**
 * Every other agent's vault that opens, for the store-wide passes (re-sealing, ending
 * grants, listing them): one that is damaged is skipped with a warning naming it, so it
 * fails only what needs it and never a change already half made.
 */
async function openableVaults(session: Session, except?: string): Promise<Array<{ agent: string; vault: UnlockedVault }>> {
  const found: Array<{ agent: string; vault: UnlockedVault }> = [];
  for (const agent of await session.listAgents()) {
    if (agent === except) continue;
    try {
      found.push({ agent, vault: await session.unlock(agent) });
    } catch (err) {
      if (!(err instanceof IntegrityError)) throw err;
      session.warn(`skipped agent ${agent}: ${err.message}`);
    }
  }
  return found;
}

/** A credential as a grantee sees it: a copy, marked with who granted it. */
export type GrantedCredential = Credential & { grantedBy: string };

/** One grant as `grant list` shows it. */
export interface GrantRow {
  granter: string;
  grantee: string;
  key: string;
  created: string;
  /** `null` for a grant without expiry. */
  expires: string | null;
}

/** Where one grant lives: who gave it, to whom, for which key. */
interface GrantLocation {
  granter: string;
  grantee: string;
  key: string;
}

const grantId = (at: GrantLocation): ObjectId => objectIds.grant(at.grantee, at.granter, at.key);

/** The location a grant id names (`grants/<grantee>/<granter>.<KEY>`; ids and keys hold no dot or slash). */
function locationOf(id: ObjectId): GrantLocation {
  const [, grantee, name] = id.split('/') as [string, string, string];
  const [granter, key] = name.split('.') as [string, string];
  return { granter, grantee, key };
}

/** The grants addressed to `grantee`, optionally only those from `granter`, sorted. */
async function receivedGrants(session: Session, grantee: string, granter?: string): Promise<GrantLocation[]> {
  return (await session.store.list(objectIds.grantsTo(grantee))).map(locationOf).filter((g) => granter === undefined || g.granter === granter);
}

async function readGrant(session: Session, at: GrantLocation): Promise<Buffer | undefined> {
  return (await session.store.read(grantId(at)))?.bytes;
}

async function removeGrant(session: Session, at: GrantLocation): Promise<boolean> {
  return session.store.remove(grantId(at));
}

/** Removes every grant given by or addressed to `agent` (deprovisioning, rotation). */
export async function removeGrantsInvolving(session: Session, agent: string, options: { given: boolean; received: boolean }): Promise<void> {
  for (const grant of (await session.store.list('grants/')).map(locationOf)) {
    if ((options.given && grant.granter === agent) || (options.received && grant.grantee === agent)) await removeGrant(session, grant);
  }
  if (options.received) await session.store.removeAll(objectIds.grantsTo(agent));
}

function fingerprint(record: GrantRecord, credential: Credential | undefined): string {
  return JSON.stringify([credential ?? null, record.key, record.pub, record.created, record.expires ?? null]);
}

function snapshot(payload: VaultPayload): Map<GrantRecord, string> {
  const before = new Map<GrantRecord, string>();
  for (const record of payload.grants ?? []) before.set(record, fingerprint(record, findCredentialBy(payload, 'id', record.id)));
  return before;
}

/**
 * The grantee's certified public key to re-seal to, or `undefined` when it is not
 * provisioned or its certificate (or header) fails: the grant then ends, failing
 * closed, rather than blocking every write of the granter's vault.
 */
async function resealKey(session: Session, agent: string, verifyKey: Buffer): Promise<Buffer | undefined> {
  if (!(await session.hasVault(agent))) return undefined;
  try {
    return await granteePublicKey(session, agent, verifyKey);
  } catch (err) {
    if (err instanceof IntegrityError) return undefined;
    throw err;
  }
}

/**
 * Brings the grant files of `granter` in line with its (changed) payload. Grants whose
 * credential is gone, whose expiry passed, or whose grantee no longer has a valid
 * certificate for the public key they were sealed to end now (their files are removed
 * before the vault is written: failing closed). Returns the re-seals to run once the
 * vault is written.
 */
async function syncGrants(session: Session, granter: string, payload: VaultPayload, before: Map<GrantRecord, string>, verifyKey: Buffer): Promise<Array<() => Promise<void>>> {
  const grants = payload.grants ?? [];
  const now = session.now();
  const keys = new Map<string, Buffer | undefined>();
  const writes: Array<() => Promise<void>> = [];
  const kept: GrantRecord[] = [];
  for (const record of grants) {
    const credential = findCredentialBy(payload, 'id', record.id);
    const at: GrantLocation = { granter, grantee: record.to, key: record.key };
    if (!keys.has(record.to)) keys.set(record.to, await resealKey(session, record.to, verifyKey));
    const publicKey = keys.get(record.to);
    // A credential made brokered ends every grant of it: a grant would hand its value to another agent.
    if (!credential || credential.revealPolicy === 'brokered' || isExpired(record.expires, now) || !publicKey || encodeBase64(publicKey) !== record.pub) {
      await removeGrant(session, at);
      continue;
    }
    if (credential.key !== record.key) {
      await removeGrant(session, at);
      record.key = credential.key;
    }
    kept.push(record);
    if (before.get(record) !== fingerprint(record, credential)) {
      const meta: GrantMeta = { from: granter, to: record.to, key: record.key, created: record.created, ...(record.expires ? { expires: record.expires } : {}) };
      const sealed = sealGrant(meta, payload.privateKey, publicKey, Buffer.from(JSON.stringify(credential)));
      writes.push(async () => {
        const id = grantId({ ...at, key: record.key });
        try {
          await session.store.put(id, sealed);
        } catch (err) {
          // A tampered store is reported as such; a full disk only ends this grant.
          if (err instanceof VaultError) throw err;
          // The change is made and recorded; a grant that cannot carry it ends rather than keep the old value.
          await session.store.remove(id).catch(() => {});
          session.warn(`the grant of ${record.key} to agent ${record.to} could not be re-sealed (${(err as NodeJS.ErrnoException).code ?? 'error'}) and was ended: grant it again`);
        }
      });
    }
  }
  if (kept.length > 0) payload.grants = kept;
  else delete payload.grants;
  return writes;
}

/**
 * {@link Session.modify} for every change to a vault's credentials: after `change`,
 * every credential whose secret fields changed keeps the values it had as a version
 * (core/history.ts: so every write path, `set`, `update`, `rotate`, `restore`, an
 * import or an approved proposal, keeps history alike), each live grant whose
 * credential changed is re-sealed, and ended grants are removed, within the same
 * write; then `committed` runs (the audit line), still holding the vault. Costs
 * nothing for a vault that has given no grants.
 */
export async function modifySyncingGrants<T>(
  session: Session,
  agent: string,
  change: (vault: UnlockedVault) => T | Promise<T>,
  committed?: () => Promise<void>,
  options: { resealAll?: boolean; restored?: number } = {},
): Promise<T> {
  let writes: Array<() => Promise<void>> = [];
  return session.modify(
    agent,
    async (vault) => {
      // An untouched vault compares only the credentials the change reads (as they were
      // read: the snapshot below reads only those with grants), so a write of one
      // credential decrypts one block; a loaded one compares every credential.
      const lazy = trackReads(vault.payload);
      const secretsBefore = lazy ? undefined : snapshotSecrets(vault.payload.credentials);
      const before = options.resealAll ? new Map<GrantRecord, string>() : snapshot(vault.payload);
      const result = await change(vault);
      const changeOf = {
        now: session.now().toISOString(),
        actor: session.provenActor(),
        ...(options.restored === undefined ? {} : { restored: options.restored }),
      };
      const touched = touchedCredentials(vault.payload);
      if (touched) {
        setHistory(vault.payload, touched.credentials, recordChanges(touched.history, touched.credentials, readSecrets(vault.payload), changeOf).history);
      } else {
        // Loaded during the change or before it: every credential, against the values each had as read.
        const { credentials } = vault.payload;
        setHistory(vault.payload, credentials, recordChanges(vault.payload.history, credentials, secretsBefore ?? readSecrets(vault.payload), changeOf).history);
      }
      // A vault that has given no grants costs no key work here.
      writes = vault.payload.grants?.length ? await syncGrants(session, agent, vault.payload, before, await trustedVerifyKey(session, vault.payload)) : [];
      return result;
    },
    {
      // The audit line first: if it cannot be written the vault is put back, and no
      // grant may hold a value the vault then does not.
      afterWrite: committed,
      settle: async () => {
        for (const write of writes) await write();
      },
    },
  );
}

/**
 * `grant KEY --to grantee`: seals a copy of the credential to the grantee. Granting
 * again refreshes the expiry (and re-seals). The owner, or the vault's own agent.
 */
export function createGrant(session: Session, granter: string, keyOrId: string, grantee: string, expiresInMs?: number): Promise<GrantRecord> {
  checkAgentId(grantee);
  if (grantee === granter) throw new UsageError(`agent ${granter} already reads its own vault`, 'grant to another agent with --to');
  return session.audit.audited(granter, 'grant.create', keyOrId, async (commit) => {
    if (session.isOwner()) await session.rootKey();
    if (!(await session.hasVault(grantee))) throw new NotFoundError(`agent ${grantee} is not provisioned`, `provision it with: agent-vault provision ${grantee}`);
    // Holding the grantee's vault while sealing to its key: a token rotation of the
    // grantee waits, and then re-seals this grant with the others, instead of leaving it
    // sealed to the key it replaced.
    return session.store.exclusive(objectIds.vault(grantee), () => modifySyncingGrants(session, granter, async ({ payload }) => {
      const credential = requireCredential(payload, keyOrId);
      checkGrantable(credential);
      // Checked here, not only at the re-seal, so a bad certificate fails the grant (exit 6) instead of ending it.
      const granteeKey = await granteePublicKey(session, grantee, await trustedVerifyKey(session, payload));
      const now = session.now();
      const expires = expiresInMs === undefined ? undefined : new Date(now.getTime() + expiresInMs).toISOString();
      payload.grants ??= [];
      return upsertGrant(payload.grants, credential, grantee, encodeBase64(granteeKey), now.toISOString(), expires);
    }, commit));
  }, { to: grantee });
}

/** `grant revoke KEY --to grantee`: deletes the sealed copy and the record; no such grant is exit 3. */
export function revokeGrant(session: Session, granter: string, keyOrId: string, grantee: string): Promise<{ key: string }> {
  checkAgentId(grantee);
  return session.audit.audited(
    granter,
    'grant.revoke',
    keyOrId,
    (commit) =>
      modifySyncingGrants(
        session,
        granter,
        async ({ payload }) => {
          const grants = payload.grants ?? [];
          const credential = findCredential(payload, keyOrId);
          const record = grants.find((g) => g.to === grantee && (g.key === keyOrId || g.id === credential?.id));
          const key = record?.key ?? credential?.key ?? (isCredentialKey(keyOrId) ? keyOrId : undefined);
          const removedFile = key !== undefined && (await removeGrant(session, { granter, grantee, key }));
          if (!record && !removedFile) {
            throw new NotFoundError(`agent ${granter} has no grant of ${keyOrId} to agent ${grantee}`, `list grants with: agent-vault grant list --agent ${granter}`);
          }
          payload.grants = grants.filter((g) => g !== record);
          return { key: key ?? keyOrId };
        },
        commit,
      ),
    { to: grantee },
  );
}

/**
 * Opens one grant file addressed to the caller with the caller's private key and the
 * granter's certified public key. Returns `expired` (after removing the file) for a
 * grant whose expiry passed. A file that does not open (altered, moved, or not made by
 * the certified granter: a forgery), or a granter without a valid certificate, is
 * exit 6.
 */
async function openReceived(
  session: Session,
  at: GrantLocation,
  bytes: Buffer,
  privateKey: string,
  verifyKey: Buffer,
): Promise<{ meta: GrantMeta; credential: Credential } | 'expired'> {
  const file = parseGrantFile(bytes);
  const { meta } = file;
  const placed = meta.from === at.granter && meta.to === at.grantee && meta.key === at.key;
  const plaintext = placed ? openGrant(file, privateKey, await certifiedPublicKey(session, at.granter, verifyKey)) : undefined;
  if (!plaintext) {
    throw new IntegrityError(
      `the grant of ${at.key} from agent ${at.granter} does not open: it was altered, moved, forged or sealed to an older key`,
      'ask for it to be granted again',
    );
  }
  if (isExpired(meta.expires, session.now())) {
    await sweepExpired(session, at);
    return 'expired';
  }
  let credential: Credential;
  try {
    credential = JSON.parse(plaintext.toString('utf8')) as Credential;
  } catch {
    throw new IntegrityError(`the grant of ${at.key} from agent ${at.granter} is not valid JSON`);
  }
  if (!credential || typeof credential !== 'object' || credential.key !== meta.key || typeof credential.fields !== 'object') {
    throw new IntegrityError(`the grant of ${at.key} from agent ${at.granter} has an unsupported shape`);
  }
  return { meta, credential };
}

/**
 * For listings of everything received: a grant file that does not open is left out
 * with a warning naming it, instead of failing the caller's view of its own vault.
 * Reading that one grant by its key still fails (exit 6).
 */
async function openReceivedOrSkip(
  session: Session,
  at: GrantLocation,
  privateKey: string,
  verifyKey: Buffer,
): Promise<{ meta: GrantMeta; credential: Credential } | 'expired' | undefined> {
  try {
    const bytes = await readGrant(session, at);
    return bytes && (await openReceived(session, at, bytes, privateKey, verifyKey));
  } catch (err) {
    if (!(err instanceof IntegrityError)) throw err;
    session.warn(`left out the grant of ${at.key} from agent ${at.granter}: ${err.message}`);
    return undefined;
  }
}

/**
 * Removes an expired grant file under its granter's lock, so a grant the granter
 * refreshed in the meantime is never removed by mistake.
 */
async function sweepExpired(session: Session, at: GrantLocation): Promise<void> {
  await session.store.exclusive(objectIds.vault(at.granter), async () => {
    const bytes = await readGrant(session, at);
    if (bytes && isExpired(parseGrantFile(bytes).meta.expires, session.now())) await removeGrant(session, at);
  });
}

/**
 * Reads a credential granted to the calling agent by `granter`: only the sealed copy
 * is opened, with the caller's own private key. No live grant is exit 5, and recorded
 * in the granter's log as `access.denied`; so is a grant of a credential made brokered
 * since it was granted.
 */
export async function readGrantedCredential(session: Session, granter: string, keyOrId: string): Promise<GrantedCredential> {
  checkAgentId(granter);
  const grantee = session.tokenAgent;
  if (grantee === undefined) throw new UsageError('only an agent reads through grants');
  const { payload } = await session.unlock(grantee);
  const candidates = isCredentialKey(keyOrId) ? [{ granter, grantee, key: keyOrId }] : await receivedGrants(session, grantee, granter);
  const verifyKey = await trustedVerifyKey(session, payload);
  let expired = false;
  for (const at of candidates) {
    const bytes = await readGrant(session, at);
    if (!bytes) continue;
    const opened = await openReceived(session, at, bytes, payload.privateKey, verifyKey);
    if (opened === 'expired') expired = true;
    else if (opened.credential.key === keyOrId || opened.credential.id === keyOrId) return checkRevealable(session, granter, { ...opened.credential, grantedBy: granter });
  }
  const reason = expired ? 'grant expired' : 'no grant';
  await session.audit.record(granter, { action: 'access.denied', key: keyOrId, result: 'denied', reason });
  throw new AccessDeniedError(
    expired ? `the grant of ${keyOrId} from agent ${granter} to agent ${grantee} has expired` : `agent ${grantee} has no grant for ${keyOrId} in the vault of agent ${granter}`,
    `ask the owner or agent ${granter} to run: agent-vault grant ${keyOrId} --to ${grantee} --agent ${granter}`,
  );
}

/** Every live grant addressed to the vault's agent (optionally only from `granter`), opened. */
export async function receivedCredentials(session: Session, vault: UnlockedVault, granter?: string): Promise<GrantedCredential[]> {
  return openAllReceived(session, vault.payload, await receivedGrants(session, vault.payload.agent, granter));
}

/**
 * The grants at `received`, addressed to `payload`'s agent, opened: one that does not
 * open is left out with a warning, as in a listing; an expired one is removed. No key
 * work when there is none (listing one's own vault with no grants received).
 */
async function openAllReceived(session: Session, payload: VaultPayload, received: readonly GrantLocation[]): Promise<GrantedCredential[]> {
  if (received.length === 0) return [];
  const verifyKey = await trustedVerifyKey(session, payload);
  const found: GrantedCredential[] = [];
  for (const at of received) {
    const opened = await openReceivedOrSkip(session, at, payload.privateKey, verifyKey);
    if (opened && opened !== 'expired') found.push({ ...opened.credential, grantedBy: at.granter });
  }
  return found;
}

function rowOf(granter: string, record: GrantRecord): GrantRow {
  return { granter, grantee: record.to, key: record.key, created: record.created, expires: record.expires ?? null };
}

/**
 * `grant list`. The owner sees every live grant in the store (only those given or
 * received by `agent`, if one is named); an agent sees those it gave and received.
 */
export async function listGrants(session: Session, agent?: string): Promise<GrantRow[]> {
  const now = session.now();
  const live = (record: GrantRecord): boolean => !isExpired(record.expires, now);
  if (session.isOwner()) {
    const rows: GrantRow[] = [];
    for (const { agent: granter, vault } of await openableVaults(session)) rows.push(...(vault.payload.grants ?? []).filter(live).map((g) => rowOf(granter, g)));
    await session.audit.recordStore({ agent: agent ?? '', action: 'grant.list' });
    return agent === undefined ? rows : rows.filter((r) => r.granter === agent || r.grantee === agent);
  }
  const self = session.tokenAgent!;
  return session.audit.audited(self, 'grant.list', undefined, async () => {
    const vault = await session.unlock(self);
    const given = (vault.payload.grants ?? []).filter(live).map((g) => rowOf(self, g));
    const received: GrantRow[] = [];
    const verifyKey = await trustedVerifyKey(session, vault.payload);
    for (const at of await receivedGrants(session, self)) {
      const opened = await openReceivedOrSkip(session, at, vault.payload.privateKey, verifyKey);
      if (opened && opened !== 'expired') received.push({ granter: at.granter, grantee: self, key: at.key, created: opened.meta.created, expires: opened.meta.expires ?? null });
    }
    return [...given, ...received];
  });
}

/**
 * After the owner rotated and re-certified `grantee`'s key pair: re-seals every grant it
 * received to its new certified public key, and drops copies sealed to the old key
 * first, so the old token opens no grant from now on.
 */
export async function resealGrantsTo(session: Session, grantee: string): Promise<void> {
  const { payload } = await session.unlock(grantee);
  const newKey = encodeBase64(await granteePublicKey(session, grantee, await trustedVerifyKey(session, payload)));
  await removeGrantsInvolving(session, grantee, { given: false, received: true });
  for (const { agent: granter, vault } of await openableVaults(session, grantee)) {
    if (!vault.payload.grants?.some((g) => g.to === grantee)) continue;
    await modifySyncingGrants(session, granter, ({ payload }) => {
      for (const record of payload.grants ?? []) if (record.to === grantee) record.pub = newKey;
    });
  }
}

/**
 * Seals every live grant `granter` gave anew from its vault, whether or not its
 * credential changed: after its grant files were removed by a token rotation that
 * did not get as far as replacing the vault.
 */
export async function resealGrantsFrom(session: Session, granter: string): Promise<void> {
  if (!(await session.unlock(granter)).payload.grants?.length) return;
  await modifySyncingGrants(session, granter, () => undefined, undefined, { resealAll: true });
}

/** Before deprovisioning `grantee`: every other vault forgets the grants it gave it. Owner only. */
export async function forgetGrantsTo(session: Session, grantee: string): Promise<void> {
  for (const { agent: granter, vault } of await openableVaults(session, grantee)) {
    if (!vault.payload.grants?.some((g) => g.to === grantee)) continue;
    await modifySyncingGrants(session, granter, async ({ payload }) => {
      for (const record of payload.grants ?? []) if (record.to === grantee) await removeGrant(session, { granter, grantee, key: record.key });
      payload.grants = (payload.grants ?? []).filter((g) => g.to !== grantee);
    });
  }
}

/**
 * What the vault's agent received, for a key its own vault lacks (`credential get KEY`
 * without `--agent`), from one listing of its grants: the live grants of credential
 * `key`, opened as {@link receivedCredentials} opens them, and the keys of every grant it
 * received, from their names alone, for the near keys of a miss.
 */
export async function receivedForKey(session: Session, payload: VaultPayload, key: string): Promise<{ granted: GrantedCredential[]; keys: string[] }> {
  const received = await receivedGrants(session, payload.agent);
  const granted = await openAllReceived(session, payload, isCredentialKey(key) ? received.filter((at) => at.key === key) : []);
  return { granted, keys: received.map((at) => at.key) };
}

/** The keys of the grants addressed to `grantee`, from their names alone (no key work): for suggestions. */
export async function receivedKeys(session: Session, grantee: string): Promise<string[]> {
  return (await receivedGrants(session, grantee)).map((at) => at.key);
}
