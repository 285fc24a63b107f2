/**
 * SIGKILL before, and ENOSPC at, every write point of the writes of a few credentials
 * in a vault of two full blocks (test/helpers/fault-harness.ts), where a write keeps a
 * block as the bytes of the file it read, re-encodes another and starts a new one
 * (man/agent-vault.5 WRITING): a run leaves the old vault or the new one, whole (the
 * harness's status opens every block and the listing).
 */
import { expect } from 'vitest';
import { describeFaults, type FaultCase } from '../helpers/fault-harness.js';
import type { TempStore } from '../helpers/in-process.js';

const k = (i: number): string => `K_${String(i).padStart(3, '0')}`;

/** Every key of the granter's vault reads, the list equals the full read and holds `present` and not `absent`. */
async function expectVault(store: TempStore, present: string[], absent: string[]): Promise<void> {
  const full = JSON.parse((await store.owner(['credential', 'list', '--reveal', '--json', '--agent', 'granter'])).stdout) as Array<{ key: string }>;
  const listed = JSON.parse((await store.owner(['credential', 'list', '--json', '--agent', 'granter'])).stdout) as Array<{ key: string }>;
  expect(listed.map((c) => c.key)).toEqual(full.map((c) => c.key));
  for (const key of present) expect(full.map((c) => c.key)).toContain(key);
  for (const key of absent) expect(full.map((c) => c.key)).not.toContain(key);
  for (const i of [0, 63, 64, 124]) expect((await store.owner(['credential', 'get', k(i), '--agent', 'granter'])).stdout).toBe(`v-${i}\n`);
}

const CASES: FaultCase[] = [
  { name: 'credential set of a new key after a full last block', args: ['credential', 'set', 'NEW=-', '--agent', 'granter'], input: 'new-value', acknowledged: (store) => expectVault(store, ['NEW'], []) },
  { name: 'credential delete of a key of the first block', args: ['credential', 'delete', k(10), '--yes', '--agent', 'granter'], again: [0, 3], acknowledged: (store) => expectVault(store, [], [k(10)]) },
  { name: 'credential copy of a key of the second block', args: ['credential', 'copy', k(100), 'COPIED', '--agent', 'granter'], again: [0, 2], acknowledged: (store) => expectVault(store, ['COPIED'], []) },
];

describeFaults('writes of a few credentials in a vault of two full blocks', CASES, async (store) => {
  // With the three of every prepared store: 128 credentials, two full blocks.
  const pairs = Array.from({ length: 125 }, (_, i) => `${k(i)}=v-${i}`);
  expect((await store.owner(['credential', 'set', ...pairs, '--agent', 'granter'])).code).toBe(0);
});
