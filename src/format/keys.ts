/**
 * The key map of agent-vault: every key a store uses, what it is made from and what it
 * keys, and every HKDF info string (man/agent-vault.5, KEYS, renders the same tree). No
 * other file of `src/` derives a key or spells an info string: they call these functions.
 *
 *   owner passphrase
 *    +- Argon2id v19, with the store file's kdf line: passphrase key
 *        +- AES-256-GCM key of the store file's passphrase slot (wraps the root key);
 *           also what an owner session file (unlock) seals, under the session key
 *
 *   root key (random, 32 bytes, new at every rekey; wrapped in the store file)
 *    +- HKDF(root key, empty salt, "agent-vault/v1 store keys")
 *    |   = the store keys key: AES-256-GCM key of the store file's body
 *    |     (the store log's retired audit keys; opening it proves the root key)
 *    +- AES-256-GCM key of every owner slot (wraps a vault key)
 *    +- HKDF(root key, empty salt, "agent-vault/v1 owner signing key")
 *    |   = the Ed25519 seed of the owner signing key (signs key certificates)
 *    +- HKDF(root key, empty salt, "agent-vault/v1 store audit")
 *    |   = the store audit key (HMAC key of the store's own log, newest epoch;
 *    |     the keys of earlier root keys are kept in the store file's body)
 *    +- HKDF(root key, empty salt, "agent-vault/v1 journal")
 *    |   = the journal key (HMAC key of the lifecycle journal entries)
 *    +- HKDF(root key, empty salt, "agent-vault/v1 hooks")
 *    |   = the hooks key (AES-256-GCM key of the hooks and their delivery cursor)
 *    +- HKDF(root key, empty salt, "agent-vault/v1 rekey journal")
 *        = the rekey journal key: AES-256-GCM key that seals, in the rekey
 *          journal, the other root key of a rekey under way
 *
 *   session secret (random, the last part of an owner session string)
 *    +- HKDF(session secret, empty salt, "agent-vault/v1 session")
 *        = the session key: AES-256-GCM key of the session file's sealed
 *          passphrase key
 *
 *   token secret (random, the last part of the token)
 *    +- HKDF(token secret, token slot salt, "agent-vault/v1 token <agent>")
 *        = the token slot key: AES-256-GCM key of the token slot
 *          (wraps the vault key)
 *
 *   vault key (random, new at every token rotate)
 *    +- HKDF(vault key, empty salt, "agent-vault/v1 payload")
 *        = the payload key, which seals the payload; the payload holds
 *        +- the X25519 private key (random, new at every token rotate)
 *        |   +- HKDF(X25519(ephemeral, grantee) || X25519(granter, grantee),
 *        |            ephemeral || grantee || granter public keys,
 *        |            "agent-vault/v1 grant")
 *        |       = the grant file key of one grant file
 *        +- the audit keys (random, one per epoch; HMAC keys of the vault's log)
 *        +- the proposal keys (random, one per token epoch, drawn at the first
 *            proposal after a rotation)
 *            +- HKDF(proposal key, empty salt, "agent-vault/v1 proposal")
 *                = the proposal file key: AES-256-GCM key of the agent's proposal
 *                  files (additional data: the header, which names agent and id)
 *
 * Every HKDF is HKDF-SHA256 with a 32-byte output; "empty salt" is the empty string.
 * The audit keys are random rather than derived from the vault key on purpose: token
 * rotate replaces the vault key, and the lines written before must still verify. The
 * random keys are drawn where vaults are created and rotated (src/app), as 32 bytes.
 */
import { deriveSubkey, KEY_LENGTH } from './aead.js';

/**
 * How the passphrase key is made from the passphrase: Argon2id of this version over the
 * passphrase's UTF-8 bytes, with the salt and costs of the store file's kdf line,
 * giving `length` bytes. (The Argon2id call itself lives outside the pure layer.)
 * The passphrase key only wraps the root key, so a passphrase change rewrites one file.
 */
export const PASSPHRASE_KEY_ARGON2ID = { version: 0x13, length: KEY_LENGTH } as const;

/**
 * Every HKDF info string, one per derived key. Each begins with the vault format's
 * version, so a future format derives different keys from the same secrets; the token
 * slot key's also names the agent, so one agent's slot never opens under another's.
 */
