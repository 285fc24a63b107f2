/**
 * SIGKILL before, and ENOSPC at, every write point of the commands that only read but
 * record what they read: their audit line (test/helpers/fault-harness.ts). A read that
 * cannot record fails closed: it prints nothing.
 */
import { describeFaults, type FaultCase } from '../helpers/fault-harness.js';

const CASES: FaultCase[] = [
  { name: 'credential get by the owner', args: ['credential', 'get', 'OTHER', '--agent', 'granter'] },
  { name: 'credential get through a grant', args: ['credential', 'get', 'API_KEY', '--agent', 'granter'], as: 'reader' },
  { name: 'credential list', args: ['credential', 'list', '--agent', 'granter'] },
  { name: 'totp', args: ['totp', 'SITE', '--agent', 'granter'] },
  { name: 'exec', args: ['exec', '--only', 'OTHER', '--agent', 'granter', '--', 'true'] },
  { name: 'grant list', args: ['grant', 'list'] },
  { name: 'a wrong passphrase', args: ['credential', 'get', 'OTHER', '--agent', 'granter', '--passphrase-file', '/dev/null'], status: 4, again: [4] },
];

describeFaults('the reading commands', CASES);
