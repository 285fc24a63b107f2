/**
 * SIGKILL before, and ENOSPC at, every write point of the proposal commands
 * (test/helpers/fault-harness.ts): creating (the first of a vault, which draws its
 * proposal key, and a later one; by an agent and by the owner), approving (set slots,
 * one of them a granted credential whose grant is re-sealed, and a delete), rejecting,
 * noticing an expiry, and a token rotation (which draws a new proposal key). An
 * approval is applied whole or not at all; a pending proposal survives the rotation.
 */
import { expect } from 'vitest';
import { describeFaults, type FaultCase } from '../helpers/fault-harness.js';
import { TempStore as InProcessStore } from '../helpers/in-process.js';

const DAY = 86_400_000;

/** A pending proposal of granter's, and an expired one of reader's, made in the prepared store. */
const ids = { pending: '', expired: '' };

const value = async (store: InProcessStore, key: string): Promise<string | undefined> => {
  const result = await store.owner(['credential', 'get', key, '--agent', 'granter']);
  return result.code === 0 ? result.stdout : undefined;
};
const status = async (store: InProcessStore, id: string): Promise<string> => (JSON.parse((await store.owner(['proposal', 'show', id, '--json'])).stdout) as { status: string }).status;
const applied = async (store: InProcessStore): Promise<void> => {
  expect({ api: await value(store, 'API_KEY'), other: await value(store, 'OTHER'), own: await value(store, 'OWN'), status: await status(store, ids.pending) }).toEqual({
    api: 'new-value\n',
    other: undefined,
    own: 'agent-made\n',
    status: 'applied',
  });
};
const wholeOrNothing = async (store: InProcessStore): Promise<void> => {
  const state = { api: await value(store, 'API_KEY'), other: await value(store, 'OTHER'), own: await value(store, 'OWN'), status: await status(store, ids.pending) };
  const before = { api: 'granted-value\n', other: 'other-value\n', own: undefined, status: 'pending' };
  const after = { api: 'new-value\n', other: undefined, own: 'agent-made\n', status: 'applied' };
  expect([before, after]).toContainEqual(state);
};

const CASES: FaultCase[] = [
  { name: 'proposal create, the first of a vault', as: 'bystander', args: ['proposal', 'create', '--credential', 'WANTED=a key', '-m', 'please'] },
  { name: 'proposal create by an agent', as: 'reader', args: ['proposal', 'create', '--credential', 'WANTED', '--obtain', 'https://example.com/keys'] },
  { name: 'proposal create by the owner', args: ['proposal', 'create', '--agent', 'granter', '--credential', 'WANTED'] },
  {
    name: 'proposal approve',
    args: () => ['proposal', 'approve', ids.pending, '--json-stdin', '--yes'],
    input: JSON.stringify({ API_KEY: 'new-value' }),
    again: [0, 2],
    acknowledged: applied,
    interrupted: wholeOrNothing,
  },
  {
    name: 'proposal reject',
    args: () => ['proposal', 'reject', ids.pending, '--reason', 'no'],
    again: [0, 2],
    acknowledged: async (store) => expect(await status(store, ids.pending)).toBe('rejected'),
    interrupted: async (store) => expect(['pending', 'rejected']).toContain(await status(store, ids.pending)),
  },
  {
    name: 'token rotate of an agent with a pending proposal',
    args: ['token', 'rotate', 'granter'],
    acknowledged: async (store) => expect(await status(store, ids.pending)).toBe('pending'),
    interrupted: async (store) => expect(await status(store, ids.pending)).toBe('pending'),
  },
  {
    name: 'proposal list noticing an expiry',
    as: 'reader',
    args: ['proposal', 'list'],
    acknowledged: async (store) => expect(await status(store, ids.expired)).toBe('expired'),
  },
];

describeFaults('the proposal commands', CASES, async (store, tokens) => {
  const created = await store.agent(tokens.granter!, ['proposal', 'create', '--json-stdin'], {
    input: JSON.stringify({ message: 'rotate and tidy', credentials: [{ key: 'API_KEY' }, { key: 'OTHER', action: 'delete' }, { key: 'OWN', value: 'agent-made' }] }),
  });
  expect(created.code, created.stderr).toBe(0);
  ids.pending = created.stdout.trim();
  // Made two days ago by the store's clock, with a day to live.
  store.clock.advance(-2 * DAY);
  const old = await store.agent(tokens.reader!, ['proposal', 'create', '--credential', 'LATE', '--ttl', '1d']);
  expect(old.code, old.stderr).toBe(0);
  ids.expired = old.stdout.trim();
});
