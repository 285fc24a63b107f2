/**
 * `hook add|list|remove|test|run`: the owner's notifications of audit events (app/hooks.ts).
 */
import type { Command } from 'commander';
import { BusyError, UsageError, VaultError } from '../../core/errors.js';
import { checkHookId, checkHookUrl, HOOK_EVENTS, parseHookEvents, type Hook } from '../../core/hook-event.js';
import type { FailedDelivery } from '../../app/hooks.js';
import { Context } from '../context.js';
import { examples, type Deps } from '../command-kit.js';
import { notice, printJson, printTable } from '../render.js';

const OWNER_ONLY = 'managing hooks';

interface AddOptions {
  event: string;
  url?: string;
  exec?: string;
}

export function registerHook(program: Command, { io }: Deps): void {
  const hook = program.command('hook').description('notify a URL or a command of audit events (owner only): proposals, due and rotated credentials, denials');

  const add = hook
    .command('add')
    .description('register a hook; prints its signing secret once')
    .requiredOption('--event <events>', `comma-separated: ${HOOK_EVENTS.join(', ')}`)
    .option('--url <url>', 'POST each event as JSON to this http(s) URL, signed in X-Agent-Vault-Signature')
    .option('--exec <command>', 'run this command line with /bin/sh -c, the event JSON on its stdin')
    .action((options: AddOptions, cmd: Command) => runHookAdd(Context.of(io, cmd), options));
  examples(add, [
    'agent-vault hook add --event access.denied,auth.denied --url https://hooks.example.com/vault > hook-secret.txt',
    'agent-vault hook add --event credential.due --exec \'jq -r .key | mail -s "rotate it" ops@example.com\'',
    'agent-vault hook add --event proposal.created --url http://127.0.0.1:8080/ --json',
  ]);

  const list = hook
    .command('list')
    .description('list the hooks (never their secrets)')
    .action((_options: unknown, cmd: Command) => runHookList(Context.of(io, cmd)));
  examples(list, ['agent-vault hook list', 'agent-vault hook list --json']);

  const remove = hook
    .command('remove')
    .alias('rm')
    .description('remove a hook')
    .argument('<id>', 'the hook id (see hook list)')
    .action((id: string, _options: unknown, cmd: Command) => runHookRemove(Context.of(io, cmd), id));
  examples(remove, ['agent-vault hook remove 3f9a2c1e', 'agent-vault hook list --json | jq -r ".[].id" | xargs -n1 agent-vault hook remove']);

  const test = hook
    .command('test')
    .description('send a hook.test event to one hook now (retried with backoff); exit 1 if it is not acknowledged')
    .argument('<id>', 'the hook id (see hook list)')
    .action((id: string, _options: unknown, cmd: Command) => runHookTest(Context.of(io, cmd), id));
  examples(test, ['agent-vault hook test 3f9a2c1e', 'agent-vault hook test 3f9a2c1e --json']);

  const run = hook
    .command('run')
    .description('deliver the events since the last run to every hook (at least once, never twice once acknowledged); exit 1 if one could not be delivered')
    .option('--follow', 'keep delivering, within 2 s of each event, until interrupted')
    .action((options: { follow?: boolean }, cmd: Command) => runHookRun(Context.of(io, cmd), options));
  examples(run, ['agent-vault hook run                  # one pass: from a timer or cron', 'agent-vault hook run --follow --quiet  # as a service']);
}

function target(h: Hook): string {
  return h.url ?? `exec: ${h.exec}`;
}

export async function runHookAdd(ctx: Context, options: AddOptions): Promise<void> {
  const events = parseHookEvents(options.event);
  if ((options.url === undefined) === (options.exec === undefined)) throw new UsageError('give one of --url URL or --exec COMMAND');
  if (options.exec !== undefined && options.exec.trim() === '') throw new UsageError('--exec names no command');
  const where = options.url !== undefined ? { url: checkHookUrl(options.url) } : { exec: options.exec! };
  const session = await ctx.session({ owner: OWNER_ONLY });
  const { addHook } = await import('../../app/hooks.js');
  const hook = await addHook(session, where, events);
  if (ctx.mode.json) {
    printJson(ctx.io, { id: hook.id, events: hook.events, ...where, secret: hook.secret, created: hook.created });
    return;
  }
  // The secret alone on stdout, as provision prints a token: it is shown this once.
  ctx.io.out(`${hook.secret}\n`);
  notice(ctx.io, ctx.mode, `added hook ${hook.id} for ${events.join(', ')}; above is its signing secret, shown this once (X-Agent-Vault-Signature: sha256=HMAC-SHA256 of the body)`);
}

