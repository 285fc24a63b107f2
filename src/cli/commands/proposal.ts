/**
 * `proposal create|list|show|approve|reject|wait`: an agent asks for the credentials it
 * needs, the owner fills and approves them. Everything an agent wrote (message,
 * descriptions, URLs, instructions) is shown to the owner with its control characters
 * escaped, so a proposal cannot drive the owner's terminal; `--json` keeps it exact.
 */
import { Option, type Command } from 'commander';
import { parseDuration } from '../../core/duration.js';
import { UsageError } from '../../core/errors.js';
import { checkAgentId } from '../../core/ids.js';
import {
  emptySlots,
  parseApprovalValues,
  parseProposalJson,
  PROPOSAL_LIMITS,
  PROPOSAL_STATUSES,
  type Proposal,
  type ProposalRequest,
  type ProposalSlot,
  type ProposalStatus,
} from '../../core/proposal.js';
import { escapeControls } from '../../core/terminal-text.js';
import { approveProposal, checkReveal, createProposal, listProposals, rejectProposal, showProposal, waitForProposal, type ProposalView } from '../../app/proposals.js';
import type { Session } from '../../app/session.js';
import { Context } from '../context.js';
import { examples, type Deps } from '../command-kit.js';
import { notice, printJson, printTable } from '../render.js';
import { decodeText, promptSecret } from '../secret-input.js';

/** One slot flag as it appeared on the command line: `--obtain` and `--instructions` apply to the slot before them. */
type SlotFlag = { flag: 'credential' | 'delete' | 'obtain' | 'instructions'; value: string };

/**
 * What an agent's system prompt can include, printed by `agent-vault proposal --help`
 * (the README quotes it too, and a test keeps the two the same).
 */
export const AGENT_GUIDE: readonly string[] = [
  "You have a credential vault, agent-vault, opened by your token (AGENT_VAULT_TOKEN_FILE).",
  "Never ask the user to paste a secret into the chat and never put one on a command line.",
  "When you need a credential you do not have (agent-vault credential list shows yours):",
  "  ID=$(agent-vault proposal create --credential KEY=\"what it is\" --obtain URL \\",
  "       --instructions \"how to get it\" -m \"why you need it\")",
  "then tell the user: \"please run: agent-vault proposal approve $ID\", and wait with",
  "  agent-vault proposal wait \"$ID\" --timeout 30m",
  "Exit 0: it is in your vault (use agent-vault exec --only KEY -- CMD); 5: rejected or",
  "expired (agent-vault proposal show \"$ID\" gives the reason; do not ask again unchanged);",
  "7: still pending. Keys are UPPER_SNAKE_CASE. To store a secret you generated yourself,",
  "pass it on stdin with --json-stdin, never as an argument.",
];

interface CreateOptions {
  message?: string;
  jsonStdin?: boolean;
  ttl?: string;
  wait?: string | boolean;
}

