/**
 * What every command needs: the IO, the global options, the output mode, and how to
 * build a session (who is calling) and decide which agent's vault is meant.
 */
import type { Command } from 'commander';
import { AccessDeniedError, AuthError, CancelledError, UsageError } from '../core/errors.js';
import { checkAgentId } from '../core/ids.js';
import { openSession, type SessionOptions } from '../app/open-session.js';
import type { OwnerSessionSource, PassphraseAnswer, PassphraseSource, Session } from '../app/session.js';
import type { StorageBackend } from '../store/backend.js';
import { openStore, resolveStoreLocation } from '../store/open.js';
import { readSettings } from '../store/settings.js';
import { escapeControls } from '../core/terminal-text.js';
import type { IO } from './io.js';
import { outputMode, type OutputMode } from './render.js';
import { readSecretFromFile, readSecretFromStdin, readTextFile } from './secret-input.js';

/** The options SPEC.md makes global. */
export interface GlobalOptions {
  store?: string;
  agent?: string;
  json?: boolean;
  color?: boolean;
  quiet?: boolean;
  yes?: boolean;
  passphraseFile?: string;
  passphraseStdin?: boolean;
  tokenFile?: string;
}

/** Who a command needs to be called by. */
export interface SessionNeeds {
  /**
   * The owner, for what this names (`provisioning an agent`): a token in the
   * environment is then refused (exit 5), and `--token-file` names where a new token
   * goes, not who is calling.
   */
  owner?: string;
  /** A command that needs no proof (`status`): a malformed token then counts as no token, not as exit 4. */
  noProof?: boolean;
  /** The passphrase itself, not an owner session (`unlock`, so a session cannot extend itself; `passwd`). */
  passphrase?: boolean;
}

export class Context {
  readonly mode: OutputMode;

  constructor(
    readonly io: IO,
    readonly options: GlobalOptions,
  ) {
    this.mode = outputMode(io, options);
  }

  static of(io: IO, command: Command): Context {
    return new Context(io, command.optsWithGlobals<GlobalOptions>());
  }

  /** Where the store is: `--store`, `$AGENT_VAULT_HOME`, the configured default-store, the XDG path. */
  get storeLocation(): string {
    return resolveStoreLocation(this.options.store, this.io.env, () => readSettings(this.io.env)['default-store']);
  }

  /** The store's backend, for commands that need no caller (`init`). */
  store(): StorageBackend {
    return openStore(this.storeLocation, this.io.env);
  }

  /**
   * The agent token, from `--token-file`, AGENT_VAULT_TOKEN_FILE or AGENT_VAULT_TOKEN, if
   * one is given. A file is preferred: a variable's value stays readable in
   * /proc/<pid>/environ by every process of the user for as long as agent-vault runs.
   */
  token(): string | undefined {
    const file = this.options.tokenFile ?? this.io.env.AGENT_VAULT_TOKEN_FILE;
    if (file) return readTextFile(file, 'token file').trim();
    const token = this.io.env.AGENT_VAULT_TOKEN;
    return token ? token.trim() : undefined;
  }

  /**
   * The caller: the agent whose token is given (a passphrase is then ignored), else the
   * owner, whose passphrase is read only when a vault is first unlocked.
   */
  async session(needs: SessionNeeds = {}): Promise<Session> {
    if (needs.owner !== undefined && this.io.env.AGENT_VAULT_TOKEN) {
      throw new AccessDeniedError(`${needs.owner} needs the owner passphrase, not an agent token`, 'unset AGENT_VAULT_TOKEN and give the passphrase');
    }
    const token = needs.owner === undefined ? this.token() : undefined;
    // Precedence: a token, then an owner session (AGENT_VAULT_SESSION), then the passphrase sources.
    const open = async (as: string | undefined): Promise<Session> => {
      if (as !== undefined) return this.open({ token: as });
      const ownerSession = needs.passphrase ? undefined : await this.ownerSession();
      return this.open({ passphrase: this.askPassphrase(), ...(ownerSession ? { ownerSession } : {}) });
    };
    if (token === undefined || !needs.noProof) return open(token);
    try {
      return await open(token);
    } catch (err) {
      if (err instanceof AuthError) return open(undefined);
      throw err;
    }
  }