export const HKDF_INFO = {
  payload: 'agent-vault/v1 payload',
  tokenSlot: (agent: string): string => `agent-vault/v1 token ${agent}`,
  ownerSigningKey: 'agent-vault/v1 owner signing key',
  storeAudit: 'agent-vault/v1 store audit',
  journal: 'agent-vault/v1 journal',
  hooks: 'agent-vault/v1 hooks',
  grant: 'agent-vault/v1 grant',
  proposal: 'agent-vault/v1 proposal',
  storeKeys: 'agent-vault/v1 store keys',
  rekeyJournal: 'agent-vault/v1 rekey journal',
  session: 'agent-vault/v1 session',
} as const;

const EMPTY_SALT = Buffer.alloc(0);

/** The key that seals a vault's payload, from its vault key. */
export function derivePayloadKey(vaultKey: Buffer): Buffer {
  return deriveSubkey(vaultKey, EMPTY_SALT, HKDF_INFO.payload);
}

/** The key of `agent`'s token slot, from its token secret and the slot's salt. */
export function deriveTokenSlotKey(tokenSecret: Buffer, agent: string, salt: Buffer): Buffer {
  return deriveSubkey(tokenSecret, salt, HKDF_INFO.tokenSlot(agent));
}

/** The 32-byte Ed25519 seed of the owner signing key, from the root key. */
export function deriveOwnerSigningSeed(rootKey: Buffer): Buffer {
  return deriveSubkey(rootKey, EMPTY_SALT, HKDF_INFO.ownerSigningKey);
}

/** The HMAC key of the store's own audit log in the epoch of `rootKey`. */
export function deriveStoreAuditKey(rootKey: Buffer): Buffer {
  return deriveSubkey(rootKey, EMPTY_SALT, HKDF_INFO.storeAudit);
}

/** The HMAC key of the lifecycle journal's entries, from the root key. */
export function deriveJournalKey(rootKey: Buffer): Buffer {
  return deriveSubkey(rootKey, EMPTY_SALT, HKDF_INFO.journal);
}

/** The key that seals the store file's body (its retired audit keys), from the root key. */
export function deriveStoreKeysKey(rootKey: Buffer): Buffer {
  return deriveSubkey(rootKey, EMPTY_SALT, HKDF_INFO.storeKeys);
}

/** The key that seals, in the rekey journal, the other root key of a rekey, from one root key. */
export function deriveRekeyJournalKey(rootKey: Buffer): Buffer {
  return deriveSubkey(rootKey, EMPTY_SALT, HKDF_INFO.rekeyJournal);
}

/** The key of an owner session file, from the secret of its session string. */
export function deriveSessionKey(sessionSecret: Buffer): Buffer {
  return deriveSubkey(sessionSecret, EMPTY_SALT, HKDF_INFO.session);
}

/** The key that seals the hooks (their URLs, commands and secrets) and their delivery cursor, from the root key. */
export function deriveHooksKey(rootKey: Buffer): Buffer {
  return deriveSubkey(rootKey, EMPTY_SALT, HKDF_INFO.hooks);
}

/** The X25519 shares and public keys a grant file's key is made from. */
export interface GrantKeyInputs {
  /** X25519(ephemeral, grantee). */
  ephemeralShare: Buffer;
  /** X25519(granter, grantee): only the granter or the grantee can compute it. */
  staticShare: Buffer;
  ephemeral: Buffer;
  grantee: Buffer;
  granter: Buffer;
}

/** The key that seals one grant file. */
export function deriveGrantFileKey({ ephemeralShare, staticShare, ephemeral, grantee, granter }: GrantKeyInputs): Buffer {
  return deriveSubkey(Buffer.concat([ephemeralShare, staticShare]), Buffer.concat([ephemeral, grantee, granter]), HKDF_INFO.grant);
}

/**
 * The key that seals an agent's proposal files, from one of the random proposal keys its
 * payload holds. Only that agent's token and the owner open the payload, so only they
 * can read or write its proposals; another agent's would not open.
 */
export function deriveProposalFileKey(proposalKey: Buffer): Buffer {
  return deriveSubkey(proposalKey, EMPTY_SALT, HKDF_INFO.proposal);
}
