/**
 * SIGKILL before, and ENOSPC at, every write point of the commands that only read but
 * record what they read: their audit line (test/helpers/fault-harness.ts). A read that
 * cannot record fails closed: it prints nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveFaults, prepareStore, type FaultCase, type Prepared } from '../helpers/fault-harness.js';

const CASES: FaultCase[] = [
  { name: 'credential get by the owner', args: ['credential', 'get', 'OTHER', '--agent', 'granter'] },
  { name: 'credential get through a grant', args: ['credential', 'get', 'API_KEY', '--agent', 'granter'], as: 'reader' },
  { name: 'credential list', args: ['credential', 'list', '--agent', 'granter'] },
  { name: 'totp', args: ['totp', 'SITE', '--agent', 'granter'] },
  { name: 'exec', args: ['exec', '--only', 'OTHER', '--agent', 'granter', '--', 'true'] },
  { name: 'grant list', args: ['grant', 'list'] },
  { name: 'a wrong passphrase', args: ['credential', 'get', 'OTHER', '--agent', 'granter', '--passphrase-file', '/dev/null'], status: 4, again: [4] },
];

describe('reads under SIGKILL and ENOSPC at every write point of their audit line', () => {
  let prepared: Prepared;
  let cleanup: () => void;
  let pairs = 0;
  beforeAll(async () => {
    ({ prepared, cleanup } = await prepareStore());
  });
  afterAll(() => {
    cleanup();
    console.log(`fault harness: ${pairs} (command, point, fault) runs over the reading commands`);
  });

  // Hundreds of spawned runs each: minutes on a loaded 2-core machine, not the default minute.
  it.each(CASES)('$name', async (c) => {
    expect(c.args.length).toBeGreaterThan(0);
    pairs += (await driveFaults(prepared, c, ['kill', 'enospc'])).pairs;
  }, 600_000);
});
