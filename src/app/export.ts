/**
 * `export`: every credential of one vault with every secret, for the owner only,
 * recorded as one `credential.export` event of that vault (as `credential list
 * --reveal` is one `credential.reveal`).
 */
import type { Credential } from '../core/credential.js';
import { listCredentials } from '../core/vault.js';
import type { Session } from './session.js';

/** The vault's credentials, sorted by key. An agent token is refused (exit 5) before anything is read. */
export function exportCredentials(session: Session, agent: string): Promise<Credential[]> {
  session.requireOwner('exporting a vault');
  return session.audit.audited(agent, 'credential.export', undefined, async () => listCredentials((await session.unlock(agent)).payload));
}
