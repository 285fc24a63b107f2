/**
 * SIGKILL before, and ENOSPC at, every write point of `credential edit`
 * (test/helpers/fault-harness.ts): the editor's private file, then the one vault write
 * of the change, on a granted credential so its grant is sealed again too.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { describeFaults, type FaultCase } from '../helpers/fault-harness.js';

const scratch = mkdtempSync(join(tmpdir(), 'agent-vault-edit-faults-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const runtime = join(scratch, 'runtime');
mkdirSync(runtime, { mode: 0o700 });
const editor = join(scratch, 'editor.sh');
writeFileSync(editor, `#!/bin/sh\nsed -i -e 's/^value: .*/value: edited-value/' -e 's/^name:.*/name: edited/' "$1"\n`);
chmodSync(editor, 0o700);

const CASES: FaultCase[] = [
  {
    name: 'credential edit of a granted key',
    args: ['credential', 'edit', 'API_KEY', '--agent', 'granter'],
    env: { EDITOR: editor, XDG_RUNTIME_DIR: runtime },
    acknowledged: async (store) => {
      expect((await store.owner(['credential', 'get', 'API_KEY', '--agent', 'granter'])).stdout).toBe('edited-value\n');
    },
    // A run that was stopped changed nothing, or all of it: either way the vault says one of the two.
    interrupted: async (store) => {
      expect(['granted-value\n', 'edited-value\n']).toContain((await store.owner(['credential', 'get', 'API_KEY', '--agent', 'granter'])).stdout);
    },
  },
];

describeFaults('credential edit', CASES);
