/**
 * The agent lifecycle, owner only: provisioning a vault and its token, rotating the
 * token (and with it every key the old token could reach), and deprovisioning. Each
 * records its own audit events after the owner's proof and while it holds the vault,
 * so a refused or blocked call leaves no line claiming it happened.
 *
 * Each touches several objects (the vault, its certificate, grants, logs), so each
 * writes a journal entry before its first change and removes it after its last. A
 * crash in between leaves the entry, and the next owner command finishes the change
 * (rotate, deprovision) or undoes it (provision, whose token was never shown) before
 * doing its own work: see {@link recoverInterrupted}. The store's log records every
 * agent's provisioning and end, so `audit verify` can tell a deleted agent from one
 * that never was.
 */
import { randomBytes } from 'node:crypto';
import { IntegrityError, UsageError } from '../core/errors.js';
import { checkAgentId } from '../core/ids.js';
import { createToken } from '../core/token.js';
import { emptyPayload, type VaultPayload } from '../core/vault.js';
import { KEY_LENGTH } from '../format/aead.js';
import { planHeadReanchor } from '../format/audit-append.js';
import { encodeBase64 } from '../format/encoding.js';
import { FormatError } from '../format/format-error.js';
import { generateAgentKeyPair } from '../format/grant-file.js';
import { encodeJournalEntry, parseJournalEntry, type JournalEntry } from '../format/journal.js';
import { encodeVaultFile, wrapOwnerSlot, wrapTokenSlot, type VaultHeader } from '../format/vault-file.js';
import { agentLog, objectIds, WriteConflictError } from '../store/backend.js';
import { certifyAgentKey, ownerVerifyKey, removeAgentKey } from './agent-keys.js';
import { forgetGrantsTo, removeGrantsInvolving, resealGrantsFrom, resealGrantsTo } from './grants.js';
import { proposalsWithNewKey } from './proposals.js';
import { auditKeyringOf, type Session } from './session.js';

async function beginJournal(session: Session, entry: JournalEntry): Promise<void> {
  await session.store.put(objectIds.journal(entry.agent), encodeJournalEntry(entry, await session.rootKey()));
}

async function endJournal(session: Session, agent: string): Promise<void> {
  await session.store.remove(objectIds.journal(agent));
}


/** Creates an agent's vault, records `agent.provision` as its log's first line and in the store's log, and returns its one-time token. */
export async function provisionAgent(session: Session, agent: string): Promise<string> {
  checkAgentId(agent);
  session.requireOwner('provisioning an agent');
  const ownerKey = await session.rootKey();
  const id = objectIds.vault(agent);
  await session.store.prepare();
  return session.store.exclusive(id, async () => {
    if (await session.hasVault(agent)) throw new UsageError(`agent ${agent} is already provisioned`, `rotate its token with: agent-vault token rotate ${agent}`);
    const log = await session.store.audit.stream(agentLog(agent));
    // No journal says this is what a crash left, so it is not ours to write over.
    if (log.chunks !== undefined || log.head !== undefined) {
      throw new IntegrityError(`agent ${agent} has an audit log but no vault: it was deleted`, 'run agent-vault audit verify; restore the vault from a backup, or move the log away');
    }
    const now = session.now().toISOString();
    const keyPair = generateAgentKeyPair();
    await beginJournal(session, { op: 'provision', agent, at: now, pub: encodeBase64(keyPair.publicKey) });
    const { token, parsed } = createToken(agent);
    const vaultKey = randomBytes(KEY_LENGTH);
    const header: VaultHeader = {
      agent,
      created: now,
      updated: now,
      owner: wrapOwnerSlot(ownerKey, agent, vaultKey),
      token: wrapTokenSlot(parsed.secret, agent, vaultKey),
      publicKey: keyPair.publicKey,
    };
    const payload = emptyPayload(agent, keyPair.privateKey, ownerVerifyKey(ownerKey), encodeBase64(randomBytes(KEY_LENGTH)));
    try {
      await session.store.create(id, encodeVaultFile(header, vaultKey, payload));
    } catch (err) {
      if (err instanceof WriteConflictError) throw new UsageError(`agent ${agent} is already provisioned`, `rotate its token with: agent-vault token rotate ${agent}`);
      throw err;
    }
    await certifyAgentKey(session, ownerKey, agent, keyPair.publicKey);
    session.adoptAuditKeys(agent, payload);
    // Still holding the vault, so it is the log's first line: `audit verify` relies on that.
    await session.audit.record(agent, { action: 'agent.provision' });
    await session.audit.recordStore({ agent, action: 'agent.provision' });
    await endJournal(session, agent);
    return token;
  });
}

