import { describe, expect, it } from 'vitest';
import { NotFoundError, UsageError } from '../../../src/core/errors.js';
import { applyProposal, checkProposalRequest, isProposalShape, proposalStatus, type Proposal } from '../../../src/core/proposal.js';
import { emptyPayload, setMainSecret, type VaultPayload } from '../../../src/core/vault.js';

const NOW = new Date('2025-01-02T00:00:00.000Z');
const PROPOSAL: Proposal = {
  v: 1,
  id: 'abcdefgh2345',
  agent: 'bot',
  created: '2025-01-01T00:00:00.000Z',
  expires: '2025-01-08T00:00:00.000Z',
  by: 'agent:bot',
  slots: [{ action: 'set', key: 'NEW_KEY', type: 'secure_note' }, { action: 'set', key: 'OLD_KEY' }, { action: 'set', key: 'OWN', value: 'agent-made' }, { action: 'delete', key: 'GONE' }],
};

function payload(): VaultPayload {
  const p = emptyPayload('bot', 'pk', 'osk', 'ak');
  setMainSecret(p, 'OLD_KEY', 'old', NOW.toISOString());
  setMainSecret(p, 'GONE', 'bye', NOW.toISOString());
  return p;
}

describe('proposal status', () => {
  const decided = { id: PROPOSAL.id, outcome: 'applied' as const, expires: PROPOSAL.expires };
  const decision = { outcome: 'applied' as const, at: NOW.toISOString(), by: 'owner' };

  it('is pending until its expiry, then expired', () => {
    expect(proposalStatus(PROPOSAL, undefined, NOW)).toBe('pending');
    expect(proposalStatus(PROPOSAL, undefined, new Date(PROPOSAL.expires))).toBe('expired');
  });

  it("follows the vault's record over the file, and calls a pending file the vault records as decided a replay", () => {
    expect(proposalStatus({ ...PROPOSAL, deciding: decision }, decided, NOW)).toBe('applied');
    expect(proposalStatus({ ...PROPOSAL, decision }, decided, NOW)).toBe('applied');
    expect(proposalStatus(PROPOSAL, decided, NOW)).toBe('replayed');
    expect(proposalStatus(PROPOSAL, { ...decided, outcome: 'rejected' }, NOW)).toBe('replayed');
  });

  it('ignores a decision under way that the vault never recorded (a crash before the vault write)', () => {
    expect(proposalStatus({ ...PROPOSAL, deciding: decision }, undefined, NOW)).toBe('pending');
  });

  it('takes the decision of the file once the record is gone with the expiry', () => {
    expect(proposalStatus({ ...PROPOSAL, decision }, undefined, new Date('2025-02-01T00:00:00.000Z'))).toBe('applied');
  });
});

describe('applyProposal', () => {
  it('sets, creates with the slot type, uses the agent value, and deletes, all in the payload', () => {
    const p = payload();
    const applied = applyProposal(p, PROPOSAL, { NEW_KEY: 'note', OLD_KEY: 'new' }, NOW.toISOString());
    expect(applied).toEqual([
      { action: 'set', key: 'NEW_KEY', created: true },
      { action: 'set', key: 'OLD_KEY', created: false },
      { action: 'set', key: 'OWN', created: true },
      { action: 'delete', key: 'GONE' },
    ]);
    expect(p.credentials.map((c) => [c.key, c.type, Object.values(c.fields)[0]])).toEqual([
      ['OLD_KEY', 'api_key', 'new'],
      ['NEW_KEY', 'secure_note', 'note'],
      ['OWN', 'api_key', 'agent-made'],
    ]);
  });

  it.each([
    ['a missing value', { NEW_KEY: 'x' }, UsageError],
    ['a value for no slot', { NEW_KEY: 'x', OLD_KEY: 'y', GONE: 'z' }, UsageError],
    ['an empty value', { NEW_KEY: '', OLD_KEY: 'y' }, UsageError],
  ])('refuses %s', (_what, values, error) => {
    expect(() => applyProposal(payload(), PROPOSAL, values, NOW.toISOString())).toThrow(error);
  });

  it('refuses a delete of a credential that is not there', () => {
    const p = payload();
    p.credentials = p.credentials.filter((c) => c.key !== 'GONE');
    expect(() => applyProposal(p, PROPOSAL, { NEW_KEY: 'x', OLD_KEY: 'y' }, NOW.toISOString())).toThrow(NotFoundError);
  });
});

describe('checkProposalRequest', () => {
  it('accepts 10 slots and a 2000-character message, not 11 or 2001', () => {
    const slots = (n: number) => Array.from({ length: n }, (_, i) => ({ action: 'set' as const, key: `KEY_${i}` }));
    expect(checkProposalRequest({ message: 'x'.repeat(2000), slots: slots(10) }).slots).toHaveLength(10);
    expect(() => checkProposalRequest({ slots: slots(11) })).toThrow('at most 10 slots');
    expect(() => checkProposalRequest({ message: 'x'.repeat(2001), slots: slots(1) })).toThrow('2001 characters');
  });

  it('keeps only the fields it knows', () => {
    const checked = checkProposalRequest({ slots: [{ action: 'set', key: 'A_KEY', description: 'd', extra: 1 } as never] });
    expect(checked.slots[0]).toEqual({ action: 'set', key: 'A_KEY', description: 'd' });
  });
});

describe('isProposalShape', () => {
  it('accepts a proposal and refuses one with a slot of an unknown type or action', () => {
    expect(isProposalShape(PROPOSAL)).toBe(true);
    expect(isProposalShape({ ...PROPOSAL, slots: [{ action: 'set', key: 'A', type: 'rocket' }] })).toBe(false);
    expect(isProposalShape({ ...PROPOSAL, slots: [{ action: 'move', key: 'A' }] })).toBe(false);
    expect(isProposalShape({ ...PROPOSAL, decision: { outcome: 'maybe', at: 'x', by: 'y' } })).toBe(false);
    expect(isProposalShape(null)).toBe(false);
  });
});
