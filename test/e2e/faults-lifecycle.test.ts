/**
 * SIGKILL before, and ENOSPC at, every write point of the commands that change the
 * store's shape: init, provision, deprovision (test/helpers/fault-harness.ts).
 */
import { expect } from 'vitest';
import { describeFaults, type FaultCase } from '../helpers/fault-harness.js';
import { CHEAP_KDF } from '../helpers/in-process.js';

const CASES: FaultCase[] = [
  { name: 'init', args: ['init', ...CHEAP_KDF], createsStore: true, again: [0, 2] },
  {
    name: 'provision',
    args: ['provision', 'newbie'],
    again: [0, 2],
    acknowledged: async (store) => expect((await store.owner(['status', 'newbie', '--json'])).stdout).toContain('"provisioned": true'),
  },
  { name: 'deprovision of a grantee', args: ['deprovision', 'reader', '--yes'], again: [0, 3] },
  { name: 'deprovision of a granter', args: ['deprovision', 'granter', '--yes'], again: [0, 3] },
];

describeFaults('the lifecycle commands', CASES);