/**
 * Issues a new token and re-keys the vault: a new vault key, so whoever held the old
 * token cannot open this or any later version of the file.
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
 * Grant files to and from it are removed before the vault is replaced, so a crash
 * in between leaves no grant sealed to a key that is gone (which would read as forged).
 *
 * With `keepGrantsGiven` (`rekey --tokens`, which the owner runs over every agent at
 * once) the grants it gave are sealed again from its new key instead of ending; the
 * journal entry stays until they are, so a crash in between is finished by recovery.
 */
export async function rotateToken(session: Session, agent: string, options: { keepGrantsGiven?: boolean } = {}): Promise<string> {
  checkAgentId(agent);
  session.requireOwner('rotating a token');
  const ownerKey = await session.rootKey();
  const id = objectIds.vault(agent);
  const token = await session.store.exclusive(id, async () => {
    const vault = await session.unlock(agent);
    const { token, parsed } = createToken(agent);
    const vaultKey = randomBytes(KEY_LENGTH);
    const keyPair = generateAgentKeyPair();
    const header: VaultHeader = {
      ...vault.file.header,
      owner: wrapOwnerSlot(ownerKey, agent, vaultKey),
      token: wrapTokenSlot(parsed.secret, agent, vaultKey),
      publicKey: keyPair.publicKey,
    };
    const payload: VaultPayload = {
      ...vault.payload,
      privateKey: keyPair.privateKey,
      ownerSigningKey: ownerVerifyKey(ownerKey),
      auditKeys: [...vault.payload.auditKeys, encodeBase64(randomBytes(KEY_LENGTH))],
    };
    if (!options.keepGrantsGiven) delete payload.grants;
    // The old token opened the proposal keys: proposals from now on are sealed with a new one.
    if (payload.proposals) payload.proposals = await proposalsWithNewKey(session, vault.payload, payload.auditKeys.length);
    await beginJournal(session, { op: 'rotate', agent, at: session.now().toISOString(), pub: encodeBase64(keyPair.publicKey) });
    await removeGrantsInvolving(session, agent, { given: true, received: true });
    // The previous generation was sealed to a key the old token opens.
    await session.store.forgetPrevious(id);
    await session.store.replace(id, session.seal(header, vaultKey, payload), vault.generation);
    session.adoptAuditKeys(agent, payload);
    await settleRotatedKeys(session, agent, payload);
    await session.audit.record(agent, { action: 'token.rotate' });
    // Still holding the vault until the entry is gone: a recovery by a concurrent owner
    // command waits for the vault, and must then find no entry for a change that is not
    // interrupted but only still under way.
    await resealGrantsTo(session, agent);
    if (!options.keepGrantsGiven) await endJournal(session, agent);
    return token;
  });
  if (options.keepGrantsGiven) {
    // Its own vault is written by the re-seal, so after letting go of it.
    await resealGrantsFrom(session, agent);
    await endJournal(session, agent);
  }
  return token;
}

/**
 * After a vault was re-keyed: its certificate names its current public key, and its
 * log's head is re-keyed from the previous epoch to the newest. Both steps do nothing
 * when already done, so a finisher may run them again.
 */
async function settleRotatedKeys(session: Session, agent: string, payload: VaultPayload): Promise<void> {
  const { file } = await session.readVaultFile(agent);
  await certifyAgentKey(session, await session.rootKey(), agent, file.header.publicKey);
  const next = auditKeyringOf(payload);
  if (next.keys.length < 2) return;
  const previous = { keys: next.keys.slice(0, -1) };
  await session.store.audit.rewriteHead(agentLog(agent), (tail) => planHeadReanchor(tail, previous, next));
}

/**
 * Deletes an agent's vault; its token stops working with it. Every grant to or from
 * it ends, and other vaults forget the grants they gave it, so a new agent later
 * provisioned under the same name inherits none of them.
 */
