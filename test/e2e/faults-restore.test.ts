/**
 * SIGKILL before, and ENOSPC at, every write point of `restore` into an empty store
 * (test/helpers/fault-harness.ts): run again, the restore finishes what the first one
 * left (or says the store is already there), and the restored store verifies and opens.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { afterAll, expect } from 'vitest';
import { describeFaults } from '../helpers/fault-harness.js';
import { TempStore } from '../helpers/in-process.js';

const identity = await generateIdentity();
const source = new TempStore();
await source.init();
await source.provision('granter');
await source.provision('reader');
expect((await source.owner(['credential', 'set', 'API_KEY=-', '--agent', 'granter'], { input: 'granted-value' })).code).toBe(0);
expect((await source.owner(['grant', 'API_KEY', '--to', 'reader', '--agent', 'granter'])).code).toBe(0);
const files = mkdtempSync(join(tmpdir(), 'agent-vault-restore-'));
const backup = join(files, 'store.age');
const key = join(files, 'key.txt');
writeFileSync(key, `${identity}\n`, { mode: 0o600 });
const made = await source.owner(['backup', backup, '--recipient', await identityToRecipient(identity)]);
expect(made.code, made.stderr).toBe(0);
afterAll(() => source.cleanup());

describeFaults('restore', [
  {
    name: 'restore into an empty store',
    args: ['restore', backup, '--identity', key],
    createsStore: true,
    // A restore killed once its store file was written is complete: a second one finds it there.
    again: [0, 2],
  },
]);
