/**
 * The `brokered` reveal policy, enforced in one place: every path by which an agent's
 * token would receive a credential's value (get, list --reveal, exec, totp, grants)
 * calls {@link checkRevealable}. The owner still sees the value; the broker (app/broker/)
 * uses it without calling this, since it never hands the value to the agent.
 */
import type { Credential } from '../core/credential.js';
import { AccessDeniedError } from '../core/errors.js';
import type { Session } from './session.js';

/** The one error of the policy (exit 5), naming it and the way the agent may use the credential. */
export function brokeredError(key: string): AccessDeniedError {
  return new AccessDeniedError(
    `credential ${key} has the reveal policy brokered: an agent uses it only through the broker, never as a value`,
    'call the API through the broker: agent-vault http URL, or agent-vault exec --broker -- CMD',
  );
}

/**
 * Refuses (exit 5, recorded as `access.denied` in `agent`'s log) when an agent's token
 * would be handed the value of a brokered credential. Returns the credential otherwise.
 */
export async function checkRevealable<C extends Credential>(session: Session, agent: string, credential: C): Promise<C> {
  if (credential.revealPolicy !== 'brokered' || session.tokenAgent === undefined) return credential;
  await session.audit.record(agent, { action: 'access.denied', key: credential.key, result: 'denied', reason: 'reveal policy brokered' });
  throw brokeredError(credential.key);
}

/** Refuses a grant of a brokered credential, whoever grants it: a grant hands the value to another agent. */
export function checkGrantable(credential: Credential): void {
  if (credential.revealPolicy === 'brokered') throw brokeredError(credential.key);
}
