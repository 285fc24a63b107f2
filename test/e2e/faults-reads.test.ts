/**
 * SIGKILL before, and ENOSPC at, every write point of the commands that only read but
 * record what they read: their audit line (test/helpers/fault-harness.ts). A read that
 * cannot record fails closed: it prints nothing.
 */
import { expect } from 'vitest';
import { describeFaults, type FaultCase } from '../helpers/fault-harness.js';

/** A read that could not record its audit line printed nothing: not the value, not a code. */
const printsNothing = async (_store: unknown, run: { stdout: string }): Promise<void> => {
  expect(run.stdout).toBe('');
};

const READS: FaultCase[] = [
  { name: 'credential get by the owner', args: ['credential', 'get', 'OTHER', '--agent', 'granter'] },
  { name: 'credential get through a grant', args: ['credential', 'get', 'API_KEY', '--agent', 'granter'], as: 'reader' },
  { name: 'credential get of a granted key by its key alone (the fast path)', args: ['credential', 'get', 'API_KEY'], as: 'reader' },
  { name: 'credential get by the agent (the fast path)', args: ['credential', 'get', 'OTHER'], as: 'granter' },
  { name: 'credential list', args: ['credential', 'list', '--agent', 'granter'] },
  { name: 'credential list by the agent (the fast path)', args: ['credential', 'list'], as: 'granter' },
  { name: 'totp', args: ['totp', 'SITE', '--agent', 'granter'] },
  { name: 'totp by the agent (the fast path)', args: ['totp', 'SITE'], as: 'granter' },
  { name: 'read', args: ['read', 'av://granter/OTHER'] },
  { name: 'inject to stdout', args: ['inject'], input: 'x={{ av://granter/OTHER }}\n' },
  { name: 'exec', args: ['exec', '--only', 'OTHER', '--agent', 'granter', '--', 'true'] },
  { name: 'grant list', args: ['grant', 'list'] },
];

const CASES: FaultCase[] = [
  ...READS.map((c) => ({ ...c, interrupted: printsNothing })),
  { name: 'a wrong passphrase', args: ['credential', 'get', 'OTHER', '--agent', 'granter', '--passphrase-file', '/dev/null'], status: 4, again: [4] },
];

describeFaults('the reading commands', CASES);