export async function deprovisionAgent(session: Session, agent: string): Promise<void> {
  checkAgentId(agent);
  session.requireOwner('deprovisioning an agent');
  await session.unlock(agent);
  await session.store.exclusive(objectIds.vault(agent), async () => {
    const at = session.now().toISOString();
    const { file } = await session.readVaultFile(agent);
    await beginJournal(session, { op: 'deprovision', agent, at, pub: encodeBase64(file.header.publicKey) });
    await finishDeprovision(session, agent, at);
    await endJournal(session, agent);
  });
}

/** Whether the agent's log exists, without reading it (a stream's chunks are read only when asked for). */
async function logExists(session: Session, agent: string): Promise<boolean> {
  return (await session.store.audit.stream(agentLog(agent))).chunks !== undefined;
}

/** Whether a log holds more than `n` lines (a torn last one counted), reading it only as far as it must. */
async function holdsMoreLinesThan(chunks: AsyncIterable<string>, n: number): Promise<boolean> {
  let text = '';
  for await (const chunk of chunks) {
    text += chunk;
    // Leaving the loop releases the log.
    if (text.split('\n').filter(Boolean).length > n) return true;
  }
  return false;
}

/**
 * The steps of deprovisioning, each of which does nothing when already done, so that
 * a finisher can run them all again after a crash. `at` names the retired log, the
 * same on every run.
 */
async function finishDeprovision(session: Session, agent: string, at: string, reason?: string): Promise<void> {
  const because = reason === undefined ? {} : { reason };
  await forgetGrantsTo(session, agent);
  // The last line of its log, written before the log is retired with it.
  if ((await session.hasVault(agent)) && (await logExists(session, agent))) {
    await session.audit.record(agent, { action: 'agent.deprovision', ...because });
  }
  await session.audit.recordStore({ agent, action: 'agent.deprovision', ...because });
  // The certificate goes first: should the rest fail, no grant is sealed to this key.
  await removeAgentKey(session, agent);
  await removeGrantsInvolving(session, agent, { given: true, received: true });
  // Its proposals open only with keys of the vault that is going: a later agent of the same name inherits none.
  await session.store.removeAll(objectIds.proposalsOf(agent));
  await session.store.audit.retire(agent, at);
  await session.store.remove(objectIds.vault(agent));
}

/**
 * Undoes a provisioning whose token was never shown: nobody could have used the vault,
 * so its files go, its log with them (all it can hold is `agent.provision`, perhaps
 * without its head yet), and the store's log records the end. The vault goes last, so
 * that a vault that is gone means the undoing (or the provisioning) got no further
 * than that, and a finisher leaves everything else alone.
 */
async function undoProvision(session: Session, agent: string, reason: string): Promise<void> {
  await removeAgentKey(session, agent);
  await removeGrantsInvolving(session, agent, { given: true, received: true });
  await session.store.removeAll(objectIds.proposalsOf(agent));
  await session.store.audit.discard(agentLog(agent));
  await session.audit.recordStore({ agent, action: 'agent.deprovision', reason });
  await session.store.remove(objectIds.vault(agent));
}

/**
 * Finishes or undoes every lifecycle change a crash interrupted, as its journal entry
 * tells: a deprovisioning is finished; a rotation is finished if the vault was already
 * replaced (its token was never shown, so the owner must rotate again) and undone if
 * not; a provisioning is undone (its token was never shown). Runs once the owner proved
 * the passphrase, before the command's own work. Returns what it did, for a notice.
 */
export async function recoverInterrupted(session: Session): Promise<string[]> {
  const done: string[] = [];
  for (const id of await session.store.list('journals/')) {
    const agent = id.slice('journals/'.length);
    const found = await session.store.read(id);
    if (!found) continue;
    let entry: JournalEntry;
    try {
      entry = parseJournalEntry(found.bytes, await session.rootKey());
    } catch (err) {
      if (err instanceof FormatError) throw new IntegrityError(`${session.store.describe(id)}: ${err.message}`, 'remove it if no agent-vault command was interrupted');
      throw err;
    }
    if (entry.agent !== agent) throw new IntegrityError(`${session.store.describe(id)}: the journal entry names agent ${entry.agent}`, 'remove it if no agent-vault command was interrupted');
    const outcome = await session.store.exclusive(objectIds.vault(agent), async () => {
      // Read again holding the vault: the command that wrote the entry may still have
      // been at work (it holds the vault until its entry is gone), and then has finished.
      const still = await session.store.read(id);
      if (!still || !still.bytes.equals(found.bytes)) return undefined;
      const finished = await finish(session, entry, id);
      if (!finished.rest) await endJournal(session, agent);
      return finished;
    });
    if (outcome === undefined) continue;
    if (outcome.rest) {
      await outcome.rest();
      await endJournal(session, agent);
    }
    done.push(outcome.message);
  }
  return done;
}