export function registerProposal(program: Command, { io }: Deps): void {
  const proposal = program.command('proposal').description('an agent asks for the credentials it needs; the owner fills in the values and approves');
  proposal.addHelpText('after', `\nFor an agent's system prompt:\n${AGENT_GUIDE.map((l) => `  ${l}`).join('\n')}\n`);
  // Commander calls an option's parser at each occurrence, left to right: that keeps the order of the slot flags.
  let flags: SlotFlag[] = [];
  const inOrder = (flag: SlotFlag['flag']) => (value: string): SlotFlag[] => (flags = [...flags, { flag, value }]);

  const create = proposal
    .command('create')
    .description('ask the owner for credentials: prints the proposal id alone on stdout')
    .option('--credential <KEY[=description]>', 'a credential for the owner to fill in (repeatable)', inOrder('credential'))
    .option('--delete <KEY>', 'a credential to delete (repeatable)', inOrder('delete'))
    .option('--obtain <url>', 'where the owner obtains the value of the slot before it (http or https)', inOrder('obtain'))
    .option('--instructions <text>', 'how to obtain the value of the slot before it', inOrder('instructions'))
    .option('-m, --message <text>', `why the agent needs it (at most ${PROPOSAL_LIMITS.message} characters)`)
    .option('--json-stdin', 'read the proposal as JSON from stdin: the only way to include a value the agent generated itself')
    .option('--ttl <duration>', 'expire after this long (default 7d, at most 30d)')
    .option('--wait [duration]', 'then wait for the decision, as proposal wait does (up to the duration, if given)')
    .action((options: CreateOptions, cmd: Command) => runCreate(Context.of(io, cmd), flags, options));
  examples(create, [
    'agent-vault proposal create --credential STRIPE_KEY="Stripe test-mode secret key" --obtain https://dashboard.stripe.com/test/apikeys -m "to run the billing tests"',
    'agent-vault proposal create --credential GITHUB_TOKEN --instructions "a fine-grained token with contents:read" --delete OLD_TOKEN --wait 1h',
    'echo \'{"message":"my webhook secret","credentials":[{"action":"set","key":"WEBHOOK_SECRET","value":"…"}]}\' | agent-vault proposal create --json-stdin',
    'agent-vault proposal create --agent ci-bot --credential NPM_TOKEN     # the owner, for an agent',
  ]);

  const list = proposal
    .command('list')
    .alias('ls')
    .description("list proposals, oldest first: the owner sees every agent's (or those of --agent), an agent its own")
    .addOption(new Option('--status <status>', 'only proposals of this status').choices(PROPOSAL_STATUSES))
    .action((options: { status?: ProposalStatus }, cmd: Command) => runList(Context.of(io, cmd), options));
  examples(list, ['agent-vault proposal list --status pending', 'agent-vault proposal list --agent ci-bot --json']);

  const show = proposal
    .command('show')
    .description("a proposal's slots, message, status and any rejection reason (values never, unless the owner adds --reveal)")
    .argument('<id>', 'the proposal id')
    .option('--reveal', 'owner only: show the values the agent gave')
    .action((id: string, options: { reveal?: boolean }, cmd: Command) => runShow(Context.of(io, cmd), id, options));
  examples(show, ['agent-vault proposal show k3q9x2m7a4bz', 'agent-vault proposal show k3q9x2m7a4bz --json']);

  const approve = proposal
    .command('approve')
    .description('owner only: fill in every empty slot (asked for on a terminal, or --json-stdin) and apply the whole proposal in one write')
    .argument('<id>', 'the proposal id')
    .option('--json-stdin', 'read the values as one JSON object {"KEY": "value", …} from stdin (needs --yes)')
    .action((id: string, options: { jsonStdin?: boolean }, cmd: Command) => runApprove(Context.of(io, cmd), id, options));
  examples(approve, [
    'agent-vault proposal approve k3q9x2m7a4bz          # on a terminal: shows each slot and asks for its value, masked',
    'echo \'{"STRIPE_KEY": "sk_test_…"}\' | agent-vault proposal approve k3q9x2m7a4bz --json-stdin --yes',
  ]);

  const reject = proposal
    .command('reject')
    .description('owner only: close a proposal without applying it')
    .argument('<id>', 'the proposal id')
    .option('--reason <text>', 'why, for the agent to read')
    .action((id: string, options: { reason?: string }, cmd: Command) => runReject(Context.of(io, cmd), id, options));
  examples(reject, ['agent-vault proposal reject k3q9x2m7a4bz', 'agent-vault proposal reject k3q9x2m7a4bz --reason "use the shared staging key instead"']);

  const wait = proposal
    .command('wait')
    .description('block until the proposal is decided: exit 0 applied, 5 rejected or expired, 7 still pending at the timeout')
    .argument('<id>', 'the proposal id')
    .option('--timeout <duration>', 'give up after this long, with exit 7 (default: wait until decided or expired)')
    .action((id: string, options: { timeout?: string }, cmd: Command) => runWait(Context.of(io, cmd), id, options.timeout));
  examples(wait, ['agent-vault proposal wait k3q9x2m7a4bz --timeout 30m && agent-vault credential get STRIPE_KEY', 'agent-vault proposal wait k3q9x2m7a4bz --json']);
}

/** The slots the flags describe, in their order. */
function slotsOf(flags: readonly SlotFlag[]): ProposalSlot[] {
  const slots: ProposalSlot[] = [];
  for (const { flag, value } of flags) {
    if (flag === 'credential') {
      const at = value.indexOf('=');
      slots.push({ action: 'set', key: at < 0 ? value : value.slice(0, at), ...(at < 0 ? {} : { description: value.slice(at + 1) }) });
    } else if (flag === 'delete') {
      slots.push({ action: 'delete', key: value });
    } else {
      const last = slots.at(-1);
      if (!last || last.action !== 'set') throw new UsageError(`--${flag} applies to the --credential before it, and there is none`, `put it after its slot: --credential KEY --${flag} …`);
      const field = flag === 'obtain' ? 'obtain' : 'obtainInstructions';
      if (last[field] !== undefined) throw new UsageError(`--${flag} is given twice for ${last.key}`);
      last[field] = value;
    }
  }
  return slots;
}

