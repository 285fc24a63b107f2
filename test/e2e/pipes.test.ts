import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';

describe('a reader that closes early', () => {
  it.each([['help'], ['help', 'environment'], ['generate', '--words', '6']])('does not crash agent-vault %s', (...args) => {
    // `head -c 1` exits after one byte; further writes meet a closed pipe (EPIPE).
    const script = `"${process.execPath}" "${BIN}" ${args.join(' ')} | head -c 1 >/dev/null; echo "status=\${PIPESTATUS[0]}"`;
    const result = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
    expect(result.stderr).not.toMatch(/EPIPE|Error|    at /);
    expect(result.stdout).toBe('status=0\n');
  });
});
