import type { Command } from 'commander';
import { totpCode } from '../../app/totp.js';
import { UsageError } from '../../core/errors.js';
import { MAX_PERIOD } from '../../core/totp.js';
import { Context } from '../context.js';
import { wholeNumber } from '../numbers.js';
import { examples, type Deps } from '../command-kit.js';
import { notice, printJson, printValue } from '../render.js';
import type { ClipOptions } from '../clipboard.js';

interface TotpCommandOptions extends ClipOptions {
  fresh?: string;
  qr?: boolean;
  reveal?: boolean;
}

export function registerTotp(program: Command, { io }: Deps): void {
  const command = program
    .command('totp')
    .description("print a credential's current TOTP code and nothing else (never its secret)")
    .argument('<KEY|id>', 'the credential key or id (a login with a TOTP secret)')
    .option('--fresh <seconds>', 'if fewer seconds than this are left in the window, wait for the next code')
    .option('-c, --clip', 'copy the code to the clipboard instead of printing it, cleared after 45 s if still there')
    .option('--clip-timeout <duration>', 'with --clip: clear after this long (45s, 2m; 0: never)')
    .option('--qr', 'print the otpauth:// key URI as a QR code instead, to enrol a phone (needs --reveal: it is the secret)')
    .option('--reveal', 'with --qr: show the secret')
    .action((key: string, options: TotpCommandOptions, cmd: Command) => runTotp(Context.of(io, cmd), key, options));
  examples(command, [
    'agent-vault totp GITHUB',
    'code=$(agent-vault totp GITHUB) && ./login.sh --otp "$code"',
    'AGENT_VAULT_TOKEN_FILE=bot.token agent-vault totp GITHUB --fresh 5',
    'agent-vault totp GITHUB --json      # {"code", "expires_in", "period", "digits"}',
    'agent-vault totp GITHUB --clip --clip-timeout 30s',
    'agent-vault totp GITHUB --qr --reveal     # scan with a phone',
  ]);
}

export async function runTotp(ctx: Context, keyOrId: string, options: TotpCommandOptions): Promise<void> {
  if (options.qr) return (await import('../totp-qr.js')).printTotpQr(ctx, keyOrId, options.reveal === true);
  if (options.clipTimeout !== undefined && !options.clip) throw new UsageError('--clip-timeout goes with --clip');
  // Asked where to copy before the code is made (and its read recorded).
  const copy = options.clip ? (await import('../clipboard.js')).prepareClip(ctx, options) : undefined;
  const freshSeconds = options.fresh === undefined ? undefined : wholeNumber(options.fresh, '--fresh', 0, MAX_PERIOD);
  const session = await ctx.session();
  const agent = ctx.agent(session);
  const totp = await totpCode(session, agent, keyOrId, freshSeconds === undefined ? {} : { freshSeconds });
  if (totp.grantedBy !== undefined && totp.grantedBy !== agent) notice(ctx.io, ctx.mode, `read ${keyOrId} from the grant of agent ${totp.grantedBy}`);
  if (copy) await copy(totp.code, `the TOTP code of ${keyOrId}`);
  else if (ctx.mode.json) printJson(ctx.io, { code: totp.code, expires_in: totp.expiresIn, period: totp.period, digits: totp.digits });
  else printValue(ctx.io, totp.code);
}