  /**
   * The caller, for what must never stop to ask (`__complete`, run on every TAB): an
   * agent token or an owner session, never a passphrase (no prompt, no passphrase file
   * or variable), and silent (a warning would land in the middle of the line being
   * typed); undefined when neither is given.
   */
  async sessionWithoutAsking(): Promise<Session | undefined> {
    const token = this.token();
    if (token !== undefined) return this.open({ token }, () => {});
    const ownerSession = await this.ownerSession();
    return ownerSession === undefined ? undefined : this.open({ ownerSession }, () => {});
  }

  private open(caller: Pick<SessionOptions, 'token' | 'passphrase' | 'ownerSession'>, warn = (message: string) => this.warn(message)): Promise<Session> {
    return openSession({ store: this.store(), now: () => this.io.now(), warn, ...caller });
  }

  /** The owner session AGENT_VAULT_SESSION names, if it is set. */
  private async ownerSession(): Promise<OwnerSessionSource | undefined> {
    // Loaded only with a session string: the token path (`credential get`) never needs it.
    return this.io.sessionFromEnv ? (await import('./owner-session.js')).sessionFromEnvironment(this.io, this.storeLocation) : undefined;
  }

  /**
   * The owner passphrase as given without asking: `--passphrase-file` or
   * AGENT_VAULT_PASSPHRASE_FILE, then `--passphrase-stdin`, then AGENT_VAULT_PASSPHRASE.
   * The one place that order is decided.
   */
  async givenPassphrase(): Promise<string | undefined> {
    return (await this.givenPassphraseAnswer())?.passphrase;
  }

  /** {@link givenPassphrase}, saying where it came from (for the hint of a wrong one). */
  async givenPassphraseAnswer(): Promise<PassphraseAnswer | undefined> {
    const { io, options } = this;
    const file = options.passphraseFile ?? io.env.AGENT_VAULT_PASSPHRASE_FILE;
    if (file) return { passphrase: readSecretFromFile(file, 'passphrase'), origin: 'file', file };
    if (options.passphraseStdin) return { passphrase: await readSecretFromStdin(io, 'the passphrase'), origin: 'stdin' };
    return io.passphraseFromEnv === undefined ? undefined : { passphrase: io.passphraseFromEnv, origin: 'variable' };
  }

  /**
   * A problem that does not stop the command, on stderr even with `--quiet` (as errors
   * are): a line `warning: …`, or with `--json` a JSON object `{"warning": …}`.
   */
  warn(message: string): void {
    this.io.err(this.mode.json ? `${JSON.stringify({ warning: message })}\n` : `warning: ${escapeControls(message)}\n`);
  }

  /** Whether the owner is proved in a way that needs no terminal (a session, or a passphrase without prompt or stdin). */
  hasPassphraseWithoutAsking(): boolean {
    return Boolean(this.io.sessionFromEnv || (this.options.passphraseFile ?? this.io.env.AGENT_VAULT_PASSPHRASE_FILE ?? this.io.passphraseFromEnv));
  }

  private askPassphrase(): PassphraseSource {
    return async () => {
      const given = await this.givenPassphraseAnswer();
      if (given !== undefined) return given;
      if (this.io.canPrompt()) return { passphrase: await (await this.io.prompter()).password('Owner passphrase'), origin: 'prompt' };
      throw new UsageError(
        'the owner passphrase is needed and there is no terminal to ask on',
        'pass --passphrase-file F or --passphrase-stdin, set AGENT_VAULT_PASSPHRASE_FILE, or give an agent token',
      );
    };
  }

  /** `--agent`, else AGENT_VAULT_AGENT, else the token's agent, else the configured default. */
  agent(session?: Session): string {
    const agent = this.options.agent ?? this.io.env.AGENT_VAULT_AGENT ?? session?.tokenAgent ?? readSettings(this.io.env)['default-agent'];
    if (!agent) throw new UsageError('no agent given', 'pass --agent ID, set AGENT_VAULT_AGENT, or use an agent token');
    return checkAgentId(agent);
  }

  /**
   * Asks before a destructive change. Off a TTY it never asks: without `--yes` that is
   * exit 2, decided before anything is unlocked; a declined question is exit 8.
   */
  async confirm(question: () => Promise<string>): Promise<void> {
    if (this.options.yes) return;
    if (!this.io.canPrompt()) throw new UsageError('refusing a destructive change without confirmation', 'pass --yes to confirm when not on a terminal');
    const text = await question();
    if (!(await (await this.io.prompter()).confirm(`${text[0]!.toUpperCase()}${text.slice(1)}?`))) throw new CancelledError('cancelled, nothing changed');
  }
}