/**
 * The public key of the agent's vault, or undefined when there is none. An entry acts
 * only on the vault it names by that key: any other vault of the same agent is a later
 * one, and the entry was put back after its change was finished.
 */
async function vaultOfEntry(session: Session, entry: JournalEntry, id: string): Promise<'none' | 'match'> {
  if (!(await session.hasVault(entry.agent))) return 'none';
  const { file } = await session.readVaultFile(entry.agent);
  if (encodeBase64(file.header.publicKey) === entry.pub) return 'match';
  throw stale(session, id, `the journal entry is for another vault of agent ${entry.agent}: it was put back after its change was finished`);
}

/** A journal entry the store's state says is not what a crash left: exit 6 naming it, and nothing done. */
function stale(session: Session, id: string, why: string): IntegrityError {
  return new IntegrityError(`${session.store.describe(id)}: ${why}`, 'remove it; run agent-vault audit verify');
}

/**
 * Finishes or undoes one interrupted change, holding the agent's vault. A vault that
 * is gone means a provisioning or deprovisioning got as far as it goes (the vault is
 * the first file one writes and the last the other removes): nothing is left to do.
 * A rotation's grant re-seals write the agent's own vault, and so are left in `rest`
 * for the caller to run once it let go of the vault.
 */
async function finish(session: Session, entry: JournalEntry, id: string): Promise<{ message: string; rest?: () => Promise<void> }> {
  const { agent } = entry;
  const reason = `finishing an interrupted ${entry.op === 'rotate' ? 'token rotation' : entry.op === 'provision' ? 'provisioning' : 'deprovisioning'}`;
  if (entry.op === 'deprovision') {
    const vault = await vaultOfEntry(session, entry, id);
    // Its log is retired just before its vault goes: a vault gone while its log is live was deleted.
    if (vault === 'none' && (await logExists(session, agent))) {
      throw stale(session, id, `the vault of agent ${agent} is gone but its log is live: it was deleted, not deprovisioned`);
    }
    if (vault === 'match') await finishDeprovision(session, agent, entry.at, reason);
    return { message: `finished the deprovisioning of agent ${agent}` };
  }
  if (entry.op === 'provision') {
    if ((await vaultOfEntry(session, entry, id)) === 'match') {
      // All a provisioning whose token was never shown can have logged is its first line.
      const { chunks } = await session.store.audit.stream(agentLog(agent));
      if (chunks !== undefined && (await holdsMoreLinesThan(chunks, 1))) throw stale(session, id, `agent ${agent}'s log holds more than its provisioning: its token was used`);
      await undoProvision(session, agent, `${reason}: undone, its token was never shown`);
    }
    return { message: `undid the interrupted provisioning of agent ${agent}: provision it again` };
  }
  const vault = await session.unlock(agent);
  const replaced = encodeBase64(vault.file.header.publicKey) === entry.pub;
  if (replaced) {
    await settleRotatedKeys(session, agent, vault.payload);
    await session.audit.record(agent, { action: 'token.rotate', result: 'error', reason: `${reason}: its new token was never shown` });
  }
  const rest = async (): Promise<void> => {
    // Not replaced: the old token still works; put back the grants removed before the replace.
    // Replaced: only a rotation that kept the grants it gave still records any to seal.
    await resealGrantsFrom(session, agent);
    await resealGrantsTo(session, agent);
  };
  return {
    message: replaced
      ? `finished the token rotation of agent ${agent}, but its new token was never shown: run agent-vault token rotate ${agent}`
      : `undid the interrupted token rotation of agent ${agent}: its token is unchanged`,
    rest,
  };
}