/** The agent meant, if any: `--agent`, AGENT_VAULT_AGENT, or the token's. */
function agentGiven(ctx: Context, session: Session): string | undefined {
  const agent = ctx.options.agent ?? ctx.io.env.AGENT_VAULT_AGENT ?? session.tokenAgent;
  return agent === undefined ? undefined : checkAgentId(agent);
}

function slotJson(slot: ProposalSlot, reveal: boolean): Record<string, unknown> {
  return {
    action: slot.action,
    key: slot.key,
    type: slot.type ?? null,
    description: slot.description ?? null,
    obtain: slot.obtain ?? null,
    obtain_instructions: slot.obtainInstructions ?? null,
    has_value: slot.value !== undefined,
    ...(reveal && slot.value !== undefined ? { value: slot.value } : {}),
  };
}

/** A proposal in `--json`: values only for the owner with `--reveal`. */
export function proposalJson(view: ProposalView, reveal = false): Record<string, unknown> {
  const { proposal, status } = view;
  const decision = proposal.decision;
  return {
    id: proposal.id,
    agent: proposal.agent,
    status,
    created: proposal.created,
    created_by: proposal.by,
    expires: proposal.expires,
    message: proposal.message ?? null,
    credentials: proposal.slots.map((s) => slotJson(s, reveal)),
    decision: decision ? { outcome: decision.outcome, at: decision.at, by: decision.by, reason: decision.reason ?? null } : null,
  };
}

/** A proposal for a person, every text an agent wrote escaped. */
function describeProposal(view: ProposalView, reveal = false): string {
  const { proposal, status } = view;
  const e = (text: string): string => escapeControls(text);
  const lines = [
    `proposal ${proposal.id} for agent ${proposal.agent}: ${status}${status === 'pending' ? ` (expires ${proposal.expires})` : ''}`,
    `created ${proposal.created} by ${e(proposal.by)}`,
  ];
  if (proposal.message !== undefined) lines.push(`message: ${e(proposal.message)}`);
  for (const slot of proposal.slots) {
    lines.push(`  ${slot.action} ${slot.key}${slot.type ? ` (${slot.type})` : ''}${slot.description === undefined ? '' : `: ${e(slot.description)}`}`);
    if (slot.obtain !== undefined) lines.push(`      obtain at: ${e(slot.obtain)}`);
    if (slot.obtainInstructions !== undefined) lines.push(`      instructions: ${e(slot.obtainInstructions)}`);
    if (slot.value !== undefined) lines.push(`      value: ${reveal ? e(slot.value) : 'given by the agent (hidden)'}`);
  }
  const decision = proposal.decision;
  if (decision) lines.push(`${decision.outcome} ${decision.at} by ${e(decision.by)}${decision.reason === undefined ? '' : `: ${e(decision.reason)}`}`);
  return `${lines.join('\n')}\n`;
}

function summary(proposal: Proposal): string {
  return proposal.slots.map((s) => `${s.action} ${s.key}`).join(', ');
}

export async function runCreate(ctx: Context, flags: readonly SlotFlag[], options: CreateOptions): Promise<void> {
  let request: ProposalRequest;
  if (options.jsonStdin) {
    if (flags.length > 0 || options.message !== undefined) throw new UsageError('--json-stdin gives the whole proposal', 'leave out --credential, --delete, --obtain, --instructions and --message');
    request = parseProposalJson(decodeText(await ctx.io.readStdin('the proposal'), 'the proposal on stdin'));
  } else {
    request = { ...(options.message === undefined ? {} : { message: options.message }), slots: slotsOf(flags) };
  }
  const ttl = options.ttl === undefined ? undefined : parseDuration(options.ttl);
  const waitFor = typeof options.wait === 'string' ? parseDuration(options.wait) : undefined;
  const session = await ctx.session();
  const agent = ctx.agent(session);
  const proposal = await createProposal(session, agent, request, ttl);
  if (options.wait === undefined) {
    if (ctx.mode.json) printJson(ctx.io, proposalJson({ proposal, status: 'pending' }));
    else ctx.io.out(`${proposal.id}\n`);
  } else if (!ctx.mode.json) {
    ctx.io.out(`${proposal.id}\n`);
  }
  notice(ctx.io, ctx.mode, `proposed ${summary(proposal)} for agent ${agent}; the owner decides with: agent-vault proposal approve ${proposal.id}`);
  if (options.wait !== undefined) await waitAndReport(ctx, session, agent, proposal.id, waitFor);
}

