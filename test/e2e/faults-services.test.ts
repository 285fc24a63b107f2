/**
 * SIGKILL before, and ENOSPC at, every write point of `service add` and `service remove`
 * (test/helpers/fault-harness.ts): a vault whose service was being changed still opens,
 * its log verifies, and the command run again succeeds.
 */
import { expect } from 'vitest';
import { describeFaults, type FaultCase } from '../helpers/fault-harness.js';

const serviceNames = (names: string[]): FaultCase['acknowledged'] => async (store) => {
  const listed = await store.owner(['service', 'list', '--agent', 'granter', '--json']);
  expect((JSON.parse(listed.stdout) as Array<{ name: string }>).map((s) => s.name)).toEqual(names);
};

const CASES: FaultCase[] = [
  {
    name: 'service add',
    args: ['service', 'add', 'api', '--agent', 'granter', '--host', 'api.example.com', '--credential', 'OTHER', '--auth', 'bearer'],
    acknowledged: serviceNames(['api', 'existing']),
  },
  { name: 'service remove', args: ['service', 'remove', 'existing', '--agent', 'granter'], again: [0, 3], acknowledged: serviceNames([]) },
];

describeFaults('the service commands', CASES, async (store) => {
  const added = await store.owner(['service', 'add', 'existing', '--agent', 'granter', '--host', '*.example.org', '--credential', 'API_KEY', '--auth', 'header:X-Api-Key']);
  expect(added.code, added.stderr).toBe(0);
});
