/**
 * What exec refuses to put in a child's environment, before the child starts: a
 * variable that changes how programs are found, loaded or started (unless the caller
 * names it with --allow-env, and never from a grant), and a value no environment can
 * hold (a NUL byte, a string over the kernel's limit, a whole environment over it).
 * Whether the child ran is read from a file it would have written.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/in-process.js';

let store: TempStore;
let bot1: string;
let marker: string;
/** A child that leaves `marker` behind, holding the variable `name` it was given. */
const child = (name: string): string[] => ['sh', '-c', `printf %s "\${${name}-unset}" > "$0"`, marker];

beforeEach(async () => {
  store = new TempStore();
  await store.init();
  bot1 = await store.provision('bot1');
  await store.provision('bot2');
  marker = join(store.root, 'child-ran');
  await store.owner(['credential', 'set', 'API_KEY=-', '--agent', 'bot1'], { input: 'api-value' });
});
afterEach(() => store.cleanup());

describe('a protected variable', () => {
  beforeEach(async () => {
    await store.agent(bot1, ['credential', 'set', 'BASH_ENV=-'], { input: '/tmp/planted.sh' });
  });

  it("from the caller's own vault is exit 2 naming the key, the variable and --allow-env, and nothing runs", async () => {
    const result = await store.agent(bot1, ['exec', '--', ...child('BASH_ENV')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: credential BASH_ENV of agent bot1 would set BASH_ENV, which changes how programs are found, loaded or started');
    expect(result.stderr).toMatch(/hint: .*--allow-env BASH_ENV/);
    expect(existsSync(marker)).toBe(false);
  });

  it('is set when the caller names it with --allow-env, or under another name with --prefix', async () => {
    expect((await store.agent(bot1, ['exec', '--allow-env', 'BASH_ENV', '--', ...child('BASH_ENV')])).code).toBe(0);
    expect(existsSync(marker)).toBe(true);
    expect((await store.agent(bot1, ['exec', '--prefix', 'APP_', '--', ...child('APP_BASH_ENV')])).code).toBe(0);
  });

  it("from a granter is refused even with --allow-env, whichever way it is asked for", async () => {
    await store.owner(['credential', 'set', 'LD_PRELOAD=-', '--agent', 'bot2'], { input: '/tmp/evil.so' });
    expect((await store.owner(['grant', 'LD_PRELOAD', '--to', 'bot1', '--agent', 'bot2'])).code).toBe(0);
    const envFile = join(store.root, 'refs.env');
    writeFileSync(envFile, 'LD_PRELOAD=av://bot2/LD_PRELOAD\n');
    for (const args of [
      ['exec', '--agent', 'bot2', '--allow-env', 'LD_PRELOAD', '--allow-env', 'BASH_ENV'],
      ['exec', '--agent', 'bot2', '--only', 'LD_PRELOAD', '--allow-env', 'LD_PRELOAD'],
      ['exec', '--env-file', envFile, '--allow-env', 'LD_PRELOAD'],
    ]) {
      const result = await store.agent(bot1, [...args, '--', ...child('LD_PRELOAD')]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('credential LD_PRELOAD granted by agent bot2 would set LD_PRELOAD');
      expect(result.stderr).toMatch(/hint: a granted credential never sets LD_PRELOAD, even with --allow-env/);
    }
    expect(existsSync(marker)).toBe(false);
    // The value itself is harmless under a name of the grantee's choosing.
    writeFileSync(envFile, 'PRELOAD_PATH=av://bot2/LD_PRELOAD\n');
    expect((await store.agent(bot1, ['exec', '--env-file', envFile, '--', ...child('PRELOAD_PATH')])).code).toBe(0);
  });

  it('is recognised by prefix and without regard to case, for the owner too', async () => {
    await store.owner(['credential', 'set', 'AGENT_VAULT_TOKEN=-', '--agent', 'bot1'], { input: 'avt_bot2_planted' });
    const owner = await store.owner(['exec', '--agent', 'bot1', '--only', 'AGENT_VAULT_TOKEN', '--', 'true']);
    expect(owner.code).toBe(2);
    expect(owner.stderr).toContain('would set AGENT_VAULT_TOKEN');
    const envFile = join(store.root, 'refs.env');
    writeFileSync(envFile, 'https_proxy=av://bot1/API_KEY\n');
    const lower = await store.agent(bot1, ['exec', '--env-file', envFile, '--', 'true']);
    expect(lower.code).toBe(2);
    expect(lower.stderr).toContain('would set https_proxy');
    expect(lower.stderr).toMatch(/hint: .*leave out line 1 of the env file/);
  });

  it('--allow-env takes a variable name', async () => {
    const result = await store.agent(bot1, ['exec', '--allow-env', 'NOT-A-NAME', '--', 'true']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid variable name "NOT-A-NAME"');
  });
});

describe('a value no environment can hold', () => {
  it('with a NUL byte is exit 2 naming the key and --only, never the value, debug output included', async () => {
    await store.agent(bot1, ['credential', 'set', 'WITH_NUL=-'], { input: 'nul-secret-9e1\0after' });
    const result = await store.agent(bot1, ['exec', '--', ...child('API_KEY')], { env: { AGENT_VAULT_DEBUG: '1' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: credential WITH_NUL of agent bot1 holds a NUL byte');
    expect(result.stderr).toMatch(/hint: leave it out with --only/);
    expect(result.stderr).not.toContain('nul-secret');
    expect(existsSync(marker)).toBe(false);
    expect((await store.agent(bot1, ['exec', '--only', 'API_KEY', '--', ...child('API_KEY')])).code).toBe(0);
    expect(existsSync(marker)).toBe(true);
  });

  it("over the kernel's limit for one variable is exit 2 naming the key; at the limit it is set", async () => {
    // HUGE=<value> and its NUL: 131072 bytes is the most the kernel takes for one string.
    await store.agent(bot1, ['credential', 'set', 'HUGE=-'], { input: 'x'.repeat(131072 - 6) });
    expect((await store.agent(bot1, ['exec', '--', ...child('API_KEY')])).code).toBe(0);
    expect(existsSync(marker)).toBe(true);
    rmSync(marker);
    await store.agent(bot1, ['credential', 'set', 'HUGE=-'], { input: 'x'.repeat(131072 - 5) });
    const result = await store.agent(bot1, ['exec', '--', ...child('API_KEY')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error: credential HUGE of agent bot1 is too long for an environment variable: HUGE would take 131073 bytes, over the kernel's limit of 131072");
    expect(existsSync(marker)).toBe(false);
  });

  it("that makes the whole environment too large is exit 2 naming the largest, and is audited as not started", async () => {
    // 60 variables of 120 KiB: over any Linux limit (a quarter of the stack limit, at most 6 MiB).
    const big = 'y'.repeat(120 * 1024);
    const pairs = Array.from({ length: 60 }, (_, i) => `BIG_${i}=${big}`);
    expect((await store.agent(bot1, ['credential', 'set', ...pairs])).code).toBe(0);
    const result = await store.agent(bot1, ['exec', '--', ...child('API_KEY')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: the environment is too large to start sh: the injected variables take \d+ KiB, the largest BIG_\d+ \(121 KiB\)/);
    expect(result.stderr).toMatch(/hint: leave some out with --only/);
    expect(existsSync(marker)).toBe(false);
    const audit = await store.agent(bot1, ['audit', '--action', 'exec.run', '--json']);
    expect(JSON.parse(audit.stdout)).toMatchObject([{ program: 'sh', result: 'error', reason: 'environment too large' }]);
  });
});
