/**
 * Under a pseudo-terminal (script(1)): the passphrase typed at the masked prompt unlocks
 * the vault and is never echoed; a value typed at `credential set KEY` is masked too.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, PASSPHRASE, TempStore } from '../helpers/cli.js';
import { skipWithout } from '../helpers/tools.js';

/** Runs the CLI under a pty, typing each answer once its prompt has appeared. */
function underPty(store: TempStore, args: string[], answers: Array<[RegExp, string]>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const command = [process.execPath, BIN, ...args].join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: { PATH: process.env.PATH, TERM: 'dumb', ...store.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let next = 0;
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const answer = answers[next];
      if (answer && answer[0].test(output)) {
        next += 1;
        child.stdin.write(`${answer[1]}\r`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code, output });
    });
  });
}

describe.skipIf(skipWithout('script'))('on a terminal', () => {
  let store: TempStore;
  beforeAll(async () => {
    ({ store } = await TempStore.withAgent());
    expect((await store.owner(['credential', 'set', 'KEY=-', '-a', 'bot'], { input: 'tty-secret-value' })).code).toBe(0);
  });
  afterAll(() => store.cleanup());

  it('the passphrase typed at the masked prompt unlocks the vault and is not echoed', async () => {
    const result = await underPty(store, ['credential', 'get', 'KEY', '-a', 'bot'], [[/Owner passphrase/, PASSPHRASE]]);
    expect(result.code).toBe(0);
    expect(result.output).toContain('tty-secret-value');
    expect(result.output).not.toContain(PASSPHRASE);
    expect(result.output).not.toContain('horse');
  });

  it('a wrong passphrase typed at the prompt three times is exit 4', async () => {
    const result = await underPty(store, ['credential', 'get', 'KEY', '-a', 'bot'], [
      [/Owner passphrase/, 'not the passphrase'],
      // Each answer once the next prompt is up: typed earlier, the terminal would echo it.
      [/2 more tries\)[\s\S]*Owner passphrase/, 'not the passphrase'],
      [/1 more try\)[\s\S]*Owner passphrase/, 'not the passphrase'],
    ]);
    expect(result.code).toBe(4);
    expect(result.output).not.toContain('tty-secret-value');
    expect(result.output).not.toContain('not the passphrase');
  });

  it('credential set KEY asks for the value masked', async () => {
    const result = await underPty(store, ['credential', 'set', 'TYPED', '-a', 'bot'], [
      [/Value of TYPED/, 'typed-secret-value'],
      [/Owner passphrase/, PASSPHRASE],
    ]);
    expect(result.code).toBe(0);
    expect(result.output).not.toContain('typed-secret-value');
    expect(await store.owner(['credential', 'get', 'TYPED', '-a', 'bot'])).toMatchObject({ code: 0, stdout: 'typed-secret-value\n' });
  });
});
