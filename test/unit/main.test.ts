/**
 * The error printer of src/main.ts: what AGENT_VAULT_DEBUG=1 adds for an unexpected
 * error never includes the error's message, which may quote a secret.
 */
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { debugDetails } from '../../src/cli/report-error.js';
import { TempStore } from '../helpers/in-process.js';

const SECRET = 'debug-secret-4f1e';

describe('debugDetails', () => {
  it("leaves out the message of spawn's error for a NUL byte, which quotes the value", () => {
    let thrown: unknown;
    try {
      spawn('true', [], { env: { VALUE: `${SECRET}\0tail` } });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toContain(SECRET);
    const details = debugDetails(thrown as Error);
    expect(details).not.toContain(SECRET);
    expect(details).toMatch(/^TypeError, code ERR_INVALID_ARG_VALUE\n/);
    expect(details).toMatch(/\n {4}at .+:\d+:\d+\)?(\n|$)/);
  });

  it('drops a message line made to look like a stack frame, and does the same for the cause', () => {
    const err = new Error(`bad input\n    at ${SECRET} (x.js:1:2)`, { cause: Object.assign(new Error(`quoted ${SECRET}`), { code: 'EIO', syscall: 'read' }) });
    const details = debugDetails(err);
    expect(details).not.toContain(SECRET);
    expect(details).toContain('caused by: Error, code EIO, syscall read');
  });
});

describe('AGENT_VAULT_DEBUG=1 through main', () => {
  let store: TempStore;
  beforeEach(async () => {
    store = new TempStore();
    await store.init();
  });
  afterEach(() => store.cleanup());

  it('prints the frames of an unexpected error, never its message', async () => {
    const bot = await store.provision('bot');
    // Only in process can an environment hold a NUL byte: spawn then throws, quoting it.
    const result = await store.agent(bot, ['exec', '--', 'true'], { env: { AGENT_VAULT_DEBUG: '1', OTHER: `${SECRET}\0tail` } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: unexpected TypeError\n/);
    expect(result.stderr).toMatch(/\n {4}at /);
    expect(result.stderr).not.toContain(SECRET);
  });
});
