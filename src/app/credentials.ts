/**
 * Credential operations as one caller performs them: unlock, act, write under the lock,
 * and leave one audit event each. Shared by the CLI and the programmatic API.
 */
import type { Credential, CredentialInput, CredentialType } from '../core/credential.js';
import {
  addCredential,
  changeCredential,
  listCredentials,
  removeCredential,
  requireCredential,
  searchCredentials,
  setMainSecret,
} from '../core/vault.js';
import type { Session } from './session.js';

/**
 * The one path by which a credential is read (by `credential get`, `totp`, …): unlock
 * the vault and find the credential. It records nothing; each caller wraps it in its
 * own audited action.
 */
export async function findCredential(session: Session, agent: string, keyOrId: string): Promise<Credential> {
  const { payload } = await session.unlock(agent);
  return requireCredential(payload, keyOrId);
}

/** Reads one credential; recorded as `credential.get`, or `credential.reveal` when `reveal`. */
export function readCredential(session: Session, agent: string, keyOrId: string, options: { reveal?: boolean } = {}): Promise<Credential> {
  return session.audited(agent, options.reveal ? 'credential.reveal' : 'credential.get', keyOrId, () => findCredential(session, agent, keyOrId));
}

/** Lists (or searches) a vault; recorded as `credential.list`, or `credential.reveal` when values are shown. */
export function listVault(
  session: Session,
  agent: string,
  options: { type?: CredentialType; query?: string; reveal?: boolean } = {},
): Promise<Credential[]> {
  const action = options.reveal ? 'credential.reveal' : options.query !== undefined ? 'credential.search' : 'credential.list';
  return session.audited(agent, action, undefined, async () => {
    const { payload } = await session.unlock(agent);
    const found = options.query !== undefined ? searchCredentials(payload, options.query) : listCredentials(payload);
    return found.filter((c) => options.type === undefined || c.type === options.type);
  });
}

/** Sets main secrets (`credential set K=V…`) in one atomic write; one event per key. */
export async function setSecrets(session: Session, agent: string, pairs: Array<[string, string]>): Promise<Array<{ key: string; created: boolean }>> {
  const now = session.now().toISOString();
  return session.audited(
    agent,
    'credential.set',
    pairs.map(([key]) => key),
    () => session.modify(agent, ({ payload }) => pairs.map(([key, value]) => ({ key, created: setMainSecret(payload, key, value, now).created }))),
  );
}

/** Adds a typed credential. */
export function addTyped(session: Session, agent: string, key: string, type: string, input: CredentialInput): Promise<Credential> {
  const now = session.now().toISOString();
  return session.audited(agent, 'credential.add', key, () => session.modify(agent, ({ payload }) => addCredential(payload, key, type, input, now)));
}

/** Changes a credential's fields, keeping its id and creation time. */
export function updateTyped(session: Session, agent: string, keyOrId: string, input: CredentialInput & { rename?: string }): Promise<Credential> {
  const now = session.now().toISOString();
  return session.audited(agent, 'credential.update', keyOrId, () => session.modify(agent, ({ payload }) => changeCredential(payload, keyOrId, input, now)));
}

/** Deletes a credential. */
export function deleteTyped(session: Session, agent: string, keyOrId: string): Promise<Credential> {
  return session.audited(agent, 'credential.delete', keyOrId, () => session.modify(agent, ({ payload }) => removeCredential(payload, keyOrId)));
}
