/**
 * The stable `code` of an MCP tool error, from the error the app/ function throws.
 * The errors are made by the real commands (in process, with the TestClock to let a
 * grant expire without waiting), so a change of their wording that would lose a code
 * fails here.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as errors from '../../src/core/errors.js';
import { toolErrorCode, type McpApp } from '../../src/cli/mcp/tools.js';
import { TempStore } from '../helpers/in-process.js';

const app = { errors } as unknown as McpApp;

/** The error a failed command reported in --json, rebuilt as the class its exit code names. */
function rebuilt(result: { code: number | null; stderr: string }): errors.VaultError {
  const { message } = (JSON.parse(result.stderr) as { error: { message: string } }).error;
  const byExit: Record<number, new (m: string) => errors.VaultError> = {
    2: errors.UsageError,
    3: errors.NotFoundError,
    4: errors.AuthError,
    5: errors.AccessDeniedError,
    6: errors.IntegrityError,
    7: errors.BusyError,
  };
  return new byExit[result.code!]!(message);
}

let store: TempStore;
beforeEach(async () => {
  store = new TempStore();
  await store.init();
});
afterEach(() => store.cleanup());

describe('MCP tool error codes', () => {
  it('expired for a grant past its expiry, access_denied for none, not_found for a missing key', async () => {
    await store.provision('one');
    const two = await store.provision('two');
    expect((await store.owner(['credential', 'set', 'SECRET=-', '-a', 'one'], { input: 'v' })).code).toBe(0);
    expect((await store.owner(['grant', 'SECRET', '--to', 'two', '--agent', 'one', '--expires', '30m'])).code).toBe(0);
    store.clock.advance(31 * 60_000);
    const expired = await store.agent(two, ['credential', 'get', 'SECRET', '--agent', 'one', '--json']);
    expect(expired.code).toBe(5);
    expect(toolErrorCode(app, rebuilt(expired))).toBe('expired');
    const none = await store.agent(two, ['credential', 'get', 'OTHER', '--agent', 'one', '--json']);
    expect(toolErrorCode(app, rebuilt(none))).toBe('access_denied');
    const missing = await store.agent(two, ['credential', 'get', 'NOPE', '--json']);
    expect(toolErrorCode(app, rebuilt(missing))).toBe('not_found');
  });

  it('busy, invalid_argument, integrity by exit code, and internal for anything not a VaultError', () => {
    expect(toolErrorCode(app, new errors.BusyError('locked'))).toBe('busy');
    expect(toolErrorCode(app, new errors.UsageError('bad'))).toBe('invalid_argument');
    expect(toolErrorCode(app, new errors.IntegrityError('tampered'))).toBe('integrity');
    expect(toolErrorCode(app, new errors.AuthError('token rotated'))).toBe('access_denied');
    expect(toolErrorCode(app, new TypeError('x'))).toBe('internal');
  });
});
