/**
 * What `credential list` and `credential search` do, apart from their commander
 * registration (list.ts), so that the fast path (cli/fast-path.ts) can run a bare
 * `credential list` without loading commander.
 */
import { checkCredentialType, hasValue, mainField, toPublicJson, type Credential } from '../../../core/credential.js';
import { listVault, type ListedCredential } from '../../../app/credentials.js';
import { searchEveryVault } from '../../../app/search.js';
import type { Context } from '../../context.js';
import { printJson, printTable } from '../../render.js';

/** The options commander gives `credential list` and `credential search`. */
export interface ListOptions {
  reveal?: boolean;
  type?: string;
}

const MASK = '********';

/** Lists (`query` undefined) or searches the vault of the context's agent, or (the owner's search) every vault. */
export async function runList(ctx: Context, query: string | undefined, options: ListOptions): Promise<void> {
  const session = await ctx.session();
  const reveal = options.reveal === true;
  const type = options.type === undefined ? {} : { type: checkCredentialType(options.type) };
  // The owner's search with no vault named looks in every vault (an agent's, in its own and its grants).
  const everyVault = query !== undefined && session.isOwner() && (ctx.options.agent ?? ctx.io.env.AGENT_VAULT_AGENT) === undefined;
  const agent = everyVault ? undefined : ctx.agent(session);
  const credentials: Array<ListedCredential & { agent?: string }> =
    agent === undefined
      ? await searchEveryVault(session, query!, { ...type, reveal, values: reveal })
      : await listVault(session, agent, { ...type, ...(query === undefined ? {} : { query }), reveal, values: reveal });
  if (ctx.mode.json) {
    printJson(ctx.io, credentials.map((c) => ({ agent: c.agent ?? agent, ...toPublicJson(c, { secrets: reveal, revealTotp: false }), ...(c.grantedBy ? { granted_by: c.grantedBy } : {}) })));
    return;
  }
  if (credentials.length === 0 && ctx.io.isStdoutTTY) {
    ctx.io.err(query === undefined ? `no credentials in the vault of ${agent}\n` : `nothing matches ${JSON.stringify(query)}${agent === undefined ? ' in any vault' : ''}\n`);
    return;
  }
  const policyText = (c: Credential): string =>
    [c.policy?.rotateEvery === undefined ? '' : `rotate every ${c.policy.rotateEvery}`, c.policy?.expires === undefined ? '' : `expires ${c.policy.expires}`].filter((t) => t !== '').join(', ');
  const value = (c: ListedCredential): string => {
    const main = mainField(c);
    if (reveal) return c.fields[main] ?? '';
    return hasValue(c, main) ? MASK : '';
  };
  await printTable(ctx.io, ctx.mode, credentials, [
    ...(agent === undefined ? [{ header: 'AGENT', value: (c: { agent?: string }) => c.agent ?? '' }] : []),
    { header: 'KEY', value: (c) => c.key },
    { header: 'NAME', value: (c) => c.name },
    { header: 'TYPE', value: (c) => c.type },
    { header: 'UPDATED', value: (c) => c.updated, time: true },
    // Piped, a column of asterisks only gets in the way of cut and awk: values appear there only with --reveal.
    ...(reveal || ctx.io.isStdoutTTY ? [{ header: 'VALUE', value }] : []),
    { header: 'GRANTED BY', value: (c: ListedCredential) => c.grantedBy ?? '' },
    // Only when a credential has a policy, so the lines of a vault without any keep their columns.
    ...(credentials.some((c) => c.policy !== undefined) ? [{ header: 'POLICY', value: policyText }] : []),
  ]);
}
