/**
 * The help topics beside the commands' own help: `agent-vault help exit-codes` and
 * `agent-vault help environment`. The tables live here once, so the `help` command, the
 * man page and the tests read the same rows.
 */
import type { Command } from 'commander';
import { ExitCode, UsageError } from '../core/errors.js';
import type { IO } from './io.js';
import { printJson } from './render.js';

/** One exit status: its number, the `code` a `--json` error carries, and what it means. */
export interface ExitCodeRow {
  code: number;
  name: string;
  meaning: string;
}

/** SPEC.md's exit codes, in order. */
export const EXIT_CODES: readonly ExitCodeRow[] = [
  { code: ExitCode.ok, name: 'ok', meaning: 'success (an empty list too)' },
  { code: ExitCode.unexpected, name: 'unexpected', meaning: 'unexpected error' },
  { code: ExitCode.usage, name: 'usage', meaning: 'usage: bad flags or arguments, or input needed with no TTY to ask on' },
  { code: ExitCode.notFound, name: 'not_found', meaning: 'not found: agent, credential or grant' },
  { code: ExitCode.auth, name: 'auth_failed', meaning: 'authentication failed: wrong passphrase, unknown or rotated token' },
  { code: ExitCode.denied, name: 'access_denied', meaning: 'access denied: authenticated, but no grant (or an expired one) for this credential' },
  { code: ExitCode.integrity, name: 'integrity', meaning: 'integrity: a vault or audit file is tampered, truncated, corrupt or of an unsupported version' },
  { code: ExitCode.busy, name: 'busy', meaning: "busy: another process held the store's lock past the wait time, or a write's compare-and-swap kept losing to other writers" },
  { code: ExitCode.cancelled, name: 'cancelled', meaning: 'cancelled: a confirmation was declined or a prompt interrupted' },
];

/** One environment variable the tool reads. */
export interface EnvironmentRow {
  name: string;
  meaning: string;
}

/** Every environment variable agent-vault reads. */
export const ENVIRONMENT: readonly EnvironmentRow[] = [
  { name: 'AGENT_VAULT_HOME', meaning: 'the store: a directory or a postgres:// URL (--store overrides it)' },
  { name: 'AGENT_VAULT_AGENT', meaning: 'the agent whose vault is meant when --agent is not given' },
  { name: 'AGENT_VAULT_TOKEN', meaning: "an agent's token; when set, it alone decides who is calling (prefer AGENT_VAULT_TOKEN_FILE)" },
  { name: 'AGENT_VAULT_TOKEN_FILE', meaning: 'a file holding the agent token (like --token-file); keeps the token out of the environment' },
  { name: 'AGENT_VAULT_PASSPHRASE', meaning: 'the owner passphrase; read once, then removed from the environment of commands the tool starts' },
  { name: 'AGENT_VAULT_PASSPHRASE_FILE', meaning: 'a file holding the owner passphrase (like --passphrase-file)' },
  { name: 'AGENT_VAULT_SESSION', meaning: 'an owner session string from unlock: owner commands need no passphrase until it expires; read once, then removed from the environment of commands the tool starts' },
  { name: 'AGENT_VAULT_SESSION_DIR', meaning: 'the private directory of owner session files (default $XDG_RUNTIME_DIR/agent-vault; like unlock --session-dir)' },
  { name: 'AGENT_VAULT_LOCK_TIMEOUT', meaning: "seconds to wait for a store's lock before giving up with exit 7 (default 10)" },
  { name: 'AGENT_VAULT_HANDOVER', meaning: 'set by agent-vault itself when exec re-executes it without the token and passphrase; never set it' },
  { name: 'AGENT_VAULT_HOOK_BACKOFF_MS', meaning: 'for tests only: the first wait between attempts of a hook delivery in milliseconds (then doubled), instead of one second' },
  { name: 'AGENT_VAULT_DEBUG', meaning: "set to 1 to print an unexpected error's name, code and stack frames (never its message, which may quote a value)" },
  { name: 'XDG_RUNTIME_DIR', meaning: 'the per-login runtime directory; owner session files live in $XDG_RUNTIME_DIR/agent-vault, and credential edit puts its private directory there' },
  { name: 'VISUAL', meaning: 'the editor of credential edit (and of credential update without flags on a terminal), before EDITOR' },
  { name: 'EDITOR', meaning: 'the editor of credential edit when VISUAL is not set (default vi); a command line the shell splits, e.g. "code --wait"' },
  { name: 'XDG_DATA_HOME', meaning: 'the default store is $XDG_DATA_HOME/agent-vault (default ~/.local/share)' },
  { name: 'XDG_CONFIG_HOME', meaning: 'settings live in $XDG_CONFIG_HOME/agent-vault/config.json (default ~/.config)' },
  { name: 'PGPASSWORD', meaning: "the password of a PostgreSQL store's database role" },
  { name: 'PGPASSFILE', meaning: 'a libpq password file for a PostgreSQL store (default ~/.pgpass; ignored unless it is 0600)' },
  { name: 'PGHOST', meaning: 'the PostgreSQL host or socket directory where a store URL names none' },
  { name: 'PGPORT', meaning: 'the PostgreSQL port where a store URL names none (default 5432)' },
  { name: 'PGUSER', meaning: 'the PostgreSQL role where a store URL names none (default: the login name)' },
  { name: 'PGDATABASE', meaning: 'the PostgreSQL database where a store URL names none (default: the role name)' },
  { name: 'XDG_CACHE_HOME', meaning: 'the rollback memory of PostgreSQL stores is kept in $XDG_CACHE_HOME/agent-vault/rollback (default ~/.cache)' },
  { name: 'HOME', meaning: 'the base of the default data and config directories' },
  { name: 'NO_COLOR', meaning: 'when set and not empty, no colour (like --no-color)' },
  { name: 'WAYLAND_DISPLAY', meaning: '--clip copies with wl-copy when it is set' },
  { name: 'DISPLAY', meaning: '--clip copies with xclip or xsel when it is set' },
  { name: 'TMUX', meaning: "--clip's OSC 52 sequence is wrapped for tmux when it is set" },
  { name: 'STY', meaning: "--clip's OSC 52 sequence is wrapped for screen when it is set" },
  { name: 'PATH', meaning: 'where --clip looks for wl-copy, xclip, xsel and pbcopy' },
];

