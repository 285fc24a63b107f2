/**
 * Proposals: an agent asks for credentials it needs, the owner fills and approves them.
 * A proposal is an object of the store (`proposals/<agent>/<id>`) sealed with a random
 * proposal key kept in the agent's vault payload, so only that agent and the owner
 * read or write it; the file's header (agent, id) is its additional data, so a file
 * moved to another place does not open (exit 6).
 *
 * The agent's vault records which proposals were decided, and that record decides:
 * approving writes the proposal file as "deciding" first, then the vault (every slot
 * and the record in one write, through {@link modifySyncingGrants}), then the file as
 * decided. A crash before the vault write leaves the proposal pending; after it, the
 * vault says decided and the next reader finishes the file. A pending copy of the file
 * put back after the decision is told from both (exit 6) and never applied again.
 */
import { randomBytes } from 'node:crypto';
import { AccessDeniedError, IntegrityError, NotFoundError, UsageError, VaultError } from '../core/errors.js';
import { checkAgentId } from '../core/ids.js';
import {
  applyProposal,
  checkProposalRequest,
  isProposalShape,
  PROPOSAL_FORMAT,
  PROPOSAL_LIMITS,
  ProposalClosedError,
  ProposalPendingError,
  proposalStatus,
  type AppliedSlot,
  type Proposal,
  type ProposalDecision,
  type ProposalRequest,
  type ProposalStatus,
} from '../core/proposal.js';
import type { ProposalOutcome, ProposalState } from '../core/proposal-state.js';
import type { VaultPayload } from '../core/vault.js';
import { KEY_LENGTH, NONCE_LENGTH } from '../format/aead.js';
import { decodeBase64, encodeBase64 } from '../format/encoding.js';
import { FormatError } from '../format/format-error.js';
import { checkProposalId, openProposal, parseProposalFile, sealProposal } from '../format/proposal-file.js';
import { objectIds, type Generation, type ObjectId } from '../store/backend.js';
import { modifySyncingGrants } from './grants.js';
import type { Session, UnlockedVault } from './session.js';

