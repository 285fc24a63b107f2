/**
 * What an agent's vault payload keeps about its proposals: the random keys that seal
 * them, and which were decided. Kept in the vault because the vault is authenticated
 * and only the agent and the owner open it; a proposal file alone can be put back by
 * anyone who can write the store. Pure.
 */
import { IntegrityError } from './errors.js';

/** How a proposal was decided, as the vault records it. */
export type ProposalOutcome = 'applied' | 'rejected';

/** One decided proposal, kept until its expiry passes (a copy put back after that is expired anyway). */
export interface DecidedProposal {
  id: string;
  outcome: ProposalOutcome;
  /** The proposal's own expiry, after which this record may go. */
  expires: string;
}

/** The proposal section of a vault payload. */
export interface ProposalState {
  /**
   * The random 32-byte proposal keys (base64), oldest first; new proposals are sealed
   * with the newest. Random rather than derived from the vault key, because `token
   * rotate` replaces the vault key and pending proposals must still open after it.
   */
  keys: string[];
  /**
   * How many audit key epochs the vault had when the newest key was drawn. A vault
   * with more has had its token rotated since: the next proposal draws a new key, so a
   * leaked old token cannot open proposals made after the rotation.
   */
  epoch: number;
  decided: DecidedProposal[];
  /**
   * The proposals that existed when the newest key was drawn, sealed with older keys:
   * the only ones an older key may open. A holder of a rotated-away token still knows
   * the older keys, and must not be able to slip in a proposal under one of them.
   */
  legacy?: string[];
}

/** Checks the shape of a payload's proposal section, so a bug cannot silently drop a decision. */
export function checkProposalState(state: unknown, agent: string): ProposalState {
  const s = state as Partial<ProposalState> | null;
  const decidedOk = (d: Partial<DecidedProposal> | null): boolean =>
    !!d && typeof d === 'object' && typeof d.id === 'string' && (d.outcome === 'applied' || d.outcome === 'rejected') && typeof d.expires === 'string';
  if (!s || typeof s !== 'object' || !Array.isArray(s.keys) || s.keys.length === 0 || !s.keys.every((k) => typeof k === 'string') ||
    !Number.isSafeInteger(s.epoch) || !Array.isArray(s.decided) || !s.decided.every(decidedOk) ||
    (s.legacy !== undefined && (!Array.isArray(s.legacy) || !s.legacy.every((id) => typeof id === 'string')))) {
    throw new IntegrityError(`vault payload of agent ${agent} has a malformed proposal section`);
  }
  return s as ProposalState;
}
