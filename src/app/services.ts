/**
 * `service add|list|remove`: the services of an agent's vault, which tell the broker how
 * to attach a credential of that vault to the agent's requests. Only the owner changes
 * them: an agent that could add a service could send its brokered credential to a host
 * of its choosing.
 */
import { AccessDeniedError, NotFoundError } from '../core/errors.js';
import { checkField, readField } from '../core/credential.js';
import { checkServiceName, upsertService, type Service } from '../core/broker/service.js';
import { requireCredential } from '../core/vault.js';
import { modifySyncingGrants } from './grants.js';
import type { Session } from './session.js';

/** A service to add, as `service add` parsed it (the time is the session's). */
export type ServiceInput = Omit<Service, 'created'>;

function requireOwner(session: Session, what: string): void {
  if (!session.isOwner()) throw new AccessDeniedError(`${what} needs the owner passphrase, not an agent token`, 'unset AGENT_VAULT_TOKEN and give the passphrase');
}

/**
 * Adds (or replaces) a service in `agent`'s vault, recorded as `service.add`. The
 * credential (and its field) must exist now; it is looked up again at each request.
 */
export function addService(session: Session, agent: string, input: ServiceInput): Promise<{ service: Service; replaced: boolean }> {
  requireOwner(session, 'adding a service');
  checkServiceName(input.name);
  return session.audit.audited(
    agent,
    'service.add',
    input.credential,
    (commit) =>
      modifySyncingGrants(
        session,
        agent,
        ({ payload }) => {
          const credential = requireCredential(payload, input.credential);
          const service: Service = { ...input, credential: credential.key, created: session.now().toISOString() };
          if (input.field !== undefined) {
            service.field = checkField(credential.type, input.field);
            readField(credential, service.field);
          }
          payload.services ??= [];
          return { service, replaced: upsertService(payload.services, service) };
        },
        commit,
      ),
    { service: input.name },
  );
}

/** The services of `agent`'s vault, by name. The agent may list its own: they hold no value. */
export async function listServices(session: Session, agent: string): Promise<Service[]> {
  const { payload } = await session.unlock(agent);
  return [...(payload.services ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Removes a service, recorded as `service.remove`; no such service is exit 3. */
export function removeService(session: Session, agent: string, name: string): Promise<Service> {
  requireOwner(session, 'removing a service');
  checkServiceName(name);
  return session.audit.audited(
    agent,
    'service.remove',
    undefined,
    (commit) =>
      modifySyncingGrants(
        session,
        agent,
        ({ payload }) => {
          const service = payload.services?.find((s) => s.name === name);
          if (!service) throw new NotFoundError(`agent ${agent} has no service ${name}`, `list them with: agent-vault service list --agent ${agent}`);
          payload.services = payload.services!.filter((s) => s !== service);
          if (payload.services.length === 0) delete payload.services;
          return service;
        },
        commit,
      ),
    { service: name },
  );
}
