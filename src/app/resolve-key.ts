/**
 * Which credential a key names, for every read of one value (`credential get`, `totp`,
 * `exec --only`, the MCP tools, the programmatic API): the vault's own credential; else
 * the one live grant of that key the vault's agent received (so a key `credential list`
 * shows reads without `--agent`); several grants are a choice for the caller (exit 2);
 * none is exit 3 with the near keys the caller may read as a suggestion.
 */
import { didYouMean, suggest } from '../core/suggest.js';
import { NotFoundError, UsageError } from '../core/errors.js';
import type { AuditEvent } from '../core/audit-event.js';
import type { Credential } from '../core/credential.js';
import { findCredential, listCredentials, type VaultPayload } from '../core/vault.js';
import { readGrantedCredential, receivedForKey, receivedKeys, type GrantedCredential } from './grants.js';
import { checkRevealable } from './reveal-policy.js';
import type { Session } from './session.js';

/** A credential read: the vault's own, or a granted copy marked with its granter. */
export type ReadCredential = Credential & { grantedBy?: string };

/**
 * Where a key led: `agent` is the vault whose log records the read (the granter's for a
 * grant read, as an explicit `--agent GRANTER` read is recorded), and either the
 * credential or the error to report (recorded by the caller's audited action).
 */
type Resolution = { agent: string; credential: ReadCredential; error?: undefined } | { agent: string; error: unknown; credential?: undefined };

/** The not-found error of `keyOrId` in `payload`'s vault, suggesting the near keys of its own credentials and of the grants it received (`received`, else listed now). */
export async function missingCredential(session: Session, payload: VaultPayload, keyOrId: string, received?: readonly string[]): Promise<NotFoundError> {
  // Names only: a value, a field or a note that contains the word is never a reason to suggest its key.
  const readable = [...listCredentials(payload).map((c) => c.key), ...(received ?? (await receivedKeys(session, payload.agent)))];
  return new NotFoundError(
    `no credential ${JSON.stringify(keyOrId)} in the vault of agent ${payload.agent}`,
    didYouMean(suggest(keyOrId, readable)) ?? 'list them with: agent-vault credential list',
  );
}

/**
 * The one live grant of `key` that `payload`'s agent received, for a key its own vault
 * lacks, checked for revealing; exit 2 naming the `--agent` choices when several agents
 * granted a credential of that key; none is the not-found error ({@link missingCredential}),
 * its suggestions drawn from the same listing of the grants received.
 */
export async function grantOfKey(session: Session, payload: VaultPayload, key: string): Promise<GrantedCredential> {
  const { granted, keys } = await receivedForKey(session, payload, key);
  if (granted.length > 1) {
    const granters = granted.map((g) => g.grantedBy);
    throw new UsageError(
      `${key} is granted to agent ${payload.agent} by ${granters.length} agents (${granters.join(', ')}): say which`,
      granters.map((g) => `--agent ${g}`).join(' or '),
    );
  }
  const only = granted[0];
  if (only === undefined) throw await missingCredential(session, payload, key, keys);
  return checkRevealable(session, only.grantedBy, only);
}

/** Resolves `keyOrId` as read in `agent`'s vault; never throws (the error is returned, to be recorded). */
async function resolveCredential(session: Session, agent: string, keyOrId: string): Promise<Resolution> {
  try {
    const caller = session.tokenAgent;
    if (caller !== undefined && caller !== agent) return { agent, credential: await readGrantedCredential(session, agent, keyOrId) };
    const { payload } = await session.unlock(agent);
    const own = findCredential(payload, keyOrId);
    if (own) return { agent, credential: await checkRevealable(session, agent, own) };
    const granted = await grantOfKey(session, payload, keyOrId);
    return { agent: granted.grantedBy, credential: granted };
  } catch (error) {
    return { agent, error };
  }
}

/**
 * Resolves `keyOrId` and runs `use` on the credential inside one audited `action`,
 * recorded in the log of the vault it was read from (`not_found` against `agent`'s when
 * nothing matched).
 */
export async function auditedRead<T>(
  session: Session,
  agent: string,
  keyOrId: string,
  action: AuditEvent['action'],
  use: (credential: ReadCredential) => T | Promise<T>,
): Promise<T> {
  const resolved = await resolveCredential(session, agent, keyOrId);
  return session.audit.audited(resolved.agent, action, keyOrId, async () => {
    if (resolved.credential === undefined) throw resolved.error;
    return use(resolved.credential);
  });
}
