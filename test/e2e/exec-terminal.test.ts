import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, TempStore } from '../helpers/cli.js';
import { KEY, runInPty } from '../helpers/pty.js';
import { skipWithout } from '../helpers/tools.js';

describe('exec at the edges of a pipeline and a terminal', () => {
  let store: TempStore;
  let token: string;
  beforeAll(async () => {
    ({ store, token } = await TempStore.withAgent());
    await store.owner(['credential', 'set', 'API_KEY=-', '--agent', 'bot'], { input: 'the-api-key' });
  });
  afterAll(() => store.cleanup());

  it.skipIf(skipWithout('bash'))('--mask output into a reader that closes early neither crashes nor hangs', () => {
    const script = `"${process.execPath}" "${BIN}" exec --mask -- sh -c 'exec yes "$API_KEY"' | head -2; echo "status=\${PIPESTATUS[0]}"`;
    const result = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 20_000, env: { ...store.env, PATH: process.env.PATH, AGENT_VAULT_TOKEN: token } });
    expect(result.error).toBeUndefined();
    // The child may complain about its closed pipe (as `yes` does); agent-vault must not.
    expect(result.stderr).not.toMatch(/    at |node:internal|Node\.js v|^error:/m);
    expect(result.stdout).toMatch(/^\*\*\*\*\n\*\*\*\*\nstatus=\d+\n$/);
  });

  // The pty helper is a Python script.
  it.skipIf(skipWithout('python3'))('Ctrl-C on a terminal reaches the child once, not twice', () => {
    const child = 'n=0; trap \'n=$((n+1)); echo "got INT $n"\' INT; echo ready; i=0; while [ $i -lt 30 ]; do sleep 0.1; i=$((i+1)); done; echo done';
    const result = runInPty(['exec', '--', 'sh', '-c', child], [{ expect: 'ready' }, { sleep: 0.3 }, { send: KEY.ctrlC }, { expect: 'done' }], { ...store.env, AGENT_VAULT_TOKEN: token });
    expect(result.timeout).toBe(false);
    expect(result.output).toContain('got INT 1');
    expect(result.output).not.toContain('got INT 2');
    expect(result.code).toBe(0);
  });
});
