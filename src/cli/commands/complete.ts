/**
 * `agent-vault __complete keys|fields [KEY]`: what the completion scripts call for the
 * words only a vault knows, the credential keys of a vault and the field names of one
 * credential, one a line. Hidden from help and from the scripts' own command lists.
 *
 * A completion runs on every TAB, so it must never stop to ask: it opens the vault only
 * with an agent token or an owner session (AGENT_VAULT_SESSION), never with a
 * passphrase (no prompt, no passphrase file, no AGENT_VAULT_PASSPHRASE), and when it
 * cannot (no token, no session, an ended session, no store, a damaged vault) it prints
 * nothing, on stdout or stderr, and exits 0: a shell shows an error in the middle of
 * the line being typed.
 */
import { Argument, type Command } from 'commander';
import { CREDENTIAL_TYPE_SPECS, typeSpec } from '../../core/credential-types.js';
import { listVault } from '../../app/credentials.js';
import { Context } from '../context.js';
import { examples, type Deps } from '../command-kit.js';

export function registerComplete(program: Command, { io }: Deps): void {
  const command = program
    .command('__complete', { hidden: true })
    .description('for the completion scripts: the credential keys of a vault, or the field names of one credential, one a line (nothing when it cannot tell)')
    .addArgument(new Argument('<what>', 'keys, or fields').choices(['keys', 'fields']))
    .argument('[KEY]', 'with fields: the credential key or id')
    .action(async (what: 'keys' | 'fields', key: string | undefined, _options: unknown, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      const words = await completionWords(ctx, what, key).catch(() => []);
      if (words.length > 0) io.out(`${words.join('\n')}\n`);
    });
  examples(command, ['AGENT_VAULT_TOKEN_FILE=bot.token agent-vault __complete keys', 'AGENT_VAULT_SESSION=avs_… agent-vault __complete fields GITHUB --agent researcher']);
}

/** Every field name of every type, for `--field` before the key is known. */
function allFieldNames(): string[] {
  return [...new Set(CREDENTIAL_TYPE_SPECS.flatMap((spec) => spec.fields.map((f) => f.name)))];
}

async function completionWords(ctx: Context, what: 'keys' | 'fields', key: string | undefined): Promise<string[]> {
  if (what === 'fields' && key === undefined) return allFieldNames();
  const session = await ctx.sessionWithoutAsking();
  if (session === undefined) return what === 'fields' ? allFieldNames() : [];
  const credentials = await listVault(session, ctx.agent(session), { values: false });
  if (what === 'keys') return credentials.map((c) => c.key);
  const credential = credentials.find((c) => c.key === key || c.id === key);
  return credential === undefined ? allFieldNames() : typeSpec(credential.type).fields.map((f) => f.name);
}
