/**
 * Proposals on decrypted data: what an agent may ask for (slots to set or delete, a
 * message), the limits of SPEC.md, a proposal's status, and how an approved proposal
 * changes the vault payload. Pure: the caller seals, stores and records.
 */
import { CREDENTIAL_TYPES, checkCredentialType, fieldsOf, type CredentialType } from './credential.js';
import { UsageError, VaultError, ExitCode } from './errors.js';
import { checkCredentialKey } from './ids.js';
import type { DecidedProposal, ProposalOutcome } from './proposal-state.js';
import { addCredential, removeCredential, setMainSecret, type VaultPayload } from './vault.js';

const DAY_MS = 86_400_000;

/** The limits of SPEC.md, and bounds on the rest of what an agent may write. */
export const PROPOSAL_LIMITS = {
  slots: 10,
  pending: 20,
  message: 2000,
  /** A description, obtain URL or instructions: as long as a message. */
  text: 2000,
  /** An agent-supplied value, in UTF-8 bytes. */
  valueBytes: 64 * 1024,
  defaultTtlMs: 7 * DAY_MS,
  maxTtlMs: 30 * DAY_MS,
} as const;

/** One slot of a proposal: a credential to set (filled by the owner, or by the agent's own value) or to delete. */
export interface ProposalSlot {
  action: 'set' | 'delete';
  key: string;
  /** For a new credential (default `api_key`). */
  type?: CredentialType;
  description?: string;
  /** Where the owner can obtain the value: an http(s) URL. */
  obtain?: string;
  obtainInstructions?: string;
  /** A value the agent generated itself; sealed like the rest, never shown to the agent again. */
  value?: string;
}

/** What a caller asks for. */
export interface ProposalRequest {
  message?: string;
  slots: ProposalSlot[];
}

/** How a proposal was or is being decided. */
export interface ProposalDecision {
  outcome: ProposalOutcome | 'expired';
  at: string;
  /** `owner`, or `agent:<id>` for an expiry an agent's command noticed. */
  by: string;
  reason?: string;
}

export const PROPOSAL_FORMAT = 1;

/** A proposal as sealed in its file (see man/agent-vault.5, PROPOSALS). */
export interface Proposal extends ProposalRequest {
  v: typeof PROPOSAL_FORMAT;
  id: string;
  agent: string;
  created: string;
  expires: string;
  /** Who created it: `agent:<id>` or `owner`. */
  by: string;
  /** The decision, once it is made and recorded in the vault (or an expiry noticed). */
  decision?: ProposalDecision;
  /**
   * A decision written just before the vault records it: a crash in between leaves the
   * proposal pending (the vault did not change), and a copy of the file from before
   * this was written, put back, is told from this one.
   */
  deciding?: ProposalDecision;
}

export type ProposalStatus = 'pending' | 'applied' | 'rejected' | 'expired';

export const PROPOSAL_STATUSES: readonly ProposalStatus[] = ['pending', 'applied', 'rejected', 'expired'];

/** A proposal that was decided or expired when a caller needs it pending, or waits for it: exit 5. */
export class ProposalClosedError extends VaultError {
  override readonly exitCode = ExitCode.denied;
  override readonly code: string;

  constructor(
    readonly status: 'rejected' | 'expired',
    message: string,
    hint?: string,
  ) {
    super(message, hint);
    this.code = status;
  }
}

/** `proposal wait` reached its timeout while the proposal is still pending: exit 7. */
export class ProposalPendingError extends VaultError {
  override readonly exitCode = ExitCode.busy;
  override readonly code = 'pending';
}

/**
 * A proposal's status. The vault's record of decided proposals is the authority: a
 * proposal it records as decided whose file says it is still pending, with no decision
 * under way, is an older copy of the file put back (`replayed`), and never pending again.
 */
export function proposalStatus(proposal: Proposal, decided: DecidedProposal | undefined, now: Date): ProposalStatus | 'replayed' {
  if (decided) return proposal.decision || proposal.deciding ? decided.outcome : 'replayed';
  if (proposal.decision) return proposal.decision.outcome;
  return now.getTime() >= Date.parse(proposal.expires) ? 'expired' : 'pending';
}

function text(value: unknown, what: string, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new UsageError(`${what} must be a string`);
  if (value.length > max) throw new UsageError(`${what} has ${value.length} characters, more than the ${max} allowed`, 'shorten it');
  return value;
}

/** An obtain URL: http or https only, so the owner is never pointed at a `javascript:` or `file:` address. */
function obtainUrl(value: string | undefined, what: string): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new UsageError(`${what} is not an http(s) URL`, 'give the page where the owner can obtain the value, e.g. https://dashboard.stripe.com/apikeys');
  }
  return value;
}

/**
 * Checks a request against the limits and rules (exit 2 with a message naming what is
 * wrong): 1 to 10 slots with distinct valid keys, a known type and a value only on a
 * set slot, texts within bounds, an obtain URL of http(s).
 */
