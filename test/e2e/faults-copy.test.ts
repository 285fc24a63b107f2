/**
 * SIGKILL before, and ENOSPC at, every write point of `credential copy`
 * (test/helpers/fault-harness.ts): within a vault, into another, and over a granted key.
 */
import { expect } from 'vitest';
import { describeFaults, type FaultCase } from '../helpers/fault-harness.js';

const copied = (agent: string, key: string): FaultCase['acknowledged'] => async (store) => {
  const json = JSON.parse((await store.owner(['credential', 'get', key, '--agent', agent, '--json', '--reveal'])).stdout) as { fields: Record<string, string> };
  expect(json.fields).toMatchObject({ username: 'u', totp: expect.stringContaining('JBSWY3DPEHPK3PXP') });
};

const CASES: FaultCase[] = [
  { name: 'credential copy within a vault', args: ['credential', 'copy', 'SITE', 'SITE_COPY', '--agent', 'granter'], again: [0, 2], acknowledged: copied('granter', 'SITE_COPY') },
  { name: 'credential copy --to-agent', args: ['credential', 'copy', 'SITE', 'SITE', '--agent', 'granter', '--to-agent', 'reader'], again: [0, 2], acknowledged: copied('reader', 'SITE') },
  {
    name: 'credential copy --force over a granted key',
    args: ['credential', 'copy', 'OTHER', 'API_KEY', '--force', '--agent', 'granter'],
    acknowledged: async (store, prepared) => {
      const granted = await store.agent(prepared.tokens.reader!, ['credential', 'get', 'API_KEY', '--agent', 'granter']);
      expect([0, 5], granted.stderr).toContain(granted.code);
      if (granted.code === 0) expect(granted.stdout).toBe('other-value\n');
    },
  },
];

describeFaults('credential copy', CASES);
