/**
 * `credential copy OLD NEW [--to-agent X]`: the whole credential under a new key,
 * written through {@link modifySyncingGrants} (the one write path, so the target's
 * history and grants stay right). Within one vault the source is read inside the
 * write; across vaults (the owner only) it is read first, then the target written, and the
 * source's log records the copy only after that write.
 */
import { copyCredential } from '../core/copy.js';
import { findCredential, type VaultPayload } from '../core/vault.js';
import type { Credential } from '../core/credential.js';
import { checkAgentId, checkCredentialKey } from '../core/ids.js';
import { modifySyncingGrants } from './grants.js';
import { missingCredential } from './resolve-key.js';
import type { Session } from './session.js';

/** What a copy did: the new (or overwritten) credential, in which vault. */
export interface CopyResult {
  agent: string;
  credential: Credential;
  replaced: boolean;
}

async function sourceIn(session: Session, payload: VaultPayload, keyOrId: string): Promise<Credential> {
  // Only the vault's own credentials: a copy of a received grant would outlive its revocation.
  const found = findCredential(payload, keyOrId);
  if (!found) throw await missingCredential(session, payload, keyOrId);
  return found;
}

/**
 * Copies `keyOrId` of `from`'s vault to `key` in `to`'s (default: the same vault).
 * Recorded as `credential.copy`: within a vault one line for each key, under the write's
 * lock; across vaults one line in the source's log (key OLD, `to` the target agent) and
 * one in the target's (key NEW). An agent copies only within its own vault.
 */
export async function copyCredentialTo(session: Session, from: string, keyOrId: string, key: string, options: { to?: string; force?: boolean } = {}): Promise<CopyResult> {
  checkCredentialKey(key);
  const to = checkAgentId(options.to ?? from);
  const now = session.now().toISOString();
  const force = options.force === true ? { force: true } : {};
  if (to === from) {
    return session.audit.audited(from, 'credential.copy', [keyOrId, key], (commit) =>
      modifySyncingGrants(session, from, async ({ payload }) => ({ agent: to, ...copyCredential(payload, await sourceIn(session, payload, keyOrId), key, now, force) }), commit),
    );
  }
  session.requireOwner('copying into another vault (--to-agent)');
  // The source's line is recorded once the target is written (or failed to be), so its log never says a copy happened that did not.
  return session.audit.audited(from, 'credential.copy', keyOrId, async () => {
    const source = await sourceIn(session, (await session.unlock(from)).payload, keyOrId);
    return session.audit.audited(to, 'credential.copy', key, (commit) => modifySyncingGrants(session, to, ({ payload }) => ({ agent: to, ...copyCredential(payload, source, key, now, force) }), commit));
  }, { to });
}
