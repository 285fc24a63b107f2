import type { Command } from 'commander';
import { Option } from 'commander';
import { CREDENTIAL_TYPES, REVEAL_POLICIES, checkCredentialType, type Credential } from '../../../core/credential.js';
import { UsageError } from '../../../core/errors.js';
import { checkCredentialKey } from '../../../core/ids.js';
import { addTyped } from '../../../app/credentials.js';
import { Context } from '../../context.js';
import { addFieldOptions, collectInput, hasFieldInput, type FieldOptions } from '../../credential-fields.js';
import { examples, type Deps } from '../../command-kit.js';
import { warnSecretInArguments } from '../../secret-input.js';
import { notice, printJson } from '../../render.js';
import { addPolicyOptions, policyInput, type PolicyOptions } from './lifecycle.js';

/** `a, b or c`. */
const orList = (words: readonly string[]): string => (words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`);

export function registerAdd(credential: Command, { io }: Deps): void {
  const command = credential
    .command('add')
    .description(`add a typed credential: ${orList(CREDENTIAL_TYPES)}`)
    .argument('<KEY>', 'UPPER_SNAKE_CASE key')
    .addOption(new Option('-t, --type <type>', 'credential type (default: api_key)').choices(CREDENTIAL_TYPES))
    .addOption(new Option('--reveal-policy <policy>', 'brokered: an agent\'s token uses it only through the broker (service, http, exec --broker), never as a value').choices(REVEAL_POLICIES));
  addPolicyOptions(addFieldOptions(command)).action((key: string, options: AddOptions, cmd: Command) => runAdd(Context.of(io, cmd), key, options));
  examples(command, [
    'agent-vault credential add GITHUB                 # on a terminal: asks for the type and each field',
    'agent-vault credential add GITHUB --type login --username bot --uri https://github.com --password-stdin < pw.txt',
    'agent-vault credential add GITHUB --type login --username bot --password-file pw.txt --totp-file otpauth-uri.txt',
    'agent-vault credential add GITHUB --type login --username bot --totp-stdin < otpauth-uri.txt',
    'agent-vault credential add CORP_CARD --type card --cardholder "A. Bot" --expiry 12/29 --number-file card.txt',
    'agent-vault credential get OLD --json --reveal | agent-vault credential add NEW --json-stdin   # fields with the TOTP secret; credential copy OLD NEW also keeps policies',
    'agent-vault credential add OPENAI_API_KEY --value-stdin --reveal-policy brokered --agent bot < key.txt',
    'agent-vault credential add DB_PASSWORD --value-stdin --rotate-every 30d --expires 2026-12-31 < pw.txt',
  ]);
}

type AddOptions = FieldOptions & PolicyOptions & { type?: string; revealPolicy?: (typeof REVEAL_POLICIES)[number] };

export async function runAdd(ctx: Context, key: string, options: AddOptions): Promise<void> {
  checkCredentialKey(key);
  const policy = policyInput(options, ctx.io.now());
  if (options.totp !== undefined) warnSecretInArguments(ctx.io, ctx.mode, 'the TOTP secret', '--totp-stdin or --totp-file PATH');
  const session = await ctx.session();
  const agent = ctx.agent(session);
  const flagType = options.type === undefined ? undefined : checkCredentialType(options.type);
  if (ctx.io.canPrompt() && !hasFieldInput(options)) {
    // Prove the caller first, so a wrong passphrase does not waste the answers.
    if (session.isOwner()) await session.rootKey();
    const { walkThroughCredential } = await import('../../interactive-add.js');
    const walked = await walkThroughCredential(ctx.io, flagType);
    const credential = await addTyped(session, agent, key, walked.type, { ...walked.input, ...revealPolicyOf(options), ...(policy ? { policy } : {}) });
    return reportAdded(ctx, agent, credential);
  }
  const collected = await collectInput(ctx.io, options, options.jsonStdin ? undefined : (flagType ?? 'api_key'), { promptForMain: true });
  if (flagType !== undefined && collected.type !== undefined && collected.type !== flagType) {
    throw new UsageError(`--type ${flagType} and the JSON's type ${collected.type} differ`);
  }
  const type = checkCredentialType(flagType ?? collected.type ?? 'api_key');
  reportAdded(ctx, agent, await addTyped(session, agent, key, type, { ...collected.input, ...revealPolicyOf(options), ...(policy ? { policy } : {}) }));
}

const revealPolicyOf = (options: AddOptions): { revealPolicy?: (typeof REVEAL_POLICIES)[number] } => (options.revealPolicy === undefined ? {} : { revealPolicy: options.revealPolicy });

function reportAdded(ctx: Context, agent: string, credential: Credential): void {
  if (ctx.mode.json) printJson(ctx.io, { agent, id: credential.id, key: credential.key, type: credential.type });
  else notice(ctx.io, ctx.mode, `added ${credential.type} ${credential.key} to the vault of ${agent}`);
}
