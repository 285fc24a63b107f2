/**
 * The programmatic API of agent-vault, for TypeScript and JavaScript agents that would
 * rather `import` than spawn the CLI. It works through the same session and credential
 * operations as the CLI, so access rules, locking and audit events are identical.
 *
 * @example
 * ```ts
 * import { openVault } from 'agent-vault';
 * const vault = openVault({ token: process.env.AGENT_VAULT_TOKEN });
 * const key = await vault.get('OPENAI_API_KEY');
 * ```
 */
import { readCredential, listVault, setSecrets, addTyped, updateTyped, deleteTyped } from './app/credentials.js';
import { createProposal, waitForProposal } from './app/proposals.js';
import type { ProposalRequest } from './core/proposal.js';
import { credentialHistory, dueCredentials, restoreVersion, rotateCredential, type DueRow, type VersionRow } from './app/lifecycle.js';
import { openSession } from './app/open-session.js';
import type { Session } from './app/session.js';
import { readField, type Credential, type CredentialInput, type CredentialType } from './core/credential.js';
import { UsageError } from './core/errors.js';
import { checkAgentId } from './core/ids.js';
import { parseToken } from './core/token.js';
import { resolveStoreLocation } from './store/open.js';

export {
  ExitCode,
  VaultError,
  UsageError,
  NotFoundError,
  AuthError,
  AccessDeniedError,
  IntegrityError,
  BusyError,
  CancelledError,
} from './core/errors.js';
export { CREDENTIAL_TYPES, type Credential, type CredentialInput, type CredentialType } from './core/credential.js';
export { ProposalClosedError, ProposalPendingError, type ProposalRequest, type ProposalSlot } from './core/proposal.js';
export type { DueRow, VersionRow } from './app/lifecycle.js';

/** How to open a vault. Give a token (an agent) or a passphrase (the owner). */
export interface OpenVaultOptions {
  /** The store directory; defaults as the CLI does (`$AGENT_VAULT_HOME`, then the XDG data directory). */
  store?: string;
  /** An agent token; defaults to `$AGENT_VAULT_TOKEN`. When present it decides who is calling. */
  token?: string;
  /** The owner passphrase, used when no token is given. */
  passphrase?: string;
  /** Whose vault: defaults to the token's agent. Required for the owner. */
  agent?: string;
  /** The environment to read defaults from; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
}

/** One agent's vault, as seen by the caller. Every method is recorded in the audit log. */
export class AgentVault {
  /** The agent whose vault this is. */
  readonly agent: string;

  /** The session is opened on first use: a malformed token is refused (exit 4) by the first call. */
  constructor(
    private readonly session: Promise<Session>,
    agent: string,
  ) {
    this.agent = checkAgentId(agent);
  }

  /** The main secret of a credential (or one `field` of it). */
  async get(keyOrId: string, field?: string): Promise<string> {
    return readField(await readCredential(await this.session, this.agent, keyOrId), field);
  }

  /** A whole credential, every field included. */
  async credential(keyOrId: string): Promise<Credential> {
    return readCredential(await this.session, this.agent, keyOrId);
  }

  /** All credentials (optionally of one type), sorted by key. */
  async list(type?: CredentialType): Promise<Credential[]> {
    return listVault(await this.session, this.agent, type === undefined ? {} : { type });
  }

  /** Credentials whose key, name, username, URIs or tags contain `query`. */
  async search(query: string): Promise<Credential[]> {
    return listVault(await this.session, this.agent, { query });
  }

  /** Sets main secrets (creating `api_key`s) in one atomic write. */
  async set(values: Record<string, string>): Promise<void> {
    await setSecrets(await this.session, this.agent, Object.entries(values));
  }

  /** Adds a typed credential. */
  async add(key: string, type: CredentialType, input: CredentialInput): Promise<Credential> {
    return addTyped(await this.session, this.agent, key, type, input);
  }

  /** Changes fields of a credential (an empty string removes a field). */
  async update(keyOrId: string, input: CredentialInput & { rename?: string }): Promise<Credential> {
    return updateTyped(await this.session, this.agent, keyOrId, input);
  }

  /** Deletes a credential. */
  async delete(keyOrId: string): Promise<Credential> {
    return deleteTyped(await this.session, this.agent, keyOrId);
  }

  /** Asks the owner for credentials (see `proposal create`): returns the proposal's id. */
  async propose(request: ProposalRequest, options: { ttlMs?: number } = {}): Promise<string> {
    return (await createProposal(await this.session, this.agent, request, options.ttlMs)).id;
  }

  /**
   * Waits until a proposal of this vault is applied; a rejected or expired one is a
   * {@link ProposalClosedError}, one still pending after `timeoutMs` a {@link ProposalPendingError}.
   */
  async waitForProposal(id: string, options: { timeoutMs?: number } = {}): Promise<void> {
    await waitForProposal(await this.session, this.agent, id, options);
  }

  /** The versions of a credential's secret fields, newest first, with their values. */
  async history(keyOrId: string): Promise<VersionRow[]> {
    return (await credentialHistory(await this.session, this.agent, keyOrId, { reveal: true })).versions;
  }

  /** Makes version `version` current again, as a new version. */
  async restore(keyOrId: string, version: number): Promise<Credential> {
    return (await restoreVersion(await this.session, this.agent, keyOrId, version)).credential;
  }

  /** Replaces the main secret with `value` (the old one kept as a version, grants re-sealed). */
  async rotate(keyOrId: string, value: string): Promise<Credential> {
    return rotateCredential(await this.session, this.agent, keyOrId, value);
  }

  /** What is due for rotation or expired, in every vault the caller may open (within `withinMs` from now). */
  async due(withinMs = 0): Promise<DueRow[]> {
    return dueCredentials(await this.session, { withinMs });
  }
}

/** The agent a token names; a malformed token names none, and the first call reports it. */
function tokenAgent(token: string): string | undefined {
  try {
    return parseToken(token).agent;
  } catch {
    return undefined;
  }
}

/** Opens the vault of `options.agent` (or the token's agent) for the caller. */
export function openVault(options: OpenVaultOptions = {}): AgentVault {
  const env = options.env ?? process.env;
  const token = options.token ?? env.AGENT_VAULT_TOKEN;
  const store = resolveStoreLocation(options.store, env);
  if (!token && options.passphrase === undefined) throw new UsageError('openVault needs a token or a passphrase');
  const agent = options.agent ?? (token ? tokenAgent(token) : undefined);
  if (!agent) throw new UsageError('openVault needs an agent when opened with the passphrase');
  const session = openSession({ store, env, ...(token ? { token } : { passphrase: options.passphrase! }) });
  // A refused token is reported by the first call; until then nobody is waiting on it.
  session.catch(() => {});
  return new AgentVault(session, agent);
}
