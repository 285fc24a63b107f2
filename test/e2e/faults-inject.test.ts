/**
 * SIGKILL before, and ENOSPC at, every write point of `inject -o` (test/helpers/fault-harness.ts):
 * the output file is whole (every reference resolved) or not there, and with --force the
 * old file stays whole until the new one replaces it; never a file cut short, never a
 * temporary file left with a value in it under a guessable name, never a mode but 0600.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { describeFaults } from '../helpers/fault-harness.js';
import type { TempStore } from '../helpers/in-process.js';

const RENDERED = 'key: granted-value\nother: other-value\n';
const OLD = 'old: contents\n';
const outOf = (store: TempStore): string => join(store.root, 'config.yml');

function templateIn(store: TempStore): string {
  const template = join(store.root, 'config.tpl');
  writeFileSync(template, 'key: {{ av://granter/API_KEY }}\nother: {{av://granter/OTHER}}\n');
  return template;
}

function expectOutput(store: TempStore, allowed: Array<string | undefined>): void {
  const out = outOf(store);
  const contents = existsSync(out) ? readFileSync(out, 'utf8') : undefined;
  expect(allowed).toContain(contents);
  if (contents === RENDERED) expect(statSync(out).mode & 0o777).toBe(0o600);
}

describeFaults('inject', [
  {
    name: 'inject -o a new file',
    args: (store) => ['inject', '-i', templateIn(store), '-o', outOf(store)],
    acknowledged: async (store) => expectOutput(store, [RENDERED]),
    interrupted: async (store) => expectOutput(store, [undefined, RENDERED]),
    // A run killed after the file was linked into place finds it there the second time.
    again: [0, 2],
  },
  {
    name: 'inject -o --force over an old file',
    args: (store) => {
      if (!existsSync(outOf(store))) writeFileSync(outOf(store), OLD, { mode: 0o600 });
      return ['inject', '-i', templateIn(store), '-o', outOf(store), '--force'];
    },
    acknowledged: async (store) => {
      expectOutput(store, [RENDERED]);
      expect(readdirSync(store.root).filter((n) => n.startsWith('.config.yml'))).toEqual([]);
    },
    interrupted: async (store) => expectOutput(store, [OLD, RENDERED]),
  },
]);