export async function runList(ctx: Context, options: { status?: ProposalStatus }): Promise<void> {
  const session = await ctx.session();
  const only = ctx.options.agent ?? ctx.io.env.AGENT_VAULT_AGENT;
  const views = await listProposals(session, { ...(only === undefined ? {} : { agent: only }), ...(options.status === undefined ? {} : { status: options.status }) });
  if (ctx.mode.json) {
    printJson(ctx.io, views.map((v) => proposalJson(v)));
    return;
  }
  if (views.length === 0 && ctx.io.isStdoutTTY) {
    ctx.io.err('no proposals\n');
    return;
  }
  await printTable(ctx.io, ctx.mode, views, [
    { header: 'ID', value: (v) => v.proposal.id },
    { header: 'AGENT', value: (v) => v.proposal.agent },
    { header: 'STATUS', value: (v) => v.status },
    { header: 'CREATED', value: (v) => v.proposal.created, time: true },
    { header: 'EXPIRES', value: (v) => v.proposal.expires, time: true },
    { header: 'SLOTS', value: (v) => summary(v.proposal) },
    { header: 'MESSAGE', value: (v) => v.proposal.message ?? '' },
  ]);
}

export async function runShow(ctx: Context, id: string, options: { reveal?: boolean }): Promise<void> {
  const session = await ctx.session();
  checkReveal(session, options.reveal);
  const view = await showProposal(session, agentGiven(ctx, session), id);
  if (ctx.mode.json) printJson(ctx.io, proposalJson(view, options.reveal === true));
  else ctx.io.out(describeProposal(view, options.reveal === true));
}

export async function runApprove(ctx: Context, id: string, options: { jsonStdin?: boolean }): Promise<void> {
  // Decided before anything is unlocked: off a terminal, approving needs --yes.
  if (!ctx.options.yes && !ctx.io.canPrompt()) throw new UsageError('refusing to approve a proposal without confirmation', 'pass --yes to approve when not on a terminal (with the values from --json-stdin)');
  const values = options.jsonStdin ? parseApprovalValues(decodeText(await ctx.io.readStdin('the values'), 'the values on stdin')) : {};
  const session = await ctx.session();
  session.requireOwner('approving a proposal');
  const view = await showProposal(session, agentGiven(ctx, session), id);
  const agent = view.proposal.agent;
  if (view.status === 'pending' && ctx.io.canPrompt() && !ctx.mode.json) {
    ctx.io.err(describeProposal(view));
    for (const slot of emptySlots(view.proposal)) {
      if (values[slot.key] !== undefined) continue;
      values[slot.key] = await promptSecret(ctx.io, `Value for ${slot.key}`, '--json-stdin with {"KEY": "value", …}');
    }
  }
  if (view.status === 'pending') await ctx.confirm(async () => `apply proposal ${id} to the vault of agent ${agent} (${summary(view.proposal)})`);
  const { proposal, applied } = await approveProposal(session, agent, id, values, view.proposal);
  if (ctx.mode.json) printJson(ctx.io, { ...proposalJson({ proposal, status: 'applied' }), applied: applied.map(({ created, ...slot }) => ({ ...slot, ...(created === undefined ? {} : { added: created }) })) });
  else notice(ctx.io, ctx.mode, `applied proposal ${id} to the vault of agent ${agent}: ${summary(proposal)}`);
}

export async function runReject(ctx: Context, id: string, options: { reason?: string }): Promise<void> {
  const session = await ctx.session();
  session.requireOwner('rejecting a proposal');
  const view = await showProposal(session, agentGiven(ctx, session), id);
  const proposal = await rejectProposal(session, view.proposal.agent, id, options.reason);
  if (ctx.mode.json) printJson(ctx.io, proposalJson({ proposal, status: 'rejected' }));
  else notice(ctx.io, ctx.mode, `rejected proposal ${id} of agent ${proposal.agent}`);
}

export async function runWait(ctx: Context, id: string, timeout: string | undefined): Promise<void> {
  const timeoutMs = timeout === undefined ? undefined : parseDuration(timeout);
  const session = await ctx.session();
  await waitAndReport(ctx, session, agentGiven(ctx, session), id, timeoutMs);
}

async function waitAndReport(ctx: Context, session: Session, agent: string | undefined, id: string, timeoutMs: number | undefined): Promise<void> {
  const proposal = await waitForProposal(session, agent, id, timeoutMs === undefined ? {} : { timeoutMs });
  if (ctx.mode.json) printJson(ctx.io, proposalJson({ proposal, status: 'applied' }));
  else notice(ctx.io, ctx.mode, `proposal ${id} was applied: ${summary(proposal)}`);
}
