/**
 * The agent lifecycle, owner only: provisioning a vault and its token, rotating the
 * token (and with it every key the old token could reach), and deprovisioning. Each
 * records its own audit events after the owner's proof and while it holds the vault,
 * so a refused or blocked call leaves no line claiming it happened.
 */
import { randomBytes } from 'node:crypto';
import { UsageError } from '../core/errors.js';
import { checkAgentId } from '../core/ids.js';
import { createToken } from '../core/token.js';
import { emptyPayload, encodePayload, type VaultPayload } from '../core/vault.js';
import { KEY_LENGTH } from '../format/aead.js';
import { planHeadReanchor } from '../format/audit-append.js';
import { decodeBase64, encodeBase64 } from '../format/encoding.js';
import { generateAgentKeyPair } from '../format/grant-file.js';
import { encodeVaultFile, wrapOwnerSlot, wrapTokenSlot, type VaultHeader } from '../format/vault-file.js';
import { agentLog, objectIds, WriteConflictError } from '../store/backend.js';
import { certifyAgentKey, ownerVerifyKey, removeAgentKey } from './agent-keys.js';
import { forgetGrantsTo, removeGrantsInvolving, resealGrantsTo } from './grants.js';
import type { Session } from './session.js';

/** Creates an agent's vault, records `agent.provision` as its log's first line, and returns its one-time token. */
export async function provisionAgent(session: Session, agent: string): Promise<string> {
  checkAgentId(agent);
  session.requireOwner('provisioning an agent');
  const ownerKey = await session.ownerKey();
  const id = objectIds.vault(agent);
  await session.store.prepare();
  return session.store.exclusive(id, async () => {
    const { token, parsed } = createToken(agent);
    const vaultKey = randomBytes(KEY_LENGTH);
    const keyPair = generateAgentKeyPair();
    const now = session.now().toISOString();
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
      await session.store.create(id, encodeVaultFile(header, vaultKey, encodePayload(payload)));
    } catch (err) {
      if (err instanceof WriteConflictError) throw new UsageError(`agent ${agent} is already provisioned`, `rotate its token with: agent-vault token rotate ${agent}`);
      throw err;
    }
    await certifyAgentKey(session, ownerKey, agent, keyPair.publicKey);
    session.adoptAuditKeys(agent, payload);
    // Still holding the vault, so it is the log's first line: `audit verify` relies on that.
    await session.audit.record(agent, { action: 'agent.provision' });
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
 */
export async function rotateToken(session: Session, agent: string): Promise<string> {
  checkAgentId(agent);
  session.requireOwner('rotating a token');
  const ownerKey = await session.ownerKey();
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
    delete payload.grants;
    await removeGrantsInvolving(session, agent, { given: true, received: false });
    await session.store.replace(id, session.seal(header, vaultKey, payload), vault.generation);
    await certifyAgentKey(session, ownerKey, agent, keyPair.publicKey);
    await session.store.forgetPrevious(id);
    session.adoptAuditKeys(agent, payload);
    const keys = (p: VaultPayload) => ({ keys: p.auditKeys.map((k, i) => decodeBase64(k, `audit key ${i}`, KEY_LENGTH)) });
    await session.store.audit.rewriteHead(agentLog(agent), (tail) => planHeadReanchor(tail, keys(vault.payload), keys(payload)));
    await session.audit.record(agent, { action: 'token.rotate' });
    return token;
  });
  await resealGrantsTo(session, agent);
  return token;
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
  const id = objectIds.vault(agent);
  await session.store.exclusive(id, async () => {
    await forgetGrantsTo(session, agent);
    // The last line of its log, written before the log is retired with it.
    await session.audit.record(agent, { action: 'agent.deprovision' });
    // The certificate goes first: should the rest fail, no grant is sealed to this key.
    await removeAgentKey(session, agent);
    await removeGrantsInvolving(session, agent, { given: true, received: true });
    await session.store.audit.retire(agent, session.now().toISOString());
    await session.store.remove(id);
    await session.audit.recordStore({ agent, action: 'agent.deprovision' });
  });
}
