import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { checkAgentId } from '../../core/ids.js';
import { writeNewFile } from '../../store/atomic.js';
import { Context } from '../context.js';
import { examples, type Deps } from '../program.js';
import { notice, printJson } from '../render.js';

export function registerProvision(program: Command, { io }: Deps): void {
  const command = program
    .command('provision')
    .description("create an agent's vault and print its token once")
    .argument('<agent>', 'agent id: lowercase letters, digits, - and _, 1 to 64 characters')
    .action((agent: string, _options: unknown, cmd: Command) => runProvision(Context.of(io, cmd), agent));
  examples(command, [
    'agent-vault provision researcher                          # prints avt_researcher_…',
    'agent-vault provision ci-bot --token-file ./ci-bot.token  # writes it 0600 instead',
    'agent-vault provision writer --json                       # {"agent": …, "token": …}',
  ]);
}

/**
 * Hands a new token over exactly once: alone on a stdout line, as JSON, or (with
 * `--token-file`, which here names where to write) into a new 0600 file.
 */
export function emitToken(ctx: Context, agent: string, token: string): void {
  const file = ctx.options.tokenFile;
  if (file) {
    try {
      writeNewFile(file, Buffer.from(`${token}\n`));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${file} already exists; the token was not written`, 'choose a new file name');
      throw err;
    }
    if (ctx.mode.json) printJson(ctx.io, { agent, token_file: file });
    else notice(ctx.io, ctx.mode, `wrote the token of agent ${agent} to ${file}`);
    return;
  }
  if (ctx.mode.json) printJson(ctx.io, { agent, token });
  else {
    ctx.io.out(`${token}\n`);
    notice(ctx.io, ctx.mode, `this is the only time the token of agent ${agent} is shown: store it now`);
  }
}

/** Fails before a token is issued if it could not be written where `--token-file` says. */
export function checkTokenFileFree(ctx: Context): void {
  const file = ctx.options.tokenFile;
  if (file && existsSync(file)) throw new UsageError(`${file} already exists; no token was issued`, 'choose a new file name for the token');
}

export async function runProvision(ctx: Context, agent: string): Promise<void> {
  checkAgentId(agent);
  const session = ctx.tokenIssuingSession('provisioning an agent');
  checkTokenFileFree(ctx);
  const token = await session.provision(agent);
  emitToken(ctx, agent, token);
}
