/**
 * Credential operations as one caller performs them: unlock, act, write under the lock,
 * and leave one audit event each. Shared by the CLI and the programmatic API.
 */
import { summarize, type Credential, type CredentialInput, type CredentialType } from '../core/credential.js';
import {
  addCredential,
  changeCredential,
  listCredentials,
  listSummaries,
  removeCredential,
  searchCredentials,
  setMainSecrets,
} from '../core/vault.js';
import { modifySyncingGrants, receivedCredentials } from './grants.js';
import { checkRevealable } from './reveal-policy.js';
import { auditedRead } from './resolve-key.js';
import type { Session } from './session.js';

/**
 * A listed credential: one of the vault's own, or a copy granted by another agent. A
 * listing without values holds summaries: no secret value, and `secretFields` naming
 * the secret fields that have one.
 */
export type ListedCredential = Credential & { grantedBy?: string; secretFields?: string[] };

/**
 * Reads one credential; recorded as `credential.get`, or `credential.reveal` when
 * `reveal`. A key the vault lacks reads the one live grant of it (app/resolve-key.ts):
 * the result's `grantedBy` then differs from `agent`.
 */
export function readCredential(session: Session, agent: string, keyOrId: string, options: { reveal?: boolean } = {}): Promise<ListedCredential> {
  return auditedRead(session, agent, keyOrId, options.reveal ? 'credential.reveal' : 'credential.get', (credential) => credential);
}

/** A brokered credential as an agent's listing shows it: no secret, not even as a masked one. */
function withoutSecrets<C extends ListedCredential>(credential: C): C {
  // The summary's fields (the secret ones left out), but none named as set either.
  return { ...credential, fields: summarize(credential).fields, ...(credential.secretFields ? { secretFields: [] } : {}) };
}

/**
 * Lists (or searches) a vault and the grants it received (unless `grants` is false);
 * recorded as `credential.list`, or `credential.reveal` when values are shown. An agent
 * naming another agent's vault lists what that agent granted it. With `values: false`
 * (and no `reveal`) the vault's own credentials come from its listing and no block of
 * records is decrypted; every credential is then a summary (core/credential.ts `summarize`).
 */
export function listVault(
  session: Session,
  agent: string,
  options: { type?: CredentialType; query?: string; reveal?: boolean; grants?: boolean; values?: boolean } = {},
): Promise<ListedCredential[]> {
  const action = options.reveal ? 'credential.reveal' : options.query !== undefined ? 'credential.search' : 'credential.list';
  return session.audit.audited(agent, action, undefined, async () => {
    const caller = session.tokenAgent;
    const grantsOnly = caller !== undefined && caller !== agent;
    const vault = await session.unlock(grantsOnly ? caller : agent);
    const values = options.reveal === true || options.values !== false;
    const own: ListedCredential[] = grantsOnly ? [] : values ? listCredentials(vault.payload) : listSummaries(vault.payload);
    const received = options.grants === false && !grantsOnly ? [] : await receivedCredentials(session, vault, grantsOnly ? agent : undefined);
    const granted: ListedCredential[] = values ? received : received.map(summarize);
    // Only `credentials`: spreading the payload would decrypt every block of a vault an agent reads only grants from.
    const all = [...own, ...listCredentials({ credentials: granted })];
    const found = options.query !== undefined ? searchCredentials({ credentials: all }, options.query) : all;
    const listed = found.filter((c) => options.type === undefined || c.type === options.type);
    if (options.reveal) for (const c of listed) await checkRevealable(session, agent, c);
    // A listing without --reveal still holds the values (the programmatic API returns
    // them); an agent's keeps none of a brokered credential's secrets.
    return caller === undefined ? listed : listed.map((c) => (c.revealPolicy === 'brokered' ? withoutSecrets(c) : c));
  });
}

/** Sets main secrets (`credential set K=V…`) in one atomic write; one event per key. */
export async function setSecrets(session: Session, agent: string, pairs: Array<[string, string]>): Promise<Array<{ key: string; id: string; created: boolean }>> {
  const now = session.now().toISOString();
  return session.audit.audited(
    agent,
    'credential.set',
    pairs.map(([key]) => key),
    (commit) => modifySyncingGrants(session, agent, ({ payload }) => setMainSecrets(payload, pairs, now).map(({ credential, created }) => ({ key: credential.key, id: credential.id, created })), commit),
  );
}

/** Adds a typed credential. */
export function addTyped(session: Session, agent: string, key: string, type: string, input: CredentialInput): Promise<Credential> {
  const now = session.now().toISOString();
  return session.audit.audited(agent, 'credential.add', key, (commit) => modifySyncingGrants(session, agent, ({ payload }) => addCredential(payload, key, type, input, now), commit));
}

/** Changes a credential's fields, keeping its id and creation time. */
export function updateTyped(session: Session, agent: string, keyOrId: string, input: CredentialInput & { rename?: string }): Promise<Credential> {
  const now = session.now().toISOString();
  return session.audit.audited(agent, 'credential.update', keyOrId, (commit) => modifySyncingGrants(session, agent, ({ payload }) => changeCredential(payload, keyOrId, input, now), commit));
}

/** Deletes a credential. */
export function deleteTyped(session: Session, agent: string, keyOrId: string): Promise<Credential> {
  return session.audit.audited(agent, 'credential.delete', keyOrId, (commit) => modifySyncingGrants(session, agent, ({ payload }) => removeCredential(payload, keyOrId), commit));
}
