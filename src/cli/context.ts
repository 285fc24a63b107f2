/**
 * What every command needs: the IO, the global options, the output mode, and how to
 * build a session (who is calling) and decide which agent's vault is meant.
 */
import type { Command } from 'commander';
import { AccessDeniedError, CancelledError, UsageError } from '../core/errors.js';
import { checkAgentId } from '../core/ids.js';
import { Session, type PassphraseSource } from '../app/session.js';
import { resolveStoreDir } from '../store/paths.js';
import { readSettings } from '../store/settings.js';
import type { IO } from './io.js';
import { outputMode, type OutputMode } from './render.js';
import { readTextFile, stripOneNewline } from './secret-input.js';

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

export class Context {
  readonly mode: OutputMode;
  /** Set by commands whose exit status is not 0 without an error (`exec`). */
  exitCode = 0;

  constructor(
    readonly io: IO,
    readonly options: GlobalOptions,
  ) {
    this.mode = outputMode(io, options);
  }

  static of(io: IO, command: Command): Context {
    return new Context(io, command.optsWithGlobals<GlobalOptions>());
  }

  get storeDir(): string {
    return resolveStoreDir(this.options.store, this.io.env, () => readSettings(this.io.env)['default-store']);
  }

  /** The agent token, from `--token-file` or AGENT_VAULT_TOKEN, if one is given. */
  token(): string | undefined {
    if (this.options.tokenFile) return readTextFile(this.options.tokenFile, 'token file').trim();
    const token = this.io.env.AGENT_VAULT_TOKEN;
    return token ? token.trim() : undefined;
  }

  /**
   * The caller: the agent whose token is given (a passphrase is then ignored), else the
   * owner, whose passphrase is read only when a vault is first unlocked.
   */
  session(): Session {
    const token = this.token();
    return new Session({
      store: this.storeDir,
      env: this.io.env,
      now: () => this.io.now(),
      ...(token !== undefined ? { token } : { passphrase: this.passphraseSource() }),
    });
  }

  /** The owner's session, ignoring any token: for commands that need no proof (status). */
  tokenlessSession(): Session {
    return new Session({ store: this.storeDir, env: this.io.env, now: () => this.io.now(), passphrase: this.passphraseSource() });
  }

  /**
   * The owner's session for commands that issue a token (`provision`, `token rotate`),
   * where `--token-file` names the file to write it to. A token in the environment
   * still decides who is calling, and an agent may not issue tokens (exit 5).
   */
  tokenIssuingSession(what: string): Session {
    if (this.io.env.AGENT_VAULT_TOKEN) {
      throw new AccessDeniedError(`${what} needs the owner passphrase, not an agent token`, 'unset AGENT_VAULT_TOKEN and give the passphrase');
    }
    return this.tokenlessSession();
  }

  private passphraseSource(): PassphraseSource {
    const { io, options } = this;
    return async () => {
      const file = options.passphraseFile ?? io.env.AGENT_VAULT_PASSPHRASE_FILE;
      if (file) return stripOneNewline(readTextFile(file, 'passphrase file'));
      if (options.passphraseStdin) return stripOneNewline((await io.readStdin('the passphrase')).toString('utf8'));
      if (io.passphraseFromEnv !== undefined) return io.passphraseFromEnv;
      if (io.canPrompt()) return (await io.prompter()).password('Owner passphrase');
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
