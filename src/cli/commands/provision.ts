import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { checkAgentId } from '../../core/ids.js';
import { reserveNewFile, type ReservedFile } from '../../store/atomic.js';
import { provisionAgent } from '../../app/agents.js';
import { Context } from '../context.js';
import { examples, type Deps } from '../command-kit.js';
import { notice, printJson } from '../render.js';

export function registerProvision(program: Command, { io }: Deps): void {
  const command = program
    .command('provision')
    .description("create an agent's vault and print its token once")
    .argument('<agent>', 'agent id: 1 to 64 lowercase letters, digits, - and _, starting with a letter or digit')
    .action((agent: string, _options: unknown, cmd: Command) => runProvision(Context.of(io, cmd), agent));
  examples(command, [
    'agent-vault provision researcher                          # prints avt_researcher_…',
    'agent-vault provision ci-bot --token-file ./ci-bot.token  # writes it 0600 instead',
    'agent-vault provision writer --json                       # {"agent": …, "token": …}',
  ]);
}

/**
 * Issues a token and hands it over exactly once: alone on a stdout line, as JSON, or
 * (with `--token-file`, which here names where to write) into a new 0600 file. The file
 * is created before the token is issued, so a token is never issued that cannot be
 * written, and is removed again if issuing fails.
 */
/**
 * Writes an issued `token` to the file reserved for it. If that write fails (a full
 * disk), the token is issued all the same and its old one no longer works, so it goes to
 * stdout (as it does without --token-file) before the error: a token is never lost.
 */
export function writeTokenFile(ctx: Context, reserved: ReservedFile, agent: string, token: string, file: string): void {
  try {
    reserved.write(Buffer.from(`${token}\n`));
  } catch (err) {
    if (ctx.mode.json) printJson(ctx.io, { agent, token });
    else ctx.io.out(`${token}\n`);
    ctx.warn(`could not write ${file}: the new token of agent ${agent} is on stdout instead, store it now`);
    throw err;
  }
}

export async function issueToken(ctx: Context, agent: string, issue: () => Promise<string>): Promise<void> {
  const file = ctx.options.tokenFile;
  let reserved: ReservedFile | undefined;
  if (file) {
    try {
      reserved = reserveNewFile(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(`cannot create ${file}: ${code === 'EEXIST' ? 'it already exists' : (code ?? 'error')}; no token was issued`, 'choose a new file name in a writable directory');
    }
  }
  let token: string;
  try {
    token = await issue();
  } catch (err) {
    reserved?.discard();
    throw err;
  }
  if (reserved) {
    writeTokenFile(ctx, reserved, agent, token, file!);
    if (ctx.mode.json) printJson(ctx.io, { agent, token_file: file });
    else notice(ctx.io, ctx.mode, `wrote the token of agent ${agent} to ${file}`);
  } else if (ctx.mode.json) {
    printJson(ctx.io, { agent, token });
  } else {
    ctx.io.out(`${token}\n`);
    notice(ctx.io, ctx.mode, `this is the only time the token of agent ${agent} is shown: store it now`);
  }
}

export async function runProvision(ctx: Context, agent: string): Promise<void> {
  checkAgentId(agent);
  const session = await ctx.session({ owner: 'provisioning an agent' });
  await issueToken(ctx, agent, () => provisionAgent(session, agent));
}
