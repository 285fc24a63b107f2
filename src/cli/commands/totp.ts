import type { Command } from 'commander';
import { totpCode } from '../../app/totp.js';
import { MAX_PERIOD } from '../../core/totp.js';
import { Context } from '../context.js';
import { wholeNumber } from '../numbers.js';
import { examples, type Deps } from '../command-kit.js';
import { notice, printJson, printValue } from '../render.js';

interface TotpCommandOptions {
  fresh?: string;
}

export function registerTotp(program: Command, { io }: Deps): void {
  const command = program
    .command('totp')
    .description("print a credential's current TOTP code and nothing else (never its secret)")
    .argument('<KEY|id>', 'the credential key or id (a login with a TOTP secret)')
    .option('--fresh <seconds>', 'if fewer seconds than this are left in the window, wait for the next code')
    .action((key: string, options: TotpCommandOptions, cmd: Command) => runTotp(Context.of(io, cmd), key, options));
  examples(command, [
    'agent-vault totp GITHUB',
    'code=$(agent-vault totp GITHUB) && ./login.sh --otp "$code"',
    'AGENT_VAULT_TOKEN_FILE=bot.token agent-vault totp GITHUB --fresh 5',
    'agent-vault totp GITHUB --json      # {"code", "expires_in", "period", "digits"}',
  ]);
}

export async function runTotp(ctx: Context, keyOrId: string, options: TotpCommandOptions): Promise<void> {
  const freshSeconds = options.fresh === undefined ? undefined : wholeNumber(options.fresh, '--fresh', 0, MAX_PERIOD);
  const session = await ctx.session();
  const agent = ctx.agent(session);
  const totp = await totpCode(session, agent, keyOrId, freshSeconds === undefined ? {} : { freshSeconds });
  if (totp.grantedBy !== undefined && totp.grantedBy !== agent) notice(ctx.io, ctx.mode, `read ${keyOrId} from the grant of agent ${totp.grantedBy}`);
  if (ctx.mode.json) printJson(ctx.io, { code: totp.code, expires_in: totp.expiresIn, period: totp.period, digits: totp.digits });
  else printValue(ctx.io, totp.code);
}
