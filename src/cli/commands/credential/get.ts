import type { Command } from 'commander';
import { readField, toPublicJson } from '../../../core/credential.js';
import { UsageError } from '../../../core/errors.js';
import { isPastExpiry } from '../../../core/policy.js';
import { readCredential } from '../../../app/credentials.js';
import { Context } from '../../context.js';
import { examples, type Deps } from '../../command-kit.js';
import { notice, printJson, printValue } from '../../render.js';
import type { ClipOptions } from '../../clipboard.js';

interface GetOptions extends ClipOptions {
  field?: string;
  newline: boolean;
  reveal?: boolean;
}

export function registerGet(credential: Command, { io }: Deps): void {
  const command = credential
    .command('get')
    .alias('show')
    .description('print the main secret of a credential (or one field), and nothing else; a key the vault lacks is read from the one live grant of it')
    .argument('<KEY|id>', 'the credential key or id')
    .option('-f, --field <field>', 'print this field instead (username, password, number, cvv, notes, …)')
    .option('-n, --no-newline', 'no trailing newline')
    .option('--reveal', 'include the TOTP secret (with --json or --field totp)')
    .option('-c, --clip', 'copy the value to the clipboard instead of printing it, cleared after 45 s if still there')
    .option('--clip-timeout <duration>', 'with --clip: clear after this long (45s, 2m; 0: never)')
    .action((key: string, options: GetOptions, cmd: Command) => runGet(Context.of(io, cmd), key, options));
  examples(command, [
    'curl -H "Authorization: Bearer $(agent-vault credential get OPENAI_API_KEY)" …',
    'AGENT_VAULT_TOKEN_FILE=bot.token agent-vault credential get GITHUB --field username',
    'agent-vault credential get GITHUB --json --reveal',
    'AGENT_VAULT_TOKEN_FILE=writer.token agent-vault credential get OPENAI_API_KEY   # granted to writer: read from the grant',
    'agent-vault credential get GITHUB --field password --clip',
  ]);
}

export async function runGet(ctx: Context, keyOrId: string, options: GetOptions): Promise<void> {
  const session = await ctx.session();
  const agent = ctx.agent(session);
  const reveal = options.reveal === true;
  // The TOTP secret makes every future code: it is shown only when asked for twice over.
  if (options.field === 'totp' && !reveal) {
    throw new UsageError('printing a TOTP secret needs --reveal', `for a code, use: agent-vault totp ${keyOrId}`);
  }
  if (options.clipTimeout !== undefined && !options.clip) throw new UsageError('--clip-timeout goes with --clip');
  // Loaded only with --clip (it starts processes, which credential get otherwise never
  // does), and asked where to copy before the value is read.
  const copy = options.clip ? (await import('../../clipboard.js')).prepareClip(ctx, options) : undefined;
  const credential = await readCredential(session, agent, keyOrId, { reveal });
  if (credential.grantedBy !== undefined && credential.grantedBy !== agent) notice(ctx.io, ctx.mode, `read ${credential.key} from the grant of agent ${credential.grantedBy}`);
  // An expired credential still reads (a deadline missed must not break a job), but says so.
  const expired = isPastExpiry(credential.policy, ctx.io.now());
  if (expired) ctx.warn(`credential ${credential.key} expired at ${credential.policy!.expires}: rotate it (agent-vault credential rotate ${credential.key}) or change --expires`);
  const expiredFlag = expired ? { expired: true } : {};
  const grantedFlag = credential.grantedBy === undefined ? {} : { granted_by: credential.grantedBy };
  if (copy) await copy(readField(credential, options.field), `${options.field ?? 'the value'} of ${credential.key}`);
  // With --field, --json gives that one field (as `value`), not the whole credential.
  else if (ctx.mode.json && options.field !== undefined) printJson(ctx.io, { agent, id: credential.id, key: credential.key, field: options.field, value: readField(credential, options.field), ...grantedFlag, ...expiredFlag });
  else if (ctx.mode.json) printJson(ctx.io, { agent, ...toPublicJson(credential, { secrets: true, revealTotp: reveal }), ...grantedFlag, ...expiredFlag });
  else printValue(ctx.io, readField(credential, options.field), options.newline);
}
