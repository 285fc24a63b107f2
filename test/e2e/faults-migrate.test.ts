/**
 * SIGKILL before, and ENOSPC at, every write point of `store migrate` into an empty
 * directory store (test/helpers/fault-harness.ts): run again, the migration finishes
 * what the first one left (or finds the copy already whole: exit 2), and the copy
 * verifies and opens. The PostgreSQL side of a cut-off write is test/postgres/.
 */
import { afterAll, expect } from 'vitest';
import { describeFaults } from '../helpers/fault-harness.js';
import { TempStore } from '../helpers/in-process.js';

const source = new TempStore({ backend: 'directory' });
await source.init();
await source.provision('granter');
await source.provision('reader');
expect((await source.owner(['credential', 'set', 'API_KEY=-', '--agent', 'granter'], { input: 'granted-value' })).code).toBe(0);
expect((await source.owner(['grant', 'API_KEY', '--to', 'reader', '--agent', 'granter'])).code).toBe(0);
afterAll(() => source.cleanup());

describeFaults('store migrate', [
  {
    name: 'store migrate into an empty directory store',
    args: (store) => ['store', 'migrate', '--from', source.dir, '--to', store.dir],
    createsStore: true,
    // Killed once its store file was written, the copy is whole: a second run finds it there.
    again: [0, 2],
  },
]);
