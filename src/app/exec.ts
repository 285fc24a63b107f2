/**
 * What `exec` injects: the caller's credentials (and those granted to it) resolved to
 * environment variables, every one of them before any child starts, so a child never
 * runs with a half-filled environment.
 */
import { isSecretField, mainField, readField, type Credential } from '../core/credential.js';
import type { CredentialReference, PlainEnvLine } from '../core/env-file.js';
import { checkInjection, checkPlainInjection, credentialEnv, type EnvSource } from '../core/env-vars.js';
import { NotFoundError, UsageError } from '../core/errors.js';
import { findCredential, listCredentials, type VaultPayload } from '../core/vault.js';
import { readGrantedCredential, receivedCredentials } from './grants.js';
import { checkRevealable } from './reveal-policy.js';
import { grantOfKey } from './resolve-key.js';
import type { Session } from './session.js';

export interface ExecRequest {
  /** The vault whose credentials are injected: the caller's own, or (owner) the one chosen. */
  vault?: string;
  /** Also inject what this agent granted the caller. */
  grantsFrom?: string;
  /** Only these keys (from the vault, else from `grantsFrom`). */
  only?: string[];
  prefix: string;
  /** `--env-file` references; with them (or plain lines), nothing else is injected unless `only` names it. */
  references: CredentialReference[];
  /** `--env-file` lines with plain values, set as they are (after the references' checks). */
  plain?: PlainEnvLine[];
  /** Protected variable names (`PATH`, `LD_PRELOAD`…) the caller's own credentials may set (`--allow-env`). */
  allowEnv?: string[];
  /**
   * `exec --broker`: the placeholder that stands for each service credential of the
   * vault, by key and then field (`''` for the main secret). Such a credential's
   * variables get the placeholder, never the value, and its other secrets are left out.
   */
  brokered?: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

/** Variables for the child, in order; a name given twice is a usage error. */
export type InjectedEnv = Map<string, string>;

/** The resolved environment, and how to record the run once it is known how it started. */
export interface ResolvedExec {
  env: InjectedEnv;
  /** The `only` keys the vault lacked, read from the one live grant of each (for the caller to say so). */
  readFromGrants: Array<{ key: string; granter: string }>;
  /** The values read from credentials (what `--mask` hides): not the env file's plain values, which are no secrets. */
  secrets: string[];
  /**
   * Records one `exec.run` event, naming only the program, in each vault read from:
   * `ok` when the program started, `error` with the reason when it could not.
   */
  recordRun(failure?: string): Promise<void>;
}

/** A credential as `exec --broker` shows it: its placeholders where the services use it, none of its other secrets. */
function withPlaceholders(credential: Credential, placeholders: ReadonlyMap<string, string>): Credential {
  const fields = Object.fromEntries(Object.entries(credential.fields).filter(([name]) => !isSecretField(credential.type, name)));
  for (const [field, placeholder] of placeholders) fields[field === '' ? mainField(credential) : field] = placeholder;
  return { ...credential, fields };
}

/**
 * Resolves everything `request` asks for. Missing credentials are exit 3, missing
 * grants exit 5, a variable that must not or cannot be set (checkInjection) exit 2,
 * all before anything runs.
 */
export async function resolveExecEnv(session: Session, request: ExecRequest, program: string): Promise<ResolvedExec> {
  const env: InjectedEnv = new Map();
  const allowed = new Set(request.allowEnv ?? []);
  const add = (name: string, value: string, source: EnvSource): void => {
    if (env.has(name)) throw new UsageError(`two credentials would set ${name}`, 'choose with --only, or separate them with --prefix');
    checkInjection(name, value, source, allowed);
    env.set(name, value);
  };
  const addAll = async (credential: Credential, agent: string, granted: boolean): Promise<void> => {
    const placeholders = granted ? undefined : request.brokered?.get(credential.key);
    const shown = placeholders ? withPlaceholders(credential, placeholders) : await checkRevealable(session, agent, credential);
    for (const [name, value] of credentialEnv(shown, request.prefix)) add(name, value, { key: credential.key, agent, granted });
  };
  const payloads = new Map<string, VaultPayload>();
  const vaultOf = async (agent: string): Promise<VaultPayload> => {
    if (!payloads.has(agent)) payloads.set(agent, (await session.unlock(agent)).payload);
    return payloads.get(agent)!;
  };
  const granters = new Set<string>();
  const readFromGrants: ResolvedExec['readFromGrants'] = [];
  const granted = async (granter: string, key: string): Promise<Credential> => {
    granters.add(granter);
    return readGrantedCredential(session, granter, key);
  };
  const readsThroughGrant = (agent: string): boolean => session.tokenAgent !== undefined && session.tokenAgent !== agent;

  const { vault, grantsFrom, only } = request;
  if (only !== undefined) {
    for (const key of only) {
      const own = vault === undefined ? undefined : findCredential(await vaultOf(vault), key);
      if (own) await addAll(own, vault!, false);
      else if (grantsFrom !== undefined) await addAll(await granted(grantsFrom, key), grantsFrom, true);
      else if (vault === undefined) throw new NotFoundError(`no credential ${key}`, 'name the vault with --agent');
      else {
        // A key the vault lacks is the one live grant of it, as `credential get KEY` reads it.
        const payload = await vaultOf(vault);
        const viaGrant = await grantOfKey(session, payload, key);
        granters.add(viaGrant.grantedBy);
        readFromGrants.push({ key, granter: viaGrant.grantedBy });
        await addAll(viaGrant, viaGrant.grantedBy, true);
      }
    }
  } else if (request.references.length === 0 && (request.plain ?? []).length === 0) {
    if (vault !== undefined) for (const c of listCredentials(await vaultOf(vault))) await addAll(c, vault, false);
    if (grantsFrom !== undefined) {
      granters.add(grantsFrom);
      const self = await session.unlock(session.tokenAgent!);
      for (const c of await receivedCredentials(session, self, grantsFrom)) await addAll(c, grantsFrom, true);
    }
  }
  for (const ref of request.references) {
    const throughGrant = readsThroughGrant(ref.agent);
    let credential: Credential;
    if (throughGrant) {
      credential = await granted(ref.agent, ref.key);
    } else {
      const found = findCredential(await vaultOf(ref.agent), ref.key);
      if (!found) throw new NotFoundError(`line ${ref.line}: no credential ${ref.key} in the vault of agent ${ref.agent}`);
      const placeholders = ref.agent === request.vault ? request.brokered?.get(found.key) : undefined;
      credential = placeholders ? withPlaceholders(found, placeholders) : await checkRevealable(session, ref.agent, found);
    }
    add(ref.name, readField(credential, ref.field), { key: ref.key, agent: ref.agent, granted: throughGrant, line: ref.line });
  }
  const secrets = [...env.values()];
  for (const line of request.plain ?? []) {
    if (env.has(line.name)) throw new UsageError(`line ${line.line} of the env file sets ${line.name}, which a credential sets too`, 'leave one of them out, or separate them with --prefix');
    checkPlainInjection(line.name, line.value, line.line, allowed);
    env.set(line.name, line.value);
  }
  const vaults = new Set([...payloads.keys(), ...granters]);
  return {
    env,
    readFromGrants,
    secrets,
    async recordRun(failure) {
      for (const agent of vaults) await session.audit.record(agent, { action: 'exec.run', program, ...(failure === undefined ? {} : { result: 'error', reason: failure }) });
    },
  };
}
