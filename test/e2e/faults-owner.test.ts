/**
 * SIGKILL before, and ENOSPC at, every write point of the owner's lifecycle
 * (test/helpers/fault-harness.ts): passwd leaves a store exactly one of the two
 * passphrases opens, whole, and a second run finishes it; rekey and rekey --tokens
 * leave every vault openable, the next owner command finishing the rekey; unlock and
 * lock leave a store that verifies. Tokens and hooks keep working through a rekey without --tokens.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import { describeFaults, type FaultCase, type Prepared } from '../helpers/fault-harness.js';
import { PASSPHRASE, type TempStore } from '../helpers/in-process.js';

const NEW_PASSPHRASE = 'tomato kiwi raven ocean violin 77';

/** Every agent's token still opens its vault, and the grant still reads. */
async function tokensWork(store: TempStore, prepared: Prepared): Promise<void> {
  for (const [agent, token] of Object.entries(prepared.tokens)) expect((await store.agent(token, ['credential', 'list'])).code, agent).toBe(0);
  expect(await store.agent(prepared.tokens.reader!, ['credential', 'get', 'API_KEY', '--agent', 'granter'])).toMatchObject({ code: 0, stdout: 'granted-value\n' });
}

const CASES: FaultCase[] = [
  {
    name: 'passwd',
    args: ['passwd', '--new-passphrase-stdin'],
    input: NEW_PASSPHRASE,
    passphrases: [NEW_PASSPHRASE],
    acknowledged: async (store) => {
      expect((await store.run(['credential', 'list', '-a', 'granter'], { env: { AGENT_VAULT_PASSPHRASE: PASSPHRASE } })).code).toBe(4);
      expect((await store.run(['credential', 'get', 'API_KEY', '-a', 'granter'], { env: { AGENT_VAULT_PASSPHRASE: NEW_PASSPHRASE } })).stdout).toBe('granted-value\n');
    },
  },
  {
    name: 'rekey',
    args: ['rekey'],
    acknowledged: async (store, prepared) => {
      await tokensWork(store, prepared);
      // The hooks and their cursor moved to the new root key with everything else.
      expect((await store.owner(['hook', 'list'])).code).toBe(0);
      expect((await store.owner(['hook', 'run'])).code).toBe(0);
    },
    interrupted: async (store) => {
      // Before any owner command finishes the rekey, the store's values are all there.
      expect((await store.owner(['credential', 'get', 'OTHER', '-a', 'granter'])).stdout).toBe('other-value\n');
    },
  },
  // Over 300 write points (a rekey, then three token rotations): every 8th, from a random offset.
  { name: 'rekey --tokens', args: ['rekey', '--tokens', '--json'], stride: 8 },
  { name: 'unlock', args: (store) => ['unlock', '--session-dir', join(store.root, 'sessions')] },
  { name: 'lock', args: (store) => ['lock', '--session-dir', join(store.root, 'sessions')] },
];

// A hook and its cursor, which rekey seals anew.
describeFaults('the owner lifecycle', CASES, async (store) => {
  expect((await store.owner(['hook', 'add', '--event', 'access.denied', '--exec', 'true'])).code).toBe(0);
  expect((await store.owner(['hook', 'run'])).code).toBe(0);
});
