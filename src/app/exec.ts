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
import { readGrantedCredential, receivedCredentials, type GrantedCredential } from './grants.js';
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
  /** Sets the variables of a credential that may be shown: checked for revealing, or with its placeholders. */
  const addShown = (shown: Credential, agent: string, granted: boolean): void => {
    for (const [name, value] of credentialEnv(shown, request.prefix)) add(name, value, { key: shown.key, agent, granted });
  };
  const addOwn = async (credential: Credential, agent: string): Promise<void> => {
    const placeholders = request.brokered?.get(credential.key);
    addShown(placeholders ? withPlaceholders(credential, placeholders) : await checkRevealable(session, agent, credential), agent, false);
  };
  const payloads = new Map<string, VaultPayload>();
  const vaultOf = async (agent: string): Promise<VaultPayload> => {
    if (!payloads.has(agent)) payloads.set(agent, (await session.unlock(agent)).payload);
    return payloads.get(agent)!;
  };
  const granters = new Set<string>();
  const readFromGrants: ResolvedExec['readFromGrants'] = [];
  const granted = async (granter: string, key: string): Promise<GrantedCredential> => {
    granters.add(granter);
    return readGrantedCredential(session, granter, key);
  };
  const readsThroughGrant = (agent: string): boolean => session.tokenAgent !== undefined && session.tokenAgent !== agent;

  const { vault, grantsFrom, only } = request;
  if (only !== undefined) {
    for (const key of only) {
      // `only` comes with `vault`: exec and proxy set both.
      const payload = await vaultOf(vault!);
      const own = findCredential(payload, key);
      if (own) {
        await addOwn(own, vault!);
        continue;
      }
      // A key the vault lacks is the grant of it from the agent --agent names, else the
      // one live grant of it, as `credential get KEY` reads it; either read checks it may be revealed.
      const viaGrant = grantsFrom === undefined ? await grantOfKey(session, payload, key) : await granted(grantsFrom, key);
      granters.add(viaGrant.grantedBy);
      if (grantsFrom === undefined) readFromGrants.push({ key, granter: viaGrant.grantedBy });
      addShown(viaGrant, viaGrant.grantedBy, true);
    }
  } else if (request.references.length === 0 && (request.plain ?? []).length === 0) {
    if (vault !== undefined) for (const c of listCredentials(await vaultOf(vault))) await addOwn(c, vault);
    if (grantsFrom !== undefined) {
      granters.add(grantsFrom);
      const self = await session.unlock(session.tokenAgent!);
      for (const c of await receivedCredentials(session, self, grantsFrom)) addShown(await checkRevealable(session, grantsFrom, c), grantsFrom, true);
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
