/**
 * `credential edit`: read a credential of the caller's own vault whole, and later apply
 * the change a document made to it, through the one write path (`modifySyncingGrants`,
 * so history and grants follow), only if nobody changed it in between.
 */
import type { Credential, CredentialInput } from '../core/credential.js';
import { AccessDeniedError, BusyError, NotFoundError } from '../core/errors.js';
import { changeCredential, findCredential } from '../core/vault.js';
import { modifySyncingGrants } from './grants.js';
import { missingCredential } from './resolve-key.js';
import { checkRevealable } from './reveal-policy.js';
import type { Session } from './session.js';

/**
 * The credential with every value, recorded as `credential.reveal` (the editor shows
 * them all). Only the vault's own credentials: a granted copy is changed by its owner.
 */
export async function openForEdit(session: Session, agent: string, keyOrId: string): Promise<Credential> {
  const caller = session.tokenAgent;
  if (caller !== undefined && caller !== agent) {
    throw new AccessDeniedError(`agent ${caller} cannot edit the credentials of agent ${agent}`, `a granted credential is changed in the vault of ${agent}, by its owner or its token`);
  }
  // The vault's own credential only, not the grant-by-key fallback of a read: a granted
  // copy cannot be saved here, so it must not be shown in an editor either.
  return session.audit.audited(agent, 'credential.reveal', keyOrId, async () => {
    const { payload } = await session.unlock(agent);
    const own = findCredential(payload, keyOrId);
    if (own === undefined) throw await missingCredential(session, payload, keyOrId);
    return checkRevealable(session, agent, own);
  });
}

/** What an edit may not have raced with: every part of the credential a document shows, and when it last changed. */
function fingerprint(c: Credential): string {
  return JSON.stringify([c.key, c.type, c.name, c.tags, c.uris, Object.entries(c.fields).sort(), c.updated, c.revealPolicy ?? null, c.policy ?? null]);
}

/**
 * Applies `change` to the credential `original` was read as, recorded as
 * `credential.update`. If it was changed (or deleted) since it was read, nothing is
 * written: the edit started from a value that is no longer there, and applying it would
 * silently undo the other change (exit 7, or 3 for a deleted one).
 */
export function applyEdit(session: Session, agent: string, original: Credential, change: CredentialInput & { rename?: string }): Promise<Credential> {
  const now = session.now().toISOString();
  return session.audit.audited(agent, 'credential.update', original.key, (commit) =>
    modifySyncingGrants(
      session,
      agent,
      ({ payload }) => {
        const current = payload.credentials.find((c) => c.id === original.id);
        if (current === undefined) throw new NotFoundError(`credential ${original.key} was deleted while it was being edited, nothing was changed`);
        if (fingerprint(current) !== fingerprint(original)) {
          throw new BusyError(`credential ${original.key} changed while it was being edited, nothing was changed`, `run agent-vault credential edit ${current.key} again to edit it as it is now`);
        }
        return changeCredential(payload, original.id, change, now);
      },
      commit,
    ),
  );
}
