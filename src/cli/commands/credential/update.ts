import { Option, type Command } from 'commander';
import { REVEAL_POLICIES } from '../../../core/credential.js';
import { UsageError } from '../../../core/errors.js';
import { checkCredentialKey } from '../../../core/ids.js';
import { updateTyped } from '../../../app/credentials.js';
import { Context } from '../../context.js';
import { addFieldOptions, collectInput, type FieldOptions } from '../../credential-fields.js';
import { examples, type Deps } from '../../command-kit.js';
import { warnSecretInArguments } from '../../secret-input.js';
import { notice, printJson } from '../../render.js';
import { addPolicyOptions, policyInput, type PolicyOptions } from './lifecycle.js';

export function registerUpdate(credential: Command, { io }: Deps): void {
  const command = credential
    .command('update')
    .description('change fields of a credential, keeping its id and creation time')
    .argument('<KEY|id>', 'the credential key or id')
    .option('--rename <KEY>', 'give it a new key')
    .addOption(new Option('--reveal-policy <policy>', 'brokered: an agent\'s token uses it only through the broker; any: as before').choices(REVEAL_POLICIES));
  addPolicyOptions(addFieldOptions(command)).action((key: string, options: UpdateOptions, cmd: Command) => runUpdate(Context.of(io, cmd), key, options));
  examples(command, [
    'agent-vault credential update GITHUB --password-stdin < new-password.txt',
    'agent-vault credential update GITHUB --uri https://github.com --uri https://api.github.com',
    'agent-vault credential update GITHUB --totp-file otpauth-uri.txt',
    'agent-vault credential update OLD_NAME --rename NEW_NAME',
    'agent-vault credential update GITHUB --email ""    # an empty value removes a field',
    'agent-vault credential update OPENAI_API_KEY --reveal-policy brokered --agent bot',
    'agent-vault credential update DB_PASSWORD --rotate-every 30d --expires never',
    'agent-vault credential update GITHUB                          # on a terminal, no flags: opens $EDITOR (credential edit)',
  ]);
}

type UpdateOptions = FieldOptions & PolicyOptions & { rename?: string; revealPolicy?: (typeof REVEAL_POLICIES)[number] };

export async function runUpdate(ctx: Context, keyOrId: string, options: UpdateOptions): Promise<void> {
  const policy = policyInput(options, ctx.io.now());
  if (options.rename !== undefined) checkCredentialKey(options.rename);
  if (options.totp !== undefined) warnSecretInArguments(ctx.io, ctx.mode, 'the TOTP secret', '--totp-stdin or --totp-file PATH');
  const session = await ctx.session();
  const agent = ctx.agent(session);
  const collected = await collectInput(ctx.io, options, undefined, { promptForMain: false });
  const input = options.revealPolicy === undefined ? collected.input : { ...collected.input, revealPolicy: options.revealPolicy };
  const changes = Object.keys(input.fields ?? {}).length + ['name', 'tags', 'uris', 'revealPolicy'].filter((k) => k in input).length + (policy ? 1 : 0);
  if (changes === 0 && options.rename === undefined) {
    // On a terminal, no flag means "let me change it": the editor, as `credential edit` opens it.
    if (ctx.io.canPrompt()) {
      const { runEdit } = await import('./edit.js');
      return runEdit(ctx, keyOrId, session);
    }
    throw new UsageError('nothing to change', 'pass the fields to change, e.g. --username or --password-stdin, or run agent-vault credential edit KEY on a terminal');
  }
  const credential = await updateTyped(session, agent, keyOrId, { ...input, ...(policy ? { policy } : {}), ...(options.rename === undefined ? {} : { rename: options.rename }) });
  if (ctx.mode.json) printJson(ctx.io, { agent, id: credential.id, key: credential.key, type: credential.type, updated: credential.updated });
  else notice(ctx.io, ctx.mode, `updated ${credential.key} in the vault of ${agent}`);
}