export function checkProposalRequest(request: ProposalRequest): ProposalRequest {
  const message = text(request.message, 'the message', PROPOSAL_LIMITS.message);
  if (request.slots.length === 0) throw new UsageError('a proposal needs at least one slot', 'add --credential KEY[=description] or --delete KEY');
  if (request.slots.length > PROPOSAL_LIMITS.slots) {
    throw new UsageError(`a proposal has at most ${PROPOSAL_LIMITS.slots} slots, this one has ${request.slots.length}`, 'split it into several proposals');
  }
  const seen = new Set<string>();
  const slots = request.slots.map((slot, i): ProposalSlot => {
    const where = `slot ${i + 1}`;
    if (slot.action !== 'set' && slot.action !== 'delete') throw new UsageError(`${where}: action must be "set" or "delete"`);
    const key = checkCredentialKey(slot.key);
    if (seen.has(key)) throw new UsageError(`${where}: ${key} appears twice in the proposal`, 'name each credential once');
    seen.add(key);
    const checked: ProposalSlot = { action: slot.action, key };
    if (slot.type !== undefined) {
      if (slot.action === 'delete') throw new UsageError(`${where}: a delete slot takes no type`);
      checked.type = checkCredentialType(slot.type);
    }
    const description = text(slot.description, `${where}: the description`, PROPOSAL_LIMITS.text);
    const obtain = obtainUrl(text(slot.obtain, `${where}: the obtain URL`, PROPOSAL_LIMITS.text), `${where}: the obtain URL`);
    const instructions = text(slot.obtainInstructions, `${where}: the instructions`, PROPOSAL_LIMITS.text);
    if (description !== undefined) checked.description = description;
    if (obtain !== undefined) checked.obtain = obtain;
    if (instructions !== undefined) checked.obtainInstructions = instructions;
    if (slot.value !== undefined) {
      if (slot.action === 'delete') throw new UsageError(`${where}: a delete slot takes no value`);
      if (typeof slot.value !== 'string' || slot.value === '') throw new UsageError(`${where}: a value must be a non-empty string`);
      if (Buffer.byteLength(slot.value) > PROPOSAL_LIMITS.valueBytes) throw new UsageError(`${where}: the value is longer than ${PROPOSAL_LIMITS.valueBytes} bytes`);
      checked.value = slot.value;
    }
    return checked;
  });
  return { ...(message === undefined ? {} : { message }), slots };
}

const REQUEST_FIELDS = ['message', 'credentials'];
const SLOT_FIELDS = ['action', 'key', 'type', 'description', 'obtain', 'obtain_instructions', 'value'];

/**
 * Parses the JSON of `proposal create --json-stdin`:
 * `{"message", "credentials": [{"action", "key", "type", "description", "obtain", "obtain_instructions", "value"}]}`.
 * Unknown fields are refused, so a misspelt one is not silently dropped.
 */
