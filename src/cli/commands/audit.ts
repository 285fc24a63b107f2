import type { Command } from 'commander';
import { parseSince } from '../../core/duration.js';
import { filterAuditRecords, mergeAuditLogs, summariseAccess, type AuditFilter } from '../../core/audit-query.js';
import { IntegrityError, UsageError } from '../../core/errors.js';
import { checkAgentId } from '../../core/ids.js';
import { readVisibleAudit, verifyVisibleAudit, type AuditEntry } from '../../app/audit.js';
import { Context } from '../context.js';
import { wholeNumber } from '../numbers.js';
import { examples, type Deps } from '../command-kit.js';
import { notice, printJson, printTable, writeLines } from '../render.js';
import { escapeControls } from '../../core/terminal-text.js';

interface ListOptions {
  action?: string;
  key?: string;
  since?: string;
  limit?: string;
  follow?: boolean;
}

export function registerAudit(program: Command, { io }: Deps): void {
  const audit = program
    .command('audit')
    .description('show the audit log, oldest first (the owner sees every log, an agent its own)')
    .option('--action <prefix>', 'only actions starting with this (credential, credential.get, auth.denied, …)')
    .option('--key <KEY>', 'only events about this credential key')
    .option('--since <when>', 'only events since a duration ago (30m, 1h, 7d) or an ISO date (2025-01-31)')
    .option('--limit <n>', 'only the newest N events (still printed oldest first)')
    .option('-f, --follow', 'keep printing new events as they are appended, until interrupted (JSON lines with --json); without --since or --limit only new ones')
    .action((options: ListOptions, cmd: Command) => runAuditList(Context.of(io, cmd), options));
  examples(audit, [
    'agent-vault audit --since 1h',
    'agent-vault audit --agent ci-bot --action credential --limit 20',
    'agent-vault audit --action auth.denied --since 7d --json',
    'AGENT_VAULT_TOKEN=… agent-vault audit            # an agent sees its own log',
    'agent-vault audit --follow --action access.denied --json   # one JSON line per new event',
  ]);

  // The subcommands see the options of `audit` (commander hands options after a
  // subcommand to its parent when the names clash), so `report` reuses its filters.
  const verify = audit
    .command('verify')
    .description('check that no line of any log was edited, removed, inserted, reordered or cut off the end (exit 6 if one was)')
    .action((_options: unknown, cmd: Command) => runAuditVerify(Context.of(io, cmd)));
  examples(verify, ['agent-vault audit verify', 'agent-vault audit verify --json > anchor.json   # keep the heads somewhere else']);

  const report = audit
    .command('report')
    .description('per agent: reads, reveals, writes, TOTP codes, exec runs, denials, first and last access (--since, --action, --key filter the events counted)')
    .action((_options: unknown, cmd: Command) => {
      const ctx = Context.of(io, cmd);
      return runAuditReport(ctx, ctx.options as ListOptions);
    });
  examples(report, ['agent-vault audit report', 'agent-vault audit report --since 7d --json', 'agent-vault audit report --key GITHUB_TOKEN']);
}

/** The filter the options describe; the global `--agent` selects the vault concerned. */
function auditFilter(ctx: Context, options: ListOptions): AuditFilter {
  return {
    ...(ctx.options.agent === undefined ? {} : { agent: checkAgentId(ctx.options.agent) }),
    ...(options.action === undefined ? {} : { action: options.action }),
    ...(options.key === undefined ? {} : { key: options.key }),
    ...(options.since === undefined ? {} : { since: parseSince(options.since, ctx.io.now()) }),
    ...(options.limit === undefined ? {} : { limit: wholeNumber(options.limit, '--limit', 1) }),
  };
}

async function selectedEntries(ctx: Context, filter: AuditFilter): Promise<AuditEntry[]> {
  const { logs, damaged } = await readVisibleAudit(await ctx.session(), filter);
  if (damaged > 0) notice(ctx.io, ctx.mode, `skipped ${damaged} damaged line(s): run agent-vault audit verify`);
  return filterAuditRecords(mergeAuditLogs(logs), filter);
}

function detail(e: AuditEntry): string {
  return [e.to === undefined ? '' : `to=${e.to}`, e.program === undefined ? '' : `program=${e.program}`, e.proposal === undefined ? '' : `proposal=${e.proposal}`, e.reason ?? ''].filter((s) => s !== '').join(' ');
}

export async function runAuditList(ctx: Context, options: ListOptions): Promise<void> {
  if (options.follow) return runAuditFollow(ctx, options);
  const entries = await selectedEntries(ctx, auditFilter(ctx, options));
  if (ctx.mode.json) {
    printJson(ctx.io, entries);
    return;
  }
  if (entries.length === 0 && ctx.io.isStdoutTTY) {
    ctx.io.err('no audit events match\n');
    return;
  }
  await printTable(ctx.io, ctx.mode, entries, [
    { header: 'TIME', value: (e) => e.ts },
    { header: 'ACTOR', value: (e) => e.actor },
    { header: 'AGENT', value: (e) => e.agent },
    { header: 'ACTION', value: (e) => e.action },
    { header: 'KEY', value: (e) => e.key ?? '' },
    { header: 'RESULT', value: (e) => e.result, red: (e) => e.result !== 'ok' },
    { header: 'DETAIL', value: detail },
  ]);
}

