/**
 * Which X25519 key is whose, as the owner vouches for it. Grants are sealed to, and
 * accepted from, only keys the owner certified (src/format/key-certificate.ts): a
 * vault header's `pub` can be rewritten by any process of the store's user, and a key
 * taken from there would let it receive the next grant, or forge one.
 */
import { IntegrityError } from '../core/errors.js';
import type { VaultPayload } from '../core/vault.js';
import { decodeBase64, encodeBase64 } from '../format/encoding.js';
import { FormatError } from '../format/format-error.js';
import { deriveOwnerSigningKey, ED25519_KEY_LENGTH, encodeKeyCertificate, parseKeyCertificate, verifyKeyCertificate, type ParsedKeyCertificate } from '../format/key-certificate.js';
import { objectIds } from '../store/backend.js';
import type { Session } from './session.js';

/** The owner's verify key (base64), as every vault payload pins it at provisioning. */
export function ownerVerifyKey(ownerKey: Buffer): string {
  return encodeBase64(deriveOwnerSigningKey(ownerKey).publicKey);
}

/** Signs `agent`'s X25519 public key and writes its certificate. Owner only; call holding the agent's vault. */
export async function certifyAgentKey(session: Session, ownerKey: Buffer, agent: string, publicKey: Buffer): Promise<void> {
  await session.store.put(objectIds.keyCertificate(agent), encodeKeyCertificate(agent, publicKey, deriveOwnerSigningKey(ownerKey)));
}

/** Removes `agent`'s certificate, so no grant is sealed to or accepted from its key. Owner only. */
export async function removeAgentKey(session: Session, agent: string): Promise<void> {
  await session.store.remove(objectIds.keyCertificate(agent));
}

/**
 * The key certificates are checked against: the owner derives it from the owner key;
 * an agent takes it from its own payload, which only its token and the owner can write.
 */
export async function trustedVerifyKey(session: Session, payload: VaultPayload): Promise<Buffer> {
  if (session.isOwner()) return deriveOwnerSigningKey(await session.rootKey()).publicKey;
  return decodeBase64(payload.ownerSigningKey, `owner signing key in the vault of agent ${payload.agent}`, ED25519_KEY_LENGTH);
}

/**
 * `agent`'s X25519 public key from its certificate, checked against `verifyKey`. A
 * missing, malformed or unverified certificate is exit 6, naming the agent: there is
 * deliberately no fallback to the vault header's `pub`.
 */
export async function certifiedPublicKey(session: Session, agent: string, verifyKey: Buffer): Promise<Buffer> {
  const hint = `the owner certifies its key anew with: agent-vault token rotate ${agent}`;
  const bytes = (await session.store.read(objectIds.keyCertificate(agent)))?.bytes;
  if (!bytes) throw new IntegrityError(`agent ${agent} has no key certificate`, hint);
  let certificate: ParsedKeyCertificate | undefined;
  try {
    certificate = parseKeyCertificate(bytes);
  } catch (err) {
    if (!(err instanceof FormatError)) throw err;
  }
  // The agent line is signed too, so a certificate copied to another agent's name fails here.
  if (!certificate || certificate.agent !== agent || !verifyKeyCertificate(certificate, verifyKey)) {
    throw new IntegrityError(`the key certificate of agent ${agent} does not verify: it was altered, moved or not signed by this store's owner`, hint);
  }
  return certificate.publicKey;
}

/**
 * The certified key of a grantee about to receive a grant, which its vault header must
 * also name: a header that disagrees was rewritten (or the certificate is stale), and
 * either is a reason to stop rather than to guess (exit 6).
 */
export async function granteePublicKey(session: Session, grantee: string, verifyKey: Buffer): Promise<Buffer> {
  const certified = await certifiedPublicKey(session, grantee, verifyKey);
  if (!(await session.readVaultFile(grantee)).file.header.publicKey.equals(certified)) {
    throw new IntegrityError(
      `the vault header of agent ${grantee} names another public key than its key certificate: one of them was altered`,
      `the owner certifies its key anew with: agent-vault token rotate ${grantee}`,
    );
  }
  return certified;
}
