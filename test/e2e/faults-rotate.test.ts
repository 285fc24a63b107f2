/**
 * SIGKILL before, and ENOSPC at, every write point of the commands that change the
 * store's keys: token rotate of a grantee and of a granter (test/helpers/fault-harness.ts).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { driveFaults, prepareStore, type FaultCase, type Prepared } from '../helpers/fault-harness.js';

const CASES: FaultCase[] = [
  { name: 'token rotate of a grantee', args: ['token', 'rotate', 'reader'] },
  { name: 'token rotate of a granter', args: ['token', 'rotate', 'granter'] },
];

describe('token rotation under SIGKILL and ENOSPC at every write point', () => {
  let prepared: Prepared;
  let cleanup: () => void;
  let pairs = 0;
  beforeAll(async () => {
    ({ prepared, cleanup } = await prepareStore());
  });
  afterAll(() => {
    cleanup();
    console.log(`fault harness: ${pairs} (command, point, fault) runs over token rotation`);
  });

  // Hundreds of spawned runs each: minutes on a loaded 2-core machine, not the default minute.
  it.each(CASES)('$name', async (c) => {
    const { pairs: driven } = await driveFaults(c.createsStore ? { dir: '', tokens: {} } : prepared, c, ['kill', 'enospc']);
    pairs += driven;
  }, 600_000);
});
