/**
 * SIGKILL before, and ENOSPC at, every write point of the commands that change a
 * vault's credentials or grants (test/helpers/fault-harness.ts).
 */
import { expect } from 'vitest';
import { describeFaults, type FaultCase } from '../helpers/fault-harness.js';

const value = (key: string, expected: string): FaultCase['acknowledged'] => async (store) =>
  expect((await store.owner(['credential', 'get', key, '--agent', 'granter'])).stdout).toBe(`${expected}\n`);

/** The keys of the granter's `credential.set` lines for the batch's keys, in log order. */
const batchLines = async (store: Parameters<NonNullable<FaultCase['settled']>>[0]): Promise<string[]> => {
  const audit = await store.owner(['audit', '--json', '--agent', 'granter', '--action', 'credential.set']);
  expect(audit.code, audit.stderr).toBe(0);
  return (JSON.parse(audit.stdout) as Array<{ key: string }>).map((e) => e.key).filter((k) => k.startsWith('BATCH_'));
};
const BATCH = ['BATCH_A', 'BATCH_B', 'BATCH_C'];

const CASES: FaultCase[] = [
  {
    // One append of three lines: a failed run left all of them or none (a write torn by a full disk is cut back);
    // a run killed mid-write may have left a prefix, its last line torn (the harness checks verify reports just that line).
    name: 'credential set of three keys',
    args: ['credential', 'set', ...BATCH.map((k) => `${k}=v-${k}`), '--agent', 'granter'],
    acknowledged: async (store) => expect(await batchLines(store)).toEqual(BATCH),
    interrupted: async (store, run) => {
      const kept = await batchLines(store);
      if (run.signal === 'SIGKILL') expect(BATCH.map((_, n) => BATCH.slice(0, n)).concat([BATCH])).toContainEqual(kept);
      else expect([[], BATCH]).toContainEqual(kept);
    },
  },
  { name: 'credential set of a granted key', args: ['credential', 'set', 'API_KEY=-', '--agent', 'granter'], input: 'new-value', acknowledged: value('API_KEY', 'new-value') },
  { name: 'credential set by the agent', args: ['credential', 'set', 'OWN=-'], input: 'own-value', as: 'reader' },
  { name: 'credential add', args: ['credential', 'add', 'NOTE', '--type', 'secure_note', '--notes-stdin', '--agent', 'granter'], input: 'note', again: [0, 2], acknowledged: value('NOTE', 'note') },
  { name: 'credential update', args: ['credential', 'update', 'API_KEY', '--name', 'renamed', '--agent', 'granter'] },
  { name: 'credential delete of a granted key', args: ['credential', 'delete', 'API_KEY', '--yes', '--agent', 'granter'], again: [0, 3] },
  { name: 'generate --save', args: ['generate', '--save', 'GENERATED', '--agent', 'granter'] },
  { name: 'grant', args: ['grant', 'OTHER', '--to', 'reader', '--agent', 'granter'] },
  { name: 'grant revoke', args: ['grant', 'revoke', 'API_KEY', '--to', 'reader', '--agent', 'granter'], again: [0, 3] },
];

describeFaults('the credential and grant commands', CASES);
