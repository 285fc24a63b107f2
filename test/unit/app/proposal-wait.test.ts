/**
 * `waitForProposal` (behind `proposal wait`, `proposal create --wait` and the API's
 * waitForProposal) blocks while the proposal is pending and returns with the decision
 * made meanwhile. Its pause between reads is injected here, and the owner decides from
 * inside the third pause: so the wait has read "pending" three times and no decision
 * was there before it began waiting; no time passes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSession } from '../../../src/app/open-session.js';
import { approveProposal, createProposal, rejectProposal, waitForProposal } from '../../../src/app/proposals.js';
import { readCredential } from '../../../src/app/credentials.js';
import { ProposalClosedError } from '../../../src/core/proposal.js';
import { PASSPHRASE, TempStore } from '../../helpers/in-process.js';

describe('waiting for a proposal', () => {
  let store: TempStore;
  let token: string;
  beforeEach(async () => {
    ({ store, token } = await TempStore.withAgent());
  });
  afterEach(() => store.cleanup());

  /** Creates a proposal as bot and waits for it, deciding with `decide` in the third pause; the pauses the wait took. */
  async function waitDecidingLater(decide: (id: string) => Promise<unknown>): Promise<{ waited: Promise<unknown>; pauses: () => number; id: string }> {
    const agent = await openSession({ store: store.dir, token });
    const { id } = await createProposal(agent, 'bot', { slots: [{ action: 'set', key: 'A_KEY', description: 'a key' }] });
    let pauses = 0;
    const sleep = async (): Promise<void> => {
      pauses += 1;
      if (pauses === 3) await decide(id);
    };
    return { waited: waitForProposal(agent, 'bot', id, { sleep }), pauses: () => pauses, id };
  }

  it('keeps reading while pending, and returns once the owner approved', async () => {
    const owner = await openSession({ store: store.dir, passphrase: PASSPHRASE });
    const { waited, pauses, id } = await waitDecidingLater((id) => approveProposal(owner, 'bot', id, { A_KEY: 'approved-value' }));
    await expect(waited).resolves.toMatchObject({ id });
    expect(pauses()).toBe(3);
    expect((await readCredential(await openSession({ store: store.dir, token }), 'bot', 'A_KEY')).fields.value).toBe('approved-value');
  });

  it('keeps reading while pending, and fails with the rejection once the owner rejected', async () => {
    const owner = await openSession({ store: store.dir, passphrase: PASSPHRASE });
    const { waited, pauses } = await waitDecidingLater((id) => rejectProposal(owner, 'bot', id, 'not now'));
    await expect(waited).rejects.toBeInstanceOf(ProposalClosedError);
    await expect(waited).rejects.toThrow('rejected: not now');
    expect(pauses()).toBe(3);
  });
});
