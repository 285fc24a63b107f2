/**
 * SIGKILL before, and ENOSPC at, every write point of `backup` (test/helpers/fault-harness.ts):
 * the backup file is there whole (it verifies) or not at all, never cut short, and the
 * store is untouched but for the audit line.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { expect } from 'vitest';
import { describeFaults } from '../helpers/fault-harness.js';
import type { TempStore } from '../helpers/in-process.js';

const identity = await generateIdentity();
const recipient = await identityToRecipient(identity);
const backupOf = (store: TempStore): string => join(store.root, 'store.age');

/** A backup left at the path must be whole: it decrypts and every part of it checks out. */
async function expectWholeOrNone(store: TempStore): Promise<void> {
  if (!existsSync(backupOf(store))) return;
  const key = join(store.root, 'key.txt');
  writeFileSync(key, `${identity}\n`, { mode: 0o600 });
  const verify = await store.run(['backup', 'verify', backupOf(store), '--identity', key]);
  expect(verify.code, verify.stderr).toBe(0);
}

describeFaults('backup', [
  {
    name: 'backup to a recipient',
    args: (store) => ['backup', backupOf(store), '--recipient', recipient],
    acknowledged: async (store) => {
      expect(existsSync(backupOf(store))).toBe(true);
      await expectWholeOrNone(store);
    },
    interrupted: expectWholeOrNone,
    // A backup killed after it was written whole, but before its audit line, is there already.
    again: [0, 2],
  },
]);
