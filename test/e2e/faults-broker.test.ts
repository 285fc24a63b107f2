/**
 * SIGKILL before, and ENOSPC at, every write point of `http` (its `broker.request` audit
 * line), against a local HTTPS echo server: the log still verifies, every vault opens,
 * and the command run again succeeds.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { EchoServer, TEST_CA_FILE } from '../helpers/echo-server.js';
import { describeFaults, type FaultCase } from '../helpers/fault-harness.js';

const server = new EchoServer();
beforeAll(async () => {
  await server.start();
});
afterAll(() => server.stop());

const CASES: FaultCase[] = [
  {
    name: 'http through a service',
    args: () => ['http', `https://127.0.0.1:${server.port}/faults`, '--upstream-ca', TEST_CA_FILE],
    as: 'granter',
  },
];

describeFaults('the broker', CASES, async (store) => {
  const added = await store.owner(['service', 'add', 'echo', '--agent', 'granter', '--host', `127.0.0.1:${server.port}`, '--credential', 'OTHER', '--auth', 'bearer', '--allow-private']);
  expect(added.code, added.stderr).toBe(0);
});
