/**
 * exec in process: the cases whose child writes nothing, or writes through `--mask`
 * (which copies its output through our streams). Without `--mask` the child inherits
 * the real stdio, so what it prints is read in the spawned tests of test/e2e/exec.test.ts.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore, type RunResult } from '../helpers/in-process.js';

const VALUE = 'exec-value-5b7d1';
const PASSWORD = 'login-password-c0ffee';
const GRANTED = 'granted-value-77aa1';

describe('exec', () => {
  let store: TempStore;
  let bot1: string;

  beforeEach(async () => {
    store = new TempStore();
    await store.init();
    bot1 = await store.provision('bot1');
    await store.provision('bot2');
    await store.owner(['credential', 'set', 'API_KEY=-', '--agent', 'bot1'], { input: VALUE });
    await store.owner(['credential', 'add', 'GITHUB', '--type', 'login', '--username', 'bot', '--password-stdin', '--agent', 'bot1'], { input: PASSWORD });
    await store.owner(['credential', 'set', 'SHARED=-', '--agent', 'bot2'], { input: GRANTED });
    await store.owner(['grant', 'SHARED', '--to', 'bot1', '--agent', 'bot2']);
  });
  afterEach(() => store.cleanup());

  it('masks every injected value in stdout and stderr with --mask', async () => {
    const result = await store.agent(bot1, ['exec', '--mask', '--', 'sh', '-c', 'echo "key=$API_KEY"; echo "pw=$GITHUB_PASSWORD" >&2']);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe('key=****');
    expect(result.stderr).toBe('pw=****\n');
    expect(result.stdout).not.toContain(VALUE);
  });

  it("returns the child's exit code, and 127 for a missing program", async () => {
    expect((await store.agent(bot1, ['exec', '--', 'sh', '-c', 'exit 7'])).code).toBe(7);
    expect((await store.agent(bot1, ['exec', '--mask', '--', 'sh', '-c', 'exit 9'])).code).toBe(9);
    const missing = await store.agent(bot1, ['exec', '--', 'no-such-program-av']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain('command not found: no-such-program-av');
    const runs = readFileSync(join(store.dir, 'vaults', 'bot1.audit.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('exec.run'))
      .map((l) => JSON.parse(l) as { program: string; result: string; reason?: string });
    expect(runs.at(-1)).toMatchObject({ program: 'no-such-program-av', result: 'error', reason: 'command not found' });
    expect(runs.at(-2)).toMatchObject({ program: 'sh', result: 'ok' });
  });

  it('refuses a missing command or a stray argument before -- (exit 2)', async () => {
    expect((await store.agent(bot1, ['exec'])).code).toBe(2);
    expect((await store.agent(bot1, ['exec', 'env'])).code).toBe(2);
    const typo = await store.agent(bot1, ['exec', '--onyl', 'API_KEY', '--', 'env']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown option --onyl');
  });

  describe('--env-file', () => {
    it('starts the child while a granted reference is live, and nothing once its grant expired, with no waiting', async () => {
      expect((await store.owner(['grant', 'SHARED', '--to', 'bot1', '--agent', 'bot2', '--expires', '10m'])).code).toBe(0);
      const file = join(store.root, 'refs.env');
      writeFileSync(file, 'SHARED_VALUE=av://bot2/SHARED\n');
      const marker = join(store.root, 'started');
      const args = ['exec', '--env-file', file, '--', 'sh', '-c', `test "$SHARED_VALUE" = "${GRANTED}" && touch ${marker}`];
      store.clock.advance(9 * 60_000);
      expect((await store.agent(bot1, args)).code).toBe(0);
      expect(existsSync(marker)).toBe(true);
      rmSync(marker);
      store.clock.advance(2 * 60_000);
      const expired = await store.agent(bot1, args);
      expect(expired.code).toBe(5);
      expect(expired.stderr).toContain('has expired');
      expect(existsSync(marker)).toBe(false);
    });

    it('sets plain dotenv lines (quotes, export, comments, multi-line) beside references, and nothing else of the vault', async () => {
      const file = join(store.root, 'mixed.env');
      writeFileSync(file, '# settings\nexport PORT=8080 # comment\nGREETING="hello world"\nCERT="one\ntwo"\nSHARED_VALUE=av://bot2/SHARED\n');
      expect((await store.owner(['grant', 'SHARED', '--to', 'bot1', '--agent', 'bot2'])).code).toBe(0);
      const out = join(store.root, 'env.out');
      const result = await store.agent(bot1, ['exec', '--env-file', file, '--', 'sh', '-c', `printf '%s|%s|%s|%s|%s' "$PORT" "$GREETING" "$CERT" "$SHARED_VALUE" "\${API_KEY-unset}" > ${out}`]);
      expect(result.code).toBe(0);
      expect(readFileSync(out, 'utf8')).toBe(`8080|hello world|one\ntwo|${GRANTED}|unset`);
    });

    it('masks the values of references with --mask, not the plain values beside them', async () => {
      const file = join(store.root, 'masked.env');
      writeFileSync(file, 'GREETING=visible-plain-value\nKEY=av://bot1/API_KEY\n');
      const result = await store.agent(bot1, ['exec', '--env-file', file, '--mask', '--', 'sh', '-c', 'echo "$GREETING $KEY"']);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe('visible-plain-value ****\n');
    });

    it('rejects a malformed line with its number, and starts nothing when a reference does not resolve', async () => {
      const marker = join(store.root, 'started');
      const run = async (text: string): Promise<RunResult> => {
        const file = join(store.root, 'refs.env');
        writeFileSync(file, text);
        return store.agent(bot1, ['exec', '--env-file', file, '--', 'sh', '-c', `touch ${marker}`]);
      };
      for (const bad of ['B plain-secret-text', 'B="plain-secret-text', 'B=av://bot1/plain-secret-text']) {
        const malformed = await run(`A=av://bot1/API_KEY\n${bad}\n`);
        expect(malformed.code).toBe(2);
        expect(malformed.stderr).toContain('line 2');
        expect(malformed.stderr).not.toContain('plain-secret-text');
      }
      const protectedName = await run('A=av://bot1/API_KEY\nLD_PRELOAD=/tmp/evil.so\n');
      expect(protectedName.code).toBe(2);
      expect(protectedName.stderr).toContain('line 2 of the env file would set LD_PRELOAD');
      expect((await run('A=av://bot1/API_KEY\nB=av://bot1/MISSING\n')).code).toBe(3);
      expect((await run('A=av://bot1/API_KEY\nB=av://bot1/GITHUB/cvv\n')).code).toBe(2);
      expect((await run('A=av://bot1/API_KEY\nB=av://bot2/NOT_GRANTED\n')).code).toBe(5);
      await store.owner(['credential', 'update', 'GITHUB', '--totp-stdin', '--agent', 'bot1'], { input: 'JBSWY3DPEHPK3PXP' });
      const seed = await run('A=av://bot1/API_KEY\nOTP=av://bot1/GITHUB/totp\n');
      expect(seed.code).toBe(2);
      expect(seed.stderr).toContain('line 2');
      expect(seed.stderr).not.toContain('JBSWY3DPEHPK3PXP');
      expect(existsSync(marker)).toBe(false);
    });
  });
});
