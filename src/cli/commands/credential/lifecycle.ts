/**
 * `credential history`, `credential restore` and `credential due`, and the policy
 * options `--rotate-every` and `--expires` that `add` and `update` share.
 */
import type { Command } from 'commander';
import { parseDuration } from '../../../core/duration.js';
import { humanName } from '../../../core/credential-types.js';
import { parseExpires, parseRotateEvery } from '../../../core/policy.js';
import type { PolicyInput } from '../../../core/credential.js';
import { credentialHistory, dueCredentials, restoreVersion } from '../../../app/lifecycle.js';
import { Context } from '../../context.js';
import { examples, type Deps } from '../../command-kit.js';
import { wholeNumber } from '../../numbers.js';
import { notice, printJson, printTable } from '../../render.js';

const MASK = '********';

/** The policy flags of `add` and `update`. */
export interface PolicyOptions {
  rotateEvery?: string;
  expires?: string;
}

/** Adds `--rotate-every D` and `--expires DATE|D` to `add` or `update`. */
export function addPolicyOptions(command: Command): Command {
  return command
    .option('--rotate-every <duration>', 'the main secret is due for rotation this long after it last changed (30d, 12w; never removes it)')
    .option('--expires <date|duration>', 'when the credential expires: a date (2026-12-31) or a duration from now (90d); never removes it');
}

/** The policy change the flags ask for, if any. */
export function policyInput(options: PolicyOptions, now: Date): PolicyInput | undefined {
  if (options.rotateEvery === undefined && options.expires === undefined) return undefined;
  return {
    ...(options.rotateEvery === undefined ? {} : { rotateEvery: parseRotateEvery(options.rotateEvery) ?? null }),
    ...(options.expires === undefined ? {} : { expires: parseExpires(options.expires, now) ?? null }),
  };
}

export function registerLifecycle(credential: Command, { io }: Deps): void {
  const history = credential
    .command('history')
    .description('list the versions of a credential\'s secret fields, newest first (values masked)')
    .argument('<KEY|id>', 'the credential key or id')
    .option('--reveal', 'show the values of each version')
    .action((key: string, options: { reveal?: boolean }, cmd: Command) => runHistory(Context.of(io, cmd), key, options));
  examples(history, ['agent-vault credential history DB_PASSWORD --agent ci-bot', 'agent-vault credential history DB_PASSWORD --json --reveal']);

  const restore = credential
    .command('restore')
    .description('make an earlier version current again (as a new version; the history is kept)')
    .argument('<KEY|id>', 'the credential key or id')
    // A positional number, not `--version N`: the program's own --version is recognised
    // anywhere on the command line and would print the tool's version instead.
    .argument('<version>', 'the version to restore (see credential history)')
    .action((key: string, version: string, _options: unknown, cmd: Command) => runRestore(Context.of(io, cmd), key, version));
  examples(restore, ['agent-vault credential restore DB_PASSWORD 3 --agent ci-bot', 'agent-vault credential restore API_KEY 1 --json']);

  const due = credential
    .command('due')
    .description('list credentials whose rotation is due or whose expiry is past (or within --within), in every vault the caller may open')
    .option('--within <duration>', 'also what falls due within this time (7d)')
    .option('--notify', 'record a credential.due event for each, for the hooks (agent-vault hook run)')
    .action((options: { within?: string; notify?: boolean }, cmd: Command) => runDue(Context.of(io, cmd), options));
  examples(due, ['agent-vault credential due --within 7d', 'agent-vault credential due --notify --quiet   # from a daily timer, then: agent-vault hook run', 'agent-vault credential due --json | jq -r ".[].key"']);
}

export async function runHistory(ctx: Context, keyOrId: string, options: { reveal?: boolean }): Promise<void> {
  const session = await ctx.session();
  const agent = ctx.agent(session);
  const reveal = options.reveal === true;
  const { credential, versions } = await credentialHistory(session, agent, keyOrId, { reveal });
  if (ctx.mode.json) {
    printJson(
      ctx.io,
      versions.map((v) => ({
        agent,
        key: credential.key,
        version: v.version,
        time: v.time,
        actor: v.actor,
        changed_fields: v.fields,
        current: v.current,
        ...(v.restored === undefined ? {} : { restored_from: v.restored }),
        ...(reveal ? { values: v.values } : {}),
      })),
    );
    return;
  }
  const shown = (values: Record<string, string>): string =>
    Object.entries(values)
      .map(([name, value]) => `${humanName(name)}=${reveal ? value : MASK}`)
      .join(' ');
  await printTable(ctx.io, ctx.mode, versions, [
    { header: 'VERSION', value: (v) => `${v.version}${v.current ? ' (current)' : ''}` },
    { header: 'TIME', value: (v) => v.time, time: true },
    { header: 'ACTOR', value: (v) => v.actor },
    { header: 'FIELDS', value: (v) => `${v.fields.join(',')}${v.restored === undefined ? '' : ` (restored ${v.restored})`}` },
    { header: 'VALUES', value: (v) => shown(v.values) },
  ]);
}

export async function runRestore(ctx: Context, keyOrId: string, versionText: string): Promise<void> {
  const version = wholeNumber(versionText, 'the version', 1);
  const session = await ctx.session();
  const agent = ctx.agent(session);
  const { credential } = await restoreVersion(session, agent, keyOrId, version);
  if (ctx.mode.json) printJson(ctx.io, { agent, id: credential.id, key: credential.key, version, restored: true });
  else notice(ctx.io, ctx.mode, `restored version ${version} of ${credential.key} in the vault of ${agent} (as a new version)`);
}

export async function runDue(ctx: Context, options: { within?: string; notify?: boolean }): Promise<void> {
  const withinMs = options.within === undefined ? 0 : parseDuration(options.within);
  const session = await ctx.session();
  const rows = await dueCredentials(session, { withinMs, notify: options.notify === true });
  if (ctx.mode.json) {
    printJson(ctx.io, rows.map((r) => ({ agent: r.agent, key: r.key, reason: r.reason, due: r.due })));
    return;
  }
  if (rows.length === 0 && ctx.io.isStdoutTTY) {
    ctx.io.err('nothing is due\n');
    return;
  }
  await printTable(ctx.io, ctx.mode, rows, [
    { header: 'AGENT', value: (r) => r.agent },
    { header: 'KEY', value: (r) => r.key },
    { header: 'REASON', value: (r) => r.reason },
    { header: 'DUE', value: (r) => r.due, time: true, red: (r) => Date.parse(r.due) <= ctx.io.now().getTime() },
  ]);
}
