/**
 * SIGKILL before, and ENOSPC at, every write point of the commands that change the
 * store's keys: token rotate of a grantee and of a granter (test/helpers/fault-harness.ts).
 */
import { describeFaults, type FaultCase } from '../helpers/fault-harness.js';

const CASES: FaultCase[] = [
  { name: 'token rotate of a grantee', args: ['token', 'rotate', 'reader'] },
  { name: 'token rotate of a granter', args: ['token', 'rotate', 'granter'] },
];

describeFaults('token rotation', CASES);
