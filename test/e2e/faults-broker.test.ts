/**
 * SIGKILL before, and ENOSPC at, every write point of `http` (its `broker.request` audit
 * line), against a local HTTPS echo server: the log still verifies, every vault opens,
 * and the command run again succeeds.
 */
import { addEchoService, useEchoServer } from '../helpers/broker.js';
import { TEST_CA_FILE } from '../helpers/echo-server.js';
import { describeFaults, type FaultCase } from '../helpers/fault-harness.js';

const server = useEchoServer();

const CASES: FaultCase[] = [
  {
    name: 'http through a service',
    args: () => ['http', `https://127.0.0.1:${server.port}/faults`, '--upstream-ca', TEST_CA_FILE],
    as: 'granter',
  },
];

describeFaults('the broker', CASES, (store) => addEchoService(store, server, { agent: 'granter', credential: 'OTHER' }));
