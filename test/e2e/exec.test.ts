/**
 * exec as a process: what the child prints (it inherits the real stdout and stderr
 * unless --mask), signals forwarded to it, and command lines read from /proc. The
 * cases that read no child output run in process, in test/cli/exec.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, PASSPHRASE, TempStore, type RunResult } from '../helpers/cli.js';

const VALUE = 'exec-value-5b7d1';
const PASSWORD = 'login-password-c0ffee';
const GRANTED = 'granted-value-77aa1';

/** Every process's command line, read from /proc. */
function allCommandLines(): string {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`).toString('utf8');
      } catch {
        return '';
      }
    })
    .join('\n');
}

/** Starts the CLI, calls `whenReady` once the child printed "ready", and waits for the end. */
async function runUntilReady(store: TempStore, env: NodeJS.ProcessEnv, args: string[], whenReady: (pid: number) => void): Promise<RunResult> {
  const running = store.start(args, { env });
  await running.waitFor('ready', { stream: 'stdout' });
  whenReady(running.child.pid!);
  return running.done;
}

function envNames(output: string): string[] {
  return output
    .split('\n')
    .filter(Boolean)
    .map((line) => line.slice(0, line.indexOf('=')))
    .sort();
}

describe('exec', () => {
  let store: TempStore;
  let bot1: string;
  let bot2: string;

  beforeEach(async () => {
    store = new TempStore();
    await store.init();
    bot1 = await store.provision('bot1');
    bot2 = await store.provision('bot2');
    await store.owner(['credential', 'set', 'API_KEY=-', '--agent', 'bot1'], { input: VALUE });
    await store.owner(['credential', 'add', 'GITHUB', '--type', 'login', '--username', 'bot', '--password-stdin', '--agent', 'bot1'], { input: PASSWORD });
    await store.owner(['credential', 'set', 'SHARED=-', '--agent', 'bot2'], { input: GRANTED });
    await store.owner(['grant', 'SHARED', '--to', 'bot1', '--agent', 'bot2']);
  });
  afterEach(() => store.cleanup());

  it("puts the caller's credentials in the child's environment, and passes everything after -- untouched", async () => {
    const result = await store.agent(bot1, ['exec', '--', 'sh', '-c', 'printf "%s|%s|%s|" "$API_KEY" "$GITHUB_USERNAME" "$GITHUB_PASSWORD"; printf "%s|" "$@"', 'sh', '--agent', 'x', '--only', 'Y', '--', '-c']);
    expect(result).toMatchObject({ code: 0, stdout: `${VALUE}|bot|${PASSWORD}|--agent|x|--only|Y|--|-c|`, stderr: '' });
  });

  it('adds credentials granted by --agent, given before --', async () => {
    const result = await store.agent(bot1, ['exec', '--agent', 'bot2', '--', 'sh', '-c', 'echo "$SHARED $API_KEY"']);
    expect(result).toMatchObject({ code: 0, stdout: `${GRANTED} ${VALUE}\n` });
    const onlyGranted = await store.agent(bot1, ['exec', '--agent', 'bot2', '--only', 'SHARED', '--', 'sh', '-c', 'echo "$SHARED/$API_KEY"']);
    expect(onlyGranted).toMatchObject({ code: 0, stdout: `${GRANTED}/\n` });
    expect((await store.agent(bot2, ['exec', '--agent', 'bot1', '--only', 'API_KEY', '--', 'true'])).code).toBe(5);
  });

  it('limits the variables with --only and names them with --prefix', async () => {
    const result = await store.agent(bot1, ['exec', '--only', 'API_KEY', '--prefix', 'APP_', '--', 'env']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`APP_API_KEY=${VALUE}\n`);
    expect(result.stdout).not.toContain(PASSWORD);
    expect((await store.agent(bot1, ['exec', '--only', 'MISSING', '--', 'true'])).code).toBe(3);
    expect((await store.agent(bot1, ['exec', '--only', 'bad-key', '--', 'true'])).code).toBe(2);
    expect((await store.agent(bot1, ['exec', '--prefix', '1X', '--', 'true'])).code).toBe(2);
  });

  it('starts from PATH and HOME alone with --pristine', async () => {
    const result = await store.agent(bot1, ['exec', '--pristine', '--', 'env'], { env: { SOMETHING_ELSE: '1' } });
    expect(result.code).toBe(0);
    expect(envNames(result.stdout)).toEqual(['API_KEY', 'GITHUB_PASSWORD', 'GITHUB_USERNAME', 'HOME', 'PATH']);
  });

  it('never hands the child a token or a passphrase', async () => {
    const asAgent = await store.agent(bot1, ['exec', '--', 'env']);
    expect(asAgent.code).toBe(0);
    expect(asAgent.stdout).not.toContain('AGENT_VAULT_TOKEN');
    expect(asAgent.stdout).not.toContain(bot1);
    const asOwner = await store.run(['exec', '--agent', 'bot1', '--', 'env'], { env: { AGENT_VAULT_PASSPHRASE: PASSPHRASE } });
    expect(asOwner.code).toBe(0);
    expect(asOwner.stdout).toContain(`API_KEY=${VALUE}`);
    expect(asOwner.stdout).not.toContain(PASSPHRASE);
    expect(asOwner.stdout).not.toContain('AGENT_VAULT_PASSPHRASE');
    const withFile = await store.owner(['exec', '--agent', 'bot1', '--', 'env']);
    expect(withFile.stdout).not.toContain('AGENT_VAULT_PASSPHRASE_FILE');
  });



  it('forwards SIGTERM to the child and reports a child killed by a signal as 128+n', async () => {
    const trapped = await runUntilReady(store, { AGENT_VAULT_TOKEN: bot1 }, ['exec', '--', 'sh', '-c', 'trap "exit 42" TERM; echo ready; i=0; while [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done'], (pid) => process.kill(pid, 'SIGTERM'));
    expect(trapped.code).toBe(42);
    const killed = await runUntilReady(store, { AGENT_VAULT_TOKEN: bot1 }, ['exec', '--', 'sh', '-c', 'echo ready; exec sleep 30'], (pid) => process.kill(pid, 'SIGINT'));
    expect(killed.code).toBe(130);
  });

  it('shows no value on any command line while the child runs, and audits the program name only', async () => {
    let lines = '';
    const result = await runUntilReady(store, { AGENT_VAULT_TOKEN: bot1 }, ['exec', '--', 'sh', '-c', 'echo ready; sleep 2', 'secret-free-arg'], () => {
      lines = allCommandLines();
    });
    expect(result.code).toBe(0);
    expect(lines).toContain('secret-free-arg');
    for (const value of [VALUE, PASSWORD, bot1]) expect(lines).not.toContain(value);
    const log = readFileSync(join(store.dir, 'vaults', 'bot1.audit.jsonl'), 'utf8');
    const runs = log.split('\n').filter((l) => l.includes('exec.run'));
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((l) => (JSON.parse(l) as { program?: string }).program === 'sh' && !l.includes('secret-free-arg') && !l.includes('echo ready'))).toBe(true);
  });

  describe('--mask', () => {
    // The value's first half on stdout, then its second half on stderr.
    const split = 'printf %s "x ${API_KEY%????????}"; printf %s "${API_KEY#????????} y" >&2';

    it('masks a value split across stdout and stderr, in each stream', async () => {
      const result = await store.agent(bot1, ['exec', '--mask', '--', 'sh', '-c', split]);
      expect(result).toMatchObject({ code: 0, stdout: 'x ****', stderr: '**** y' });
    });

    it('masks it in a combined log (2>&1) too, and a value that ends the output', () => {
      const viaShell = (script: string): string => {
        const result = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" exec --mask -- sh -c '${script}' 2>&1`], {
          encoding: 'utf8',
          env: { PATH: process.env.PATH, ...store.env, AGENT_VAULT_TOKEN: bot1 },
        });
        expect(result.status).toBe(0);
        return result.stdout;
      };
      expect(viaShell(split).replaceAll('*', '')).toBe('x  y');
      expect(viaShell('printf %s "$API_KEY" >&2; printf %s "$API_KEY"')).toBe('********');
    });
  });

  describe('--env-file', () => {
    it('injects what the references resolve to, own and granted', async () => {
      const file = join(store.root, 'refs.env');
      writeFileSync(file, '# refs\n\nTOKEN=av://bot1/API_KEY\nUSER=av://bot1/GITHUB/username\nGH=av://bot1/GITHUB\nSHARED_VALUE=av://bot2/SHARED\n');
      const result = await store.agent(bot1, ['exec', '--env-file', file, '--', 'sh', '-c', 'echo "$TOKEN $USER $GH $SHARED_VALUE ${API_KEY:-unset}"']);
      expect(result).toMatchObject({ code: 0, stdout: `${VALUE} bot ${PASSWORD} ${GRANTED} unset\n` });
    });

  });
});