/** One event as `audit --follow` prints it: a JSON line, or the tab-separated columns of `audit`. */
function followLine(ctx: Context, e: AuditEntry): string {
  if (ctx.mode.json) return `${JSON.stringify(e)}\n`;
  return `${[e.ts, e.actor, e.agent, e.action, e.key ?? '', e.result, detail(e)].map((f) => escapeControls(f, { reversible: true })).join('\t')}\n`;
}

/**
 * `audit --follow`: the selection of `audit` (only when --since or --limit ask for
 * earlier events), then every new event as it is appended, until SIGINT or SIGTERM.
 */
async function runAuditFollow(ctx: Context, options: ListOptions): Promise<void> {
  const filter = auditFilter(ctx, options);
  const { AuditReader, waitForAudit } = await import('../../app/audit-follow.js');
  const session = await ctx.session();
  const reader = new AuditReader(session);
  const stop = new AbortController();
  const interrupted = (): void => stop.abort();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, interrupted);
  try {
    const earlier = filter.since !== undefined || filter.limit !== undefined;
    let pass = await reader.next({ skipExisting: !earlier });
    let selection: AuditFilter = filter;
    while (!stop.signal.aborted) {
      if (pass.damaged > 0) ctx.warn(`skipped ${pass.damaged} damaged line(s): run agent-vault audit verify`);
      writeLines(ctx.io, filterAuditRecords(mergeAuditLogs(pass.logs), selection), (e) => followLine(ctx, e));
      // --limit chooses among the earlier events only; every new one is printed.
      selection = { ...filter };
      delete selection.limit;
      await waitForAudit(session, stop.signal);
      if (!stop.signal.aborted) pass = await reader.next();
    }
  } finally {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, interrupted);
  }
}

export async function runAuditVerify(ctx: Context): Promise<void> {
  const filters = ['action', 'key', 'since', 'limit', 'follow'].filter((name) => (ctx.options as Record<string, unknown>)[name] !== undefined);
  if (filters.length > 0 || ctx.options.agent !== undefined) {
    throw new UsageError(`audit verify checks whole logs: --${[...filters, ...(ctx.options.agent === undefined ? [] : ['agent'])].join(', --')} do not apply`, 'run agent-vault audit verify alone');
  }
  const results = await verifyVisibleAudit(await ctx.session());
  const broken = results.filter((r) => r.problems.length > 0);
  if (ctx.mode.json) {
    printJson(ctx.io, {
      ok: broken.length === 0,
      logs: results.map((r) => ({
        file: r.file,
        kind: r.kind,
        ...(r.agent === undefined ? {} : { agent: r.agent }),
        checked: r.checked,
        lines: r.lines,
        last: r.last,
        head: r.head ?? null,
        problems: r.problems,
      })),
    });
  } else {
    writeLines(
      ctx.io,
      broken.flatMap((r) => r.problems.map((p) => ({ r, p }))),
      ({ r, p }) => `${r.file}${p.line === undefined ? '' : `:${p.line}`}: ${p.message}\n`,
    );
  }
  const first = broken[0];
  if (first) {
    const p = first.problems[0]!;
    throw new IntegrityError(
      `audit log ${first.file}${p.line === undefined ? '' : ` line ${p.line}`}: ${p.message}`,
      broken.length > 1 || first.problems.length > 1 ? 'every problem is listed above (or in --json output)' : 'compare it with a backup or an anchored head',
    );
  }
  if (!ctx.mode.json) {
    const lines = results.reduce((n, r) => n + r.lines, 0);
    const chainOnly = results.filter((r) => r.checked === 'chain').length;
    ctx.io.out(`ok: ${results.length} audit log(s), ${lines} line(s) intact${chainOnly > 0 ? ` (${chainOnly} retired or without a vault: chain checked, not keys)` : ''}\n`);
  }
}

export async function runAuditReport(ctx: Context, options: ListOptions): Promise<void> {
  const summaries = summariseAccess(await selectedEntries(ctx, auditFilter(ctx, options)));
  if (ctx.mode.json) {
    printJson(ctx.io, summaries.map(({ exec, first, last, ...counts }) => ({ ...counts, execs: exec, first_seen: first, last_seen: last })));
    return;
  }
  if (summaries.length === 0 && ctx.io.isStdoutTTY) {
    ctx.io.err('no access recorded\n');
    return;
  }
  await printTable(ctx.io, ctx.mode, summaries, [
    { header: 'AGENT', value: (s) => s.agent },
    { header: 'READS', value: (s) => String(s.reads) },
    { header: 'REVEALS', value: (s) => String(s.reveals) },
    { header: 'WRITES', value: (s) => String(s.writes) },
    { header: 'TOTP', value: (s) => String(s.totp) },
    { header: 'EXEC', value: (s) => String(s.exec) },
    { header: 'DENIED', value: (s) => String(s.denied) },
    { header: 'FIRST', value: (s) => s.first, time: true },
    { header: 'LAST', value: (s) => s.last, time: true },
  ]);
}
