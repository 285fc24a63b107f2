/**
 * SIGKILL before, and ENOSPC at, every write point of the credential lifecycle's
 * commands: rotate (generated, from stdin, after a command), restore, due --notify, and
 * the hook commands whose cursor makes delivery exactly-once-after-acknowledgement
 * (test/helpers/fault-harness.ts). The harness's prepared store gets a second version of
 * API_KEY, a rotation policy, an exec hook and an event for it first.
 */
import { existsSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { describeFaults, type FaultCase, type Prepared } from '../helpers/fault-harness.js';
import { TempStore as InProcessStore } from '../helpers/in-process.js';

/** The hook the prepared store has, for `hook remove`. */
let hookId = '';

const read = async (store: InProcessStore, key: string): Promise<string> => (await store.owner(['credential', 'get', key, '--agent', 'granter'])).stdout;

/** How often each delivery id reached the hook, which appends it to a file beside the store. */
function deliveryCounts(store: InProcessStore): Record<string, number> {
  const file = `${store.dir}.deliveries`;
  const counts: Record<string, number> = {};
  for (const id of existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []) counts[id] = (counts[id] ?? 0) + 1;
  return counts;
}

/** The grantee reads what the owner reads: a rotation never leaves a grant behind. */
const grantInStep = async (store: InProcessStore, prepared: Prepared): Promise<void> => {
  const granted = await store.agent(prepared.tokens.reader!, ['credential', 'get', 'API_KEY', '--agent', 'granter']);
  expect([0, 5], granted.stderr).toContain(granted.code);
  if (granted.code === 0) expect(granted.stdout).toBe(await read(store, 'API_KEY'));
};

/** An interrupted change left the old value or the new one, whole. */
const oneOf = (values: string[]): FaultCase['interrupted'] => async (store) => {
  expect(values).toContain(await read(store, 'API_KEY'));
};

const CASES: FaultCase[] = [
  { name: 'credential rotate, generated', args: ['credential', 'rotate', 'API_KEY', '--agent', 'granter'], acknowledged: grantInStep },
  {
    name: 'credential rotate --value-stdin',
    args: ['credential', 'rotate', 'API_KEY', '--value-stdin', '--agent', 'granter'],
    input: 'rotated-value',
    acknowledged: async (store, prepared) => {
      expect(await read(store, 'API_KEY')).toBe('rotated-value\n');
      await grantInStep(store, prepared);
    },
    interrupted: oneOf(['second-value\n', 'rotated-value\n']),
  },
  { name: 'credential rotate -- CMD', args: ['credential', 'rotate', 'API_KEY', '--agent', 'granter', '--', 'true'], acknowledged: grantInStep },
  {
    name: 'credential restore',
    args: ['credential', 'restore', 'API_KEY', '1', '--agent', 'granter'],
    acknowledged: async (store) => expect(await read(store, 'API_KEY')).toBe('granted-value\n'),
    interrupted: oneOf(['second-value\n', 'granted-value\n']),
  },
  { name: 'credential due --notify', args: ['credential', 'due', '--notify'] },
  { name: 'hook add', args: ['hook', 'add', '--event', 'access.denied', '--exec', 'true'] },
  {
    // SPEC: a delivery is made at least once, and never again once acknowledged.
    name: 'hook run',
    args: ['hook', 'run'],
    // An acknowledged run delivered the bystander's denied read, once; an interrupted one at most once.
    acknowledged: async (store) => {
      const counts = Object.values(deliveryCounts(store));
      expect(counts.length).toBeGreaterThan(0);
      expect(counts.every((n) => n === 1)).toBe(true);
    },
    interrupted: async (store) => expect(Object.values(deliveryCounts(store)).every((n) => n === 1)).toBe(true),
    // After the second run every event was delivered, and at most once more than the first run acknowledged.
    settled: async (store) => {
      const counts = Object.values(deliveryCounts(store));
      expect(counts.length).toBeGreaterThan(0);
      expect(counts.every((n) => n >= 1 && n <= 2)).toBe(true);
    },
  },
];

describeFaults('the credential lifecycle commands', [...CASES, { name: 'hook remove', args: () => ['hook', 'remove', hookId], again: [0, 3] }], async (store, tokens) => {
  expect((await store.owner(['credential', 'set', 'API_KEY=-', '--agent', 'granter'], { input: 'second-value' })).code).toBe(0);
  expect((await store.owner(['credential', 'update', 'OTHER', '--rotate-every', '1s', '--agent', 'granter'])).code).toBe(0);
  const added = await store.owner(['hook', 'add', '--event', 'access.denied,credential.rotated', '--exec', 'cat > /dev/null; printf "%s\\n" "$AGENT_VAULT_DELIVERY" >> "$AGENT_VAULT_HOME.deliveries"', '--json']);
  expect(added.code, added.stderr).toBe(0);
  hookId = (JSON.parse(added.stdout) as { id: string }).id;
  expect((await store.agent(tokens.bystander!, ['credential', 'get', 'OTHER', '--agent', 'granter'])).code).toBe(5);
});
