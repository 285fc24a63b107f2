/**
 * The credential lifecycle as one caller performs it: history and restore, what is
 * due, and rotation. Every write goes through {@link modifySyncingGrants}, which keeps
 * the replaced values as a version and re-seals live grants, and leaves one audit event.
 */
import { mainField, type Credential } from '../core/credential.js';
import { IntegrityError, UsageError } from '../core/errors.js';
import { mainSecretChanged, secretValues, versionsOf, versionValues, type CredentialHistory, type CredentialVersion } from '../core/history.js';
import { dueItems, type DueItem, type GeneratorSettings } from '../core/policy.js';
import { historyOf, requireCredential } from '../core/vault.js';
import { modifySyncingGrants } from './grants.js';
import { checkRevealable } from './reveal-policy.js';
import type { Session } from './session.js';

/** One version as `credential history` shows it, newest first. */
export type VersionRow = CredentialVersion & { current: boolean; values: Record<string, string> };

/** `credential history KEY`: recorded as `credential.history`, or `credential.reveal` when values are shown. */
export function credentialHistory(session: Session, agent: string, keyOrId: string, options: { reveal?: boolean } = {}): Promise<{ credential: Credential; versions: VersionRow[] }> {
  return session.audit.audited(agent, options.reveal ? 'credential.reveal' : 'credential.history', keyOrId, async () => {
    const { payload } = await session.unlock(agent);
    const credential = requireCredential(payload, keyOrId);
    if (options.reveal) await checkRevealable(session, agent, credential);
    return { credential, versions: versionsOf(historyOf(payload, credential), credential) };
  });
}

/**
 * `credential restore KEY N`: makes version N's secret values current again,
 * as a new version (history is never rewritten). A version not kept is exit 3.
 */
export function restoreVersion(session: Session, agent: string, keyOrId: string, version: number): Promise<{ credential: Credential; version: number }> {
  return session.audit.audited(agent, 'credential.restore', keyOrId, (commit) =>
    modifySyncingGrants(
      session,
      agent,
      ({ payload }) => {
        const credential = requireCredential(payload, keyOrId);
        const values = versionValues(historyOf(payload, credential), credential, version);
        for (const name of Object.keys(secretValues(credential))) delete credential.fields[name];
        Object.assign(credential.fields, values);
        credential.updated = session.now().toISOString();
        return { credential, version };
      },
      commit,
      { restored: version },
    ),
  );
}

/** One row of `credential due`. */
export interface DueRow extends DueItem {
  agent: string;
  key: string;
}

/**
 * What is due across every vault the caller may open (the owner: all of them, an agent:
 * its own), sorted by date. A vault that does not open is skipped with a warning. With
 * `notify`, each row is recorded as a `credential.due` event in its vault's log, where
 * `hook run` finds it.
 */
export async function dueCredentials(session: Session, options: { withinMs?: number; notify?: boolean } = {}): Promise<DueRow[]> {
  const agents = session.tokenAgent !== undefined ? [session.tokenAgent] : (await session.rootKey(), await session.listAgents());
  const now = session.now();
  const rows: DueRow[] = [];
  for (const agent of agents) {
    let payload;
    try {
      ({ payload } = await session.unlock(agent));
    } catch (err) {
      if (!(err instanceof IntegrityError) || session.tokenAgent !== undefined) throw err;
      session.warn(`skipped agent ${agent}: ${err.message}`);
      continue;
    }
    for (const credential of payload.credentials) {
      for (const item of dueItems(credential.policy, mainSecretChanged(payload.history, credential), now, options.withinMs ?? 0)) rows.push({ agent, key: credential.key, ...item });
    }
  }
  rows.sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : 0));
  if (options.notify) {
    for (const row of rows) await session.audit.record(row.agent, { action: 'credential.due', key: row.key, reason: `${row.reason} ${Date.parse(row.due) <= now.getTime() ? 'since' : 'at'} ${row.due}` });
  }
  return rows;
}

/** How many credentials of an unlocked vault are due now (for `status`). */
export function countDue(payload: { credentials: Credential[]; history?: CredentialHistory }, now: Date): number {
  return payload.credentials.filter((c) => dueItems(c.policy, mainSecretChanged(payload.history, c), now).length > 0).length;
}

/** The main secret of a credential of the caller's vault, read for a rotation (its CMD gets it as the old value). */
export async function currentMainSecret(session: Session, agent: string, keyOrId: string, forCommand = false): Promise<{ credential: Credential; value: string | undefined }> {
  const { payload } = await session.unlock(agent);
  const found = requireCredential(payload, keyOrId);
  // The values go to a command's environment: an agent is refused a brokered credential there as on every other path.
  const credential = forCommand ? await checkRevealable(session, agent, found) : found;
  return { credential, value: credential.fields[mainField(credential)] };
}

/**
 * `credential rotate`: replaces the main secret with `value` (the old one kept as a
 * version, live grants re-sealed, the rotation date reset), remembering `generator`
 * when given. Recorded as `credential.rotate`.
 */
export async function rotateCredential(session: Session, agent: string, keyOrId: string, value: string, generator?: GeneratorSettings): Promise<Credential> {
  // An empty main secret is no rotation, whoever calls (the CLI refuses it earlier, before a command sees it).
  if (value === '') throw new UsageError('the new value is empty');
  return session.audit.audited(agent, 'credential.rotate', keyOrId, (commit) =>
    modifySyncingGrants(
      session,
      agent,
      ({ payload }) => {
        const credential = requireCredential(payload, keyOrId);
        credential.fields[mainField(credential)] = value;
        credential.updated = session.now().toISOString();
        if (generator !== undefined) credential.policy = { ...credential.policy, generator };
        return credential;
      },
      commit,
    ),
  );
}

/** Records a rotation that did not happen (its command failed), naming why; never a value. */
export function recordFailedRotation(session: Session, agent: string, key: string, reason: string): Promise<void> {
  return session.audit.record(agent, { action: 'credential.rotate', key, result: 'error', reason });
}