export async function runHookList(ctx: Context): Promise<void> {
  const session = await ctx.session({ owner: OWNER_ONLY });
  const { listHooks } = await import('../../app/hooks.js');
  const hooks = await listHooks(session);
  if (ctx.mode.json) {
    printJson(ctx.io, hooks.map((h) => ({ id: h.id, events: h.events, ...(h.url === undefined ? { exec: h.exec } : { url: h.url }), created: h.created })));
    return;
  }
  if (hooks.length === 0 && ctx.io.isStdoutTTY) {
    ctx.io.err('no hooks: agent-vault hook add --event E --url URL\n');
    return;
  }
  await printTable(ctx.io, ctx.mode, hooks, [
    { header: 'ID', value: (h) => h.id },
    { header: 'EVENTS', value: (h) => h.events.join(',') },
    { header: 'TARGET', value: target },
    { header: 'CREATED', value: (h) => h.created, time: true },
  ]);
}

export async function runHookRemove(ctx: Context, id: string): Promise<void> {
  checkHookId(id);
  const session = await ctx.session({ owner: OWNER_ONLY });
  const { removeHook } = await import('../../app/hooks.js');
  await removeHook(session, id);
  if (ctx.mode.json) printJson(ctx.io, { id, removed: true });
  else notice(ctx.io, ctx.mode, `removed hook ${id}`);
}

function failureError(failed: FailedDelivery[]): VaultError {
  const first = failed[0]!;
  return new VaultError(`${failed.length} delivery(ies) failed, the first to hook ${first.hook} (${first.event}): ${first.error}`, 'they are sent again at the next hook run; agent-vault audit --action hook shows each failure');
}

export async function runHookTest(ctx: Context, id: string): Promise<void> {
  checkHookId(id);
  const session = await ctx.session({ owner: OWNER_ONLY });
  const [{ testHook }, { hookTransport, retryPolicy }] = await Promise.all([import('../../app/hooks.js'), import('../hook-transport.js')]);
  const failure = await testHook(session, id, hookTransport(ctx.io), retryPolicy(ctx.io.env));
  if (failure) throw new VaultError(`hook ${id} did not acknowledge the test event: ${failure.error}`, 'check the URL or command, then run: agent-vault hook test ' + id);
  if (ctx.mode.json) printJson(ctx.io, { id, acknowledged: true });
  else notice(ctx.io, ctx.mode, `hook ${id} acknowledged a hook.test event`);
}

export async function runHookRun(ctx: Context, options: { follow?: boolean }): Promise<void> {
  const session = await ctx.session({ owner: OWNER_ONLY });
  const [{ runHooks, FOLLOW_PAUSE_MS }, { AuditReader, waitForAudit }, { hookTransport, retryPolicy }] = await Promise.all([
    import('../../app/hooks.js'),
    import('../../app/audit-follow.js'),
    import('../hook-transport.js'),
  ]);
  const transport = hookTransport(ctx.io);
  const retry = retryPolicy(ctx.io.env);
  if (!options.follow) {
    const pass = await runHooks(session, transport, retry);
    if (pass.failed.length > 0) throw failureError(pass.failed);
    if (ctx.mode.json) printJson(ctx.io, { delivered: pass.delivered, failed: [] });
    else notice(ctx.io, ctx.mode, `delivered ${pass.delivered} event(s)`);
    return;
  }
  const follow = { reader: new AuditReader(session), paused: new Map<string, number>() };
  const stop = new AbortController();
  const interrupted = (): void => stop.abort();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, interrupted);
  try {
    while (!stop.signal.aborted) {
      try {
        const pass = await runHooks(session, transport, retry, follow);
        if (ctx.mode.json && (pass.delivered > 0 || pass.failed.length > 0)) ctx.io.out(`${JSON.stringify({ delivered: pass.delivered, failed: pass.failed })}\n`);
        else if (pass.delivered > 0) notice(ctx.io, ctx.mode, `delivered ${pass.delivered} event(s)`);
        for (const f of pass.failed) ctx.warn(`hook ${f.hook}: ${f.event} ${f.id} not delivered (${f.error}); tried again in ${FOLLOW_PAUSE_MS / 1000} s`);
      } catch (err) {
        // Another hook run holds the cursor: it delivers meanwhile, and this one tries again.
        if (!(err instanceof BusyError)) throw err;
      }
      await waitForAudit(session, stop.signal);
    }
  } finally {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, interrupted);
  }
}
