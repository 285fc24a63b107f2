/**
 * `credential search Q` by the owner without `--agent`: every vault the owner can open,
 * each hit naming its agent. Each vault searched is recorded as its own
 * `credential.search` event (listVault), so each agent's log shows the owner looked.
 */
import { IntegrityError } from '../core/errors.js';
import type { CredentialType } from '../core/credential.js';
import { listVault, type ListedCredential } from './credentials.js';
import type { Session } from './session.js';

/** A search hit and the agent whose vault holds it. */
export type VaultHit = ListedCredential & { agent: string };

/**
 * Searches every agent's vault, in the store's order of agents. The grants each received
 * are not opened: each is found in its granter's vault already. A vault that does not open is
 * skipped with a warning naming it, as the store-wide grant passes do.
 */
export async function searchEveryVault(session: Session, query: string, options: { type?: CredentialType; reveal?: boolean; values?: boolean } = {}): Promise<VaultHit[]> {
  session.requireOwner('searching every vault');
  const hits: VaultHit[] = [];
  for (const agent of await session.listAgents()) {
    let found: ListedCredential[];
    try {
      found = await listVault(session, agent, { ...options, query, grants: false });
    } catch (err) {
      if (!(err instanceof IntegrityError)) throw err;
      session.warn(`skipped agent ${agent}: ${err.message}`);
      continue;
    }
    for (const credential of found) hits.push({ ...credential, agent });
  }
  return hits;
}