/** The topics `agent-vault help <topic>` knows besides command names. */
export const HELP_TOPICS = ['exit-codes', 'environment'] as const;
export type HelpTopic = (typeof HELP_TOPICS)[number];

function isHelpTopic(word: string): word is HelpTopic {
  return (HELP_TOPICS as readonly string[]).includes(word);
}

/** Two aligned columns, for reading on a terminal or in a pipe alike. */
function columns(rows: ReadonlyArray<[string, string]>): string {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}\n`).join('');
}

/** Prints a topic: aligned text, or with `json` one JSON array. */
export function printHelpTopic(io: IO, topic: HelpTopic, json: boolean): void {
  if (topic === 'exit-codes') {
    if (json) printJson(io, EXIT_CODES.map((r) => ({ exit: r.code, code: r.name, meaning: r.meaning })));
    else io.out(`Exit codes:\n${columns(EXIT_CODES.map((r) => [String(r.code), r.meaning]))}`);
  } else {
    if (json) printJson(io, ENVIRONMENT);
    else io.out(`Environment:\n${columns(ENVIRONMENT.map((r) => [r.name, r.meaning]))}`);
  }
}

/**
 * Replaces commander's implicit `help [command]` on the root with one that also knows the
 * topics, and follows a whole command path (`help credential get`).
 */
export function registerHelp(program: Command, io: IO): void {
  program
    .command('help')
    .description(`show help for a command, or a topic: ${HELP_TOPICS.join(', ')}`)
    .argument('[topic-or-command...]', `${HELP_TOPICS.join(' | ')} | a command path`)
    .helpOption(false)
    .action((words: string[], _options: unknown, cmd: Command) => {
      const json = cmd.optsWithGlobals<{ json?: boolean }>().json === true;
      const [first] = words;
      if (words.length === 1 && first !== undefined && isHelpTopic(first)) {
        printHelpTopic(io, first, json);
        return;
      }
      let target = program;
      for (const word of words) {
        const next = target.commands.find((c) => c.name() === word || c.aliases().includes(word));
        if (!next) throw new UsageError(`no help topic or command ${JSON.stringify(words.join(' '))}`, `topics: ${HELP_TOPICS.join(', ')}; commands: agent-vault --help`);
        target = next;
      }
      target.outputHelp();
    });
}