export function parseProposalJson(textIn: string): ProposalRequest {
  let data: unknown;
  try {
    data = JSON.parse(textIn);
  } catch {
    throw new UsageError('--json-stdin: stdin is not valid JSON', 'give {"message": …, "credentials": [{"action": "set", "key": …}]}');
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new UsageError('--json-stdin: expected one JSON object');
  const d = data as Record<string, unknown>;
  const unknown = Object.keys(d).filter((k) => !REQUEST_FIELDS.includes(k));
  if (unknown.length > 0) throw new UsageError(`--json-stdin: unknown field ${JSON.stringify(unknown[0])}`, `the fields are ${REQUEST_FIELDS.join(', ')}`);
  if (!Array.isArray(d.credentials)) throw new UsageError('--json-stdin: "credentials" must be an array of slots');
  const slots = d.credentials.map((entry: unknown, i): ProposalSlot => {
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw new UsageError(`--json-stdin: credentials[${i}] is not an object`);
    const e = entry as Record<string, unknown>;
    const extra = Object.keys(e).filter((k) => !SLOT_FIELDS.includes(k));
    if (extra.length > 0) throw new UsageError(`--json-stdin: credentials[${i}] has an unknown field ${JSON.stringify(extra[0])}`, `the fields are ${SLOT_FIELDS.join(', ')}`);
    for (const field of SLOT_FIELDS) {
      if (e[field] !== undefined && typeof e[field] !== 'string') throw new UsageError(`--json-stdin: credentials[${i}].${field} must be a string`);
    }
    const action = e.action ?? 'set';
    if (action !== 'set' && action !== 'delete') throw new UsageError(`--json-stdin: credentials[${i}].action must be "set" or "delete"`);
    if (typeof e.key !== 'string') throw new UsageError(`--json-stdin: credentials[${i}] has no key`);
    return {
      action,
      key: e.key,
      ...(e.type === undefined ? {} : { type: e.type as CredentialType }),
      ...(e.description === undefined ? {} : { description: e.description as string }),
      ...(e.obtain === undefined ? {} : { obtain: e.obtain as string }),
      ...(e.obtain_instructions === undefined ? {} : { obtainInstructions: e.obtain_instructions as string }),
      ...(e.value === undefined ? {} : { value: e.value as string }),
    };
  });
  return { ...(d.message === undefined ? {} : { message: d.message as string }), slots };
}

/** What approving changed, one entry per slot. */
export interface AppliedSlot {
  action: 'set' | 'delete';
  key: string;
  /** For a set slot: whether the credential was new. */
  created?: boolean;
}

/** The set slots that still need a value from the owner: those without one of the agent's own. */
export function emptySlots(proposal: Proposal): ProposalSlot[] {
  return proposal.slots.filter((s) => s.action === 'set' && s.value === undefined);
}

/**
 * Applies every slot of an approved proposal to `payload`, with `values` from the owner
 * (by key; they override a value of the agent's own). A set slot with no value, a value
 * for a key the proposal does not set, or an empty value is exit 2; a delete of a
 * credential that is not there is exit 3. The caller writes the payload only if this
 * returns, so a proposal is applied whole or not at all.
 */
export function applyProposal(payload: VaultPayload, proposal: Proposal, values: Readonly<Record<string, string>>, now: string): AppliedSlot[] {
  const setKeys = new Set(proposal.slots.filter((s) => s.action === 'set').map((s) => s.key));
  const stray = Object.keys(values).filter((k) => !setKeys.has(k));
  if (stray.length > 0) throw new UsageError(`proposal ${proposal.id} sets no ${stray.join(', ')}`, `it sets ${[...setKeys].join(', ') || 'nothing'}`);
  const missing = proposal.slots.filter((s) => s.action === 'set' && (values[s.key] ?? s.value) === undefined).map((s) => s.key);
  if (missing.length > 0) throw new UsageError(`no value for ${missing.join(', ')}`, 'give every value: {"KEY": "value", …} on stdin with --json-stdin, or answer the prompts on a terminal');
  const empty = Object.entries(values).filter(([, v]) => v === '').map(([k]) => k);
  if (empty.length > 0) throw new UsageError(`the value for ${empty.join(', ')} is empty`);
  return proposal.slots.map((slot): AppliedSlot => {
    if (slot.action === 'delete') {
      removeCredential(payload, slot.key);
      return { action: 'delete', key: slot.key };
    }
    const value = values[slot.key] ?? slot.value!;
    if (payload.credentials.some((c) => c.key === slot.key) || slot.type === undefined) {
      return { action: 'set', key: slot.key, created: setMainSecret(payload, slot.key, value, now).created };
    }
    addCredential(payload, slot.key, slot.type, { fields: { [fieldsOf(slot.type)[0]!]: value } }, now);
    return { action: 'set', key: slot.key, created: true };
  });
}

/**
 * Parses the owner's values for `approve --json-stdin`: one JSON object of strings,
 * `{"KEY": "value", …}`.
 */
export function parseApprovalValues(textIn: string): Record<string, string> {
  let data: unknown;
  try {
    data = JSON.parse(textIn);
  } catch {
    throw new UsageError('--json-stdin: stdin is not valid JSON', 'give {"KEY": "value", …}');
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new UsageError('--json-stdin: expected one JSON object {"KEY": "value", …}');
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    checkCredentialKey(key);
    if (typeof value !== 'string') throw new UsageError(`--json-stdin: the value for ${key} must be a string`);
    values[key] = value;
  }
  return values;
}

/** Checks the shape of a proposal opened from its file; anything else is a bug or a forgery (exit 6 by the caller). */
export function isProposalShape(p: unknown): p is Proposal {
  const o = p as Partial<Proposal> | null;
  const str = (v: unknown): boolean => v === undefined || typeof v === 'string';
  const decision = (d: Partial<ProposalDecision> | undefined): boolean =>
    d === undefined || (!!d && typeof d === 'object' && ['applied', 'rejected', 'expired'].includes(d.outcome as string) && typeof d.at === 'string' && typeof d.by === 'string' && str(d.reason));
  return (
    !!o && typeof o === 'object' && o.v === PROPOSAL_FORMAT && typeof o.id === 'string' && typeof o.agent === 'string' &&
    typeof o.created === 'string' && typeof o.expires === 'string' && typeof o.by === 'string' && str(o.message) &&
    Array.isArray(o.slots) && o.slots.every((s: Partial<ProposalSlot>) =>
      !!s && typeof s === 'object' && (s.action === 'set' || s.action === 'delete') && typeof s.key === 'string' &&
      (s.type === undefined || (CREDENTIAL_TYPES as readonly string[]).includes(s.type)) &&
      str(s.description) && str(s.obtain) && str(s.obtainInstructions) && str(s.value)) &&
    decision(o.decision) && decision(o.deciding)
  );
}
