import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openVault } from '../../src/index.js';
import { BIN, PASSPHRASE, TempStore } from '../helpers/cli.js';

describe('a reader that closes early', () => {
  let store: TempStore;
  beforeAll(async () => {
    ({ store } = await TempStore.withAgent());
    // Far more output than a pipe buffers, so writes go on after the reader is gone.
    const values = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`KEY_${i}`, `value-${i}-${'x'.repeat(40)}`]));
    await openVault({ store: store.dir, passphrase: PASSPHRASE, agent: 'bot', env: {} }).set(values);
  });
  afterAll(() => store.cleanup());

  it.each([['credential', 'list', '--reveal'], ['audit'], ['help']])('does not crash agent-vault %s', (...args) => {
    // `head -c 1` exits after one byte; later writes meet a closed pipe (EPIPE).
    const script = `"${process.execPath}" "${BIN}" ${args.join(' ')} | head -c 1 >/dev/null; echo "status=\${PIPESTATUS[0]}"`;
    const result = spawnSync('bash', ['-c', script], {
      encoding: 'utf8',
      env: { ...store.env, PATH: process.env.PATH, AGENT_VAULT_PASSPHRASE_FILE: store.passphraseFile, AGENT_VAULT_AGENT: 'bot' },
    });
    expect(result.stderr).not.toMatch(/EPIPE|Error|    at /);
    expect(result.stdout).toBe('status=0\n');
  });
});