/** A proposal as a caller sees it: its content and its status now. */
export interface ProposalView {
  proposal: Proposal;
  status: ProposalStatus;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** A new proposal id: 12 base32 characters, 60 random bits. */
function newProposalId(): string {
  return [...randomBytes(12)].map((b) => BASE32[b & 31]).join('');
}

/** Whether the payload needs a new proposal key: none yet, or its token was rotated since the newest was drawn. */
function needsKey(payload: VaultPayload): boolean {
  return !payload.proposals || payload.auditKeys.length > payload.proposals.epoch;
}

/**
 * The payload's proposal section with a new proposal key: for the first proposal of a
 * vault, and after a token rotation (whose payload will have `auditKeys` keys). The
 * proposals already stored stay readable under their older keys, and only they: their
 * ids are listed as `legacy`.
 */
export async function proposalsWithNewKey(session: Session, payload: VaultPayload, auditKeys: number): Promise<ProposalState> {
  const state: ProposalState = payload.proposals ?? { keys: [], epoch: 0, decided: [] };
  const legacy = (await session.store.list(objectIds.proposalsOf(payload.agent))).map((oid) => oid.split('/')[2]!);
  return { keys: [...state.keys, encodeBase64(randomBytes(KEY_LENGTH))], epoch: auditKeys, decided: state.decided, ...(legacy.length > 0 ? { legacy } : {}) };
}

/** Seals a proposal with the newest proposal key of the payload. */
function sealWithNewest(payload: VaultPayload, proposal: Proposal): Buffer {
  const keys = payload.proposals!.keys;
  const keyIndex = keys.length - 1;
  const key = decodeBase64(keys[keyIndex]!, 'proposal key', KEY_LENGTH);
  return sealProposal({ agent: proposal.agent, id: proposal.id, keyIndex }, key, Buffer.from(JSON.stringify(proposal)), randomBytes(NONCE_LENGTH));
}

/** A proposal file that is not what its place says it is. */
function untrusted(session: Session, id: ObjectId, why: string): IntegrityError {
  return new IntegrityError(`${session.store.describe(id)}: ${why}`, 'remove it: it is never applied; the agent can propose again');
}

interface ReadProposal {
  proposal: Proposal;
  generation: Generation;
  status: ProposalStatus;
}

/**
 * Reads and opens one proposal with the keys of `payload`. Missing is exit 3; a file
 * that does not parse, names another agent or id, does not open with the agent's keys
 * (edited, moved, forged by another agent), or was put back after its decision is exit 6.
 */
async function readProposal(session: Session, payload: VaultPayload, id: string): Promise<ReadProposal> {
  const agent = payload.agent;
  const oid = objectIds.proposal(agent, id);
  const found = await session.store.read(oid);
  if (!found) throw new NotFoundError(`agent ${agent} has no proposal ${id}`, `list them with: agent-vault proposal list --agent ${agent}`);
  let file;
  try {
    file = parseProposalFile(found.bytes);
  } catch (err) {
    if (err instanceof FormatError) throw untrusted(session, oid, err.message);
    throw err;
  }
  if (file.agent !== agent || file.id !== id) throw untrusted(session, oid, `the file names proposal ${file.id} of agent ${file.agent}: it was moved`);
  const state = payload.proposals;
  // An older key opens only the proposals stored when it was superseded.
  const usable = state !== undefined && (file.keyIndex === state.keys.length - 1 || state.legacy?.includes(id) === true);
  const key = usable ? state.keys[file.keyIndex] : undefined;
  const plaintext = key === undefined ? undefined : openProposal(file, decodeBase64(key, 'proposal key', KEY_LENGTH));
  if (!plaintext) throw untrusted(session, oid, `the proposal does not open with the keys of agent ${agent}: it was altered, moved or forged`);
  let proposal: unknown;
  try {
    proposal = JSON.parse(plaintext.toString('utf8'));
  } catch {
    proposal = undefined;
  }
  if (!isProposalShape(proposal) || proposal.agent !== agent || proposal.id !== id) throw untrusted(session, oid, 'the proposal has an unsupported shape');
  const status = proposalStatus(proposal, payload.proposals?.decided.find((d) => d.id === id), session.now());
  if (status === 'replayed') throw untrusted(session, oid, 'the vault records this proposal as decided, but the file is an older pending copy: it was put back');
  return { proposal, generation: found.generation, status };
}

/** Whether a read proposal has a step left that a reader finishes: an expiry to record, or a decision to write into the file. */
function unsettled(read: ReadProposal): boolean {
  return read.status !== 'pending' && !read.proposal.decision;
}

/**
 * Finishes what a proposal's file lacks, holding the agent's vault: an expiry noticed
 * for the first time is written into the file and recorded (`proposal.expire`); a
 * decision the vault holds but the file does not (a crash, a full disk) is written into
 * it. Returns the proposal as it is now.
 */
async function settle(session: Session, agent: string, id: string): Promise<ReadProposal> {
  return session.store.exclusive(objectIds.vault(agent), async () => {
    const { payload } = await session.unlock(agent);
    const read = await readProposal(session, payload, id);
    if (!unsettled(read)) return read;
    const now = session.now().toISOString();
    if (read.status === 'expired') {
      const decision: ProposalDecision = { outcome: 'expired', at: now, by: session.provenActor() };
      const proposal: Proposal = { ...read.proposal, decision };
      delete proposal.deciding;
      const generation = await session.store.replace(objectIds.proposal(agent, id), sealWithNewest(payload, proposal), read.generation);
      await session.audit.record(agent, { action: 'proposal.expire', proposal: id });
      return { proposal, generation, status: 'expired' };
    }
    // Decided in the vault with the file still "deciding" (a pending file is refused as put back).
    const proposal: Proposal = { ...read.proposal, decision: read.proposal.deciding! };
    delete proposal.deciding;
    const generation = await session.store.replace(objectIds.proposal(agent, id), sealWithNewest(payload, proposal), read.generation);
    return { proposal, generation, status: read.status };
  });
}

/** Reads a proposal and finishes it where needed ({@link settle}). */
async function current(session: Session, agent: string, id: string): Promise<ReadProposal> {
  const read = await readProposal(session, (await session.unlock(agent)).payload, id);
  return unsettled(read) ? settle(session, agent, id) : read;
}

/** The proposals of `agent`'s vault that are pending now, counted for the limit. Damaged ones count too: they may be pending. */
async function pendingCount(session: Session, payload: VaultPayload): Promise<number> {
  let count = 0;
  for (const oid of await session.store.list(objectIds.proposalsOf(payload.agent))) {
    try {
      if ((await readProposal(session, payload, oid.split('/')[2]!)).status === 'pending') count += 1;
    } catch (err) {
      if (!(err instanceof IntegrityError)) throw err;
      count += 1;
    }
  }
  return count;
}

/**
 * `proposal create`: checks the request against the limits (exit 2), then stores it
 * sealed, recorded as `proposal.create` in the agent's log. An agent proposes for its
 * own vault only; the owner for any agent. The first proposal of a vault (and the first
 * after a token rotation) draws a new proposal key into the payload.
 */
export async function createProposal(session: Session, agent: string, request: ProposalRequest, ttlMs: number = PROPOSAL_LIMITS.defaultTtlMs): Promise<Proposal> {
  checkAgentId(agent);
  const checked = checkProposalRequest(request);
  if (ttlMs > PROPOSAL_LIMITS.maxTtlMs) throw new UsageError('a proposal expires after at most 30 days', 'use --ttl 30d or less');
  const id = newProposalId();
  const oid = objectIds.proposal(agent, id);
  return session.audit.audited(agent, 'proposal.create', undefined, async (commit) => {
    if (needsKey((await session.unlock(agent)).payload)) {
      await session.modify(agent, async ({ payload }) => {
        if (needsKey(payload)) payload.proposals = await proposalsWithNewKey(session, payload, payload.auditKeys.length);
      });
    }
    return session.store.exclusive(objectIds.vault(agent), async () => {
      const { payload } = await session.unlock(agent);
      const pending = await pendingCount(session, payload);
      if (pending >= PROPOSAL_LIMITS.pending) {
        throw new UsageError(`agent ${agent} has ${pending} pending proposals, the most allowed`, 'wait for the owner to decide some, or ask the owner to reject the ones no longer needed');
      }
      const now = session.now();
      const proposal: Proposal = {
        v: PROPOSAL_FORMAT,
        id,
        agent,
        created: now.toISOString(),
        expires: new Date(now.getTime() + ttlMs).toISOString(),
        by: session.provenActor(),
        ...checked,
      };
      await session.store.create(oid, sealWithNewest(payload, proposal));
      try {
        await commit();
      } catch (err) {
        // A proposal is made only together with its audit line.
        await session.store.remove(oid).catch(() => {});
        throw err;
      }
      return proposal;
    });
  }, { proposal: id });
}

/** The agents whose proposals the caller sees: the owner every agent's (or `agent`'s), an agent its own. */
async function visibleAgents(session: Session, agent: string | undefined): Promise<string[]> {
  if (session.isOwner()) return agent === undefined ? session.listAgents() : [checkAgentId(agent)];
  const self = session.tokenAgent!;
  if (agent !== undefined && agent !== self) {
    await session.unlock(agent);
  }
  return [self];
}

/**
 * `proposal list`: the proposals the caller may see, oldest first, optionally of one
 * status. A proposal file that does not open is left out with a warning naming it;
 * `show` of that one is exit 6.
 */
export async function listProposals(session: Session, options: { agent?: string; status?: ProposalStatus } = {}): Promise<ProposalView[]> {
  const views: ProposalView[] = [];
  for (const agent of await visibleAgents(session, options.agent)) {
    let payload: VaultPayload;
    try {
      payload = (await session.unlock(agent)).payload;
    } catch (err) {
      if (!(err instanceof IntegrityError) || !session.isOwner()) throw err;
      session.warn(`skipped agent ${agent}: ${err.message}`);
      continue;
    }
    for (const oid of await session.store.list(objectIds.proposalsOf(agent))) {
      const id = oid.split('/')[2]!;
      try {
        const read = await readProposal(session, payload, id);
        const settled = unsettled(read) ? await settle(session, agent, id) : read;
        views.push({ proposal: settled.proposal, status: settled.status });
      } catch (err) {
        if (!(err instanceof IntegrityError)) throw err;
        session.warn(`left out ${err.message}`);
      }
    }
  }
  return views.filter((v) => options.status === undefined || v.status === options.status).sort((a, b) => a.proposal.created.localeCompare(b.proposal.created));
}

/**
 * The agent a proposal id belongs to: the given one (an agent's own), or for the owner
 * without `--agent`, the one agent that has a proposal of that id.
 */
async function agentOfProposal(session: Session, agent: string | undefined, id: string): Promise<string> {
  checkProposalId(id);
  if (agent !== undefined) return checkAgentId(agent);
  if (!session.isOwner()) return session.tokenAgent!;
  await session.rootKey();
  for (const candidate of await session.listAgents()) {
    if (await session.store.exists(objectIds.proposal(candidate, id))) return candidate;
  }
  throw new NotFoundError(`no proposal ${id}`, 'list them with: agent-vault proposal list');
}

/** `proposal show`: one proposal and its status. An agent sees only its own. */
export async function showProposal(session: Session, agent: string | undefined, id: string): Promise<ProposalView> {
  const owner = await agentOfProposal(session, agent, id);
  if (!session.isOwner() && owner !== session.tokenAgent) await session.unlock(owner);
  const read = await current(session, owner, id);
  return { proposal: read.proposal, status: read.status };
}

/** A proposal that is no longer pending cannot be decided again (exit 2); `wait` reports its outcome instead. */
function closed(id: string, status: Exclude<ProposalStatus, 'pending'>): VaultError {
  return new UsageError(`proposal ${id} was already ${status}: only a pending proposal is decided`, status === 'applied' ? 'the agent raises a new proposal for further changes' : 'the agent can propose again');
}

/** The slots as shown to the owner, so that an approval applies what was shown and nothing the agent changed since. */
function fingerprint(proposal: Proposal): string {
  return JSON.stringify([proposal.message ?? null, proposal.slots, proposal.expires]);
}

/**
 * Writes the proposal file as deciding, then changes and writes the vault with the
 * decision recorded, then (after the audit line) writes the file as decided. A failure
 * of that last write leaves the vault's record to decide, and the next reader finishes
 * the file.
 */
async function decide<T>(
  session: Session,
  agent: string,
  id: string,
  outcome: ProposalOutcome,
  change: (payload: VaultPayload, proposal: Proposal) => T,
  commit: () => Promise<void>,
  options: { expected?: Proposal; reason?: string },
): Promise<{ result: T; proposal: Proposal }> {
  const oid = objectIds.proposal(agent, id);
  let decided: { proposal: Proposal; payload: VaultPayload; generation: Generation } | undefined;
  const decideIn = async ({ payload }: UnlockedVault): Promise<T> => {
    const read = await readProposal(session, payload, id);
    if (read.status !== 'pending') throw closed(id, read.status);
    if (options.expected && fingerprint(options.expected) !== fingerprint(read.proposal)) {
      throw new UsageError(`proposal ${id} changed since it was shown`, `look at it again: agent-vault proposal show ${id}`);
    }
    const now = session.now();
    const result = change(payload, read.proposal);
    const decision: ProposalDecision = { outcome, at: now.toISOString(), by: 'owner', ...(options.reason === undefined ? {} : { reason: options.reason }) };
    const proposal: Proposal = { ...read.proposal, deciding: decision };
    const generation = await session.store.replace(oid, sealWithNewest(payload, proposal), read.generation);
    const state = payload.proposals!;
    // A record may go once its proposal expired: a copy put back after that is expired anyway.
    state.decided = [...state.decided.filter((d) => d.id !== id && Date.parse(d.expires) > now.getTime()), { id, outcome, expires: proposal.expires }];
    decided = { proposal, payload, generation };
    return result;
  };
  const afterWrite = async (): Promise<void> => {
    await commit();
    const { proposal, payload, generation } = decided!;
    const final: Proposal = { ...proposal, decision: proposal.deciding! };
    delete final.deciding;
    try {
      await session.store.replace(oid, sealWithNewest(payload, final), generation);
      decided!.proposal = final;
    } catch (err) {
      // The vault's record decides; the next reader writes the decision into the file.
      session.warn(`proposal ${id} is ${outcome}, but its file could not be updated (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): the next command finishes it`);
    }
  };
  // Applying changes credentials, so grants of them are re-sealed in the same write.
  const result = outcome === 'applied' ? await modifySyncingGrants(session, agent, decideIn, afterWrite) : await session.modify(agent, decideIn, { afterWrite });
  return { result, proposal: decided!.proposal };
}

/**
 * `proposal approve` (owner only): applies every slot in one atomic write of the agent's
 * vault, grants re-sealed, or nothing. `values` are the owner's, by key; a set slot with
 * no value (the owner's or the agent's own) is exit 2. With `expected`, the proposal as
 * it was shown: if the agent changed it since, nothing is applied.
 */
export async function approveProposal(
  session: Session,
  agent: string,
  id: string,
  values: Readonly<Record<string, string>>,
  expected?: Proposal,
): Promise<{ proposal: Proposal; applied: AppliedSlot[] }> {
  session.requireOwner('approving a proposal');
  checkAgentId(agent);
  const before = await current(session, agent, id);
  if (before.status !== 'pending') throw closed(id, before.status);
  return session.audit.audited(agent, 'proposal.approve', undefined, async (commit) => {
    const { result, proposal } = await decide(session, agent, id, 'applied', (payload, p) => applyProposal(payload, p, values, session.now().toISOString()), commit, expected ? { expected } : {});
    return { proposal, applied: result };
  }, { proposal: id });
}

/** `proposal reject` (owner only): the proposal is closed, with an optional reason the agent can read. */
export async function rejectProposal(session: Session, agent: string, id: string, reason?: string): Promise<Proposal> {
  session.requireOwner('rejecting a proposal');
  checkAgentId(agent);
  if (reason !== undefined && reason.length > PROPOSAL_LIMITS.message) throw new UsageError(`the reason has more than ${PROPOSAL_LIMITS.message} characters`);
  const before = await current(session, agent, id);
  if (before.status !== 'pending') throw closed(id, before.status);
  return session.audit.audited(agent, 'proposal.reject', undefined, async (commit) =>
    (await decide(session, agent, id, 'rejected', () => undefined, commit, reason === undefined ? {} : { reason })).proposal, { proposal: id });
}

/** How often `wait` reads the proposal and the vault again. */
export const WAIT_POLL_MS = 1000;

/**
 * `proposal wait`: returns the proposal once applied, which it confirms in the agent's
 * vault (its record of decided proposals, or, once that record went with the
 * proposal's expiry, the decision in the file); throws exit 5 once rejected or
 * expired, and exit 7 when still pending after `timeoutMs` (no timeout: until decided
 * or expired). Polls at {@link WAIT_POLL_MS}, through the storage interface only.
 */
export async function waitForProposal(
  session: Session,
  agent: string | undefined,
  id: string,
  options: { timeoutMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<Proposal> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const owner = await agentOfProposal(session, agent, id);
  if (!session.isOwner() && owner !== session.tokenAgent) await session.unlock(owner);
  const deadline = options.timeoutMs === undefined ? undefined : session.now().getTime() + options.timeoutMs;
  for (;;) {
    const read = await current(session, owner, id);
    if (read.status === 'applied') {
      const { payload } = await session.unlock(owner);
      const recorded = payload.proposals?.decided.some((d) => d.id === id && d.outcome === 'applied');
      if (!recorded && Date.parse(read.proposal.expires) > session.now().getTime()) {
        throw new IntegrityError(`proposal ${id} says it was applied, but the vault of agent ${owner} does not record it`, 'ask the owner to look at it: agent-vault proposal show');
      }
      return read.proposal;
    }
    if (read.status !== 'pending') {
      const reason = read.proposal.decision?.reason;
      throw new ProposalClosedError(read.status, `proposal ${id} was ${read.status}${reason === undefined ? '' : `: ${reason}`}`, read.status === 'expired' ? 'propose again if it is still needed' : undefined);
    }
    const left = deadline === undefined ? WAIT_POLL_MS : deadline - session.now().getTime();
    if (left <= 0) throw new ProposalPendingError(`proposal ${id} is still pending`, `wait again: agent-vault proposal wait ${id}`);
    await sleep(Math.min(WAIT_POLL_MS, left));
  }
}

/** An agent may not see a value it gave; the owner only with `reveal`. */
export function checkReveal(session: Session, reveal: boolean | undefined): void {
  if (reveal && !session.isOwner()) throw new AccessDeniedError('only the owner sees the values of a proposal', 'a value given in a proposal is never shown to an agent again');
}
