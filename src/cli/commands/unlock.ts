import type { Command } from 'commander';
import { parseDuration } from '../../core/duration.js';
import { UsageError } from '../../core/errors.js';
import { Context } from '../context.js';
import { examples, type Deps } from '../command-kit.js';
import { notice, printJson } from '../render.js';

interface UnlockOptions {
  ttl: string;
  sh?: boolean;
  sessionDir?: string;
}

export function registerUnlock(program: Command, { io }: Deps): void {
  const unlock = program
    .command('unlock')
    .description('prove the passphrase once and print an owner session string (AGENT_VAULT_SESSION) for the commands that follow')
    .option('--ttl <duration>', 'how long the session lasts, at most 24h', DEFAULT_SESSION_TTL)
    .option('--sh', 'print `export AGENT_VAULT_SESSION=…` for eval')
    .option('--session-dir <dir>', 'keep the session file in this private directory (default: $AGENT_VAULT_SESSION_DIR, else $XDG_RUNTIME_DIR/agent-vault)')
    .action((options: UnlockOptions, cmd: Command) => runUnlock(Context.of(io, cmd), options));
  examples(unlock, [
    'eval "$(agent-vault unlock --sh)"          # asks once; owner commands in this shell need no passphrase for 15 minutes',
    'eval "$(agent-vault unlock --sh --ttl 2h)" && agent-vault credential list -a ci-bot',
    'agent-vault unlock --json --passphrase-file ~/.av-pass   # {"session": …, "expires": …}',
  ]);
  unlock.addHelpText(
    'after',
    [
      '',
      'The session works only on the terminal (or, without one, in the login session) it was',
      'opened in, and only together with its session file; lock ends it early. No command',
      'agent-vault starts (exec, hooks) receives AGENT_VAULT_SESSION.',
    ].join('\n'),
  );

  const lock = program
    .command('lock')
    .description('end every owner session of the store at once (needs no passphrase)')
    .option('--session-dir <dir>', 'the directory the sessions were opened with (default: $AGENT_VAULT_SESSION_DIR, else $XDG_RUNTIME_DIR/agent-vault)')
    .action((options: { sessionDir?: string }, cmd: Command) => runLock(Context.of(io, cmd), options));
  examples(lock, ['agent-vault lock', 'agent-vault lock --session-dir ~/.cache/av-sessions --json   # {"sessions_ended": 2}']);
}

/** `--ttl`'s default; the session code itself loads only when a command uses it. */
const DEFAULT_SESSION_TTL = '15m';

/** Single quotes for a POSIX shell: the string never holds one, but the directory might. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

export async function runUnlock(ctx: Context, options: UnlockOptions): Promise<void> {
  const { closeOwnerSession, MAX_SESSION_TTL_MS, openOwnerSession } = await import('../owner-session.js');
  const ttlMs = parseDuration(options.ttl);
  if (ttlMs > MAX_SESSION_TTL_MS) throw new UsageError(`--ttl ${options.ttl} is longer than a session may last`, 'use at most 24h');
  // The passphrase itself: a session that could open the next one would never end.
  const session = await ctx.session({ owner: 'unlocking', passphrase: true });
  const { passphraseKey } = await session.ownerSecrets();
  const opened = openOwnerSession(ctx.io, ctx.storeLocation, options.sessionDir, passphraseKey, ttlMs);
  await session.audit.recordStore({ agent: '', action: 'owner.unlock', session: opened.id, reason: `until ${opened.expires}` }).catch((err: unknown) => {
    // Opened only together with its audit line.
    try {
      closeOwnerSession(ctx.storeLocation, opened);
    } catch {
      ctx.warn(`owner session ${opened.id} could not be removed again: run agent-vault lock`);
    }
    throw err;
  });
  const dirExport = options.sessionDir === undefined ? '' : `export AGENT_VAULT_SESSION_DIR=${shellQuote(opened.dir.path)}\n`;
  if (ctx.mode.json) printJson(ctx.io, { session: opened.session, expires: opened.expires, ...(options.sessionDir === undefined ? {} : { session_dir: opened.dir.path }) });
  else if (options.sh) ctx.io.out(`export AGENT_VAULT_SESSION=${opened.session}\n${dirExport}`);
  else ctx.io.out(`${opened.session}\n`);
  if (!ctx.mode.json) notice(ctx.io, ctx.mode, `owner session ${opened.id} is open until ${opened.expires} on this terminal; end it with: agent-vault lock`);
}

export async function runLock(ctx: Context, options: { sessionDir?: string }): Promise<void> {
  const { lockOwnerSessions } = await import('../owner-session.js');
  const ended = lockOwnerSessions(ctx.io, ctx.storeLocation, options.sessionDir);
  const session = await ctx.session({ noProof: true });
  await session.audit.recordStore({ agent: '', action: 'owner.lock', reason: `${ended} session(s) ended` });
  if (ctx.mode.json) printJson(ctx.io, { sessions_ended: ended });
  else notice(ctx.io, ctx.mode, ended === 0 ? 'no owner session was open' : `ended ${ended} owner session${ended === 1 ? '' : 's'}`);
}
