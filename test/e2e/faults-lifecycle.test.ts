/**
 * SIGKILL before, and ENOSPC at, every write point of the commands that change the
 * store's shape: init, provision, deprovision (test/helpers/fault-harness.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driveFaults, prepareStore, type FaultCase, type Prepared } from '../helpers/fault-harness.js';
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

describe('lifecycle commands under SIGKILL and ENOSPC at every write point', () => {
  let prepared: Prepared;
  let cleanup: () => void;
  let pairs = 0;
  beforeAll(async () => {
    ({ prepared, cleanup } = await prepareStore());
  });
  afterAll(() => {
    cleanup();
    console.log(`fault harness: ${pairs} (command, point, fault) runs over the lifecycle commands`);
  });

  // Hundreds of spawned runs each: minutes on a loaded 2-core machine, not the default minute.
  it.each(CASES)('$name', async (c) => {
    const { pairs: driven } = await driveFaults(c.createsStore ? { dir: '', tokens: {} } : prepared, c, ['kill', 'enospc']);
    pairs += driven;
  }, 600_000);
});
