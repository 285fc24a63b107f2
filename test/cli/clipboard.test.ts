/**
 * `--clip` through a clipboard tool: a fake `xclip` on PATH keeps the clipboard in a
 * file and logs how it was called, so a test sees what reached it (stdin only, never
 * argv or the environment) and whether the detached clear ran. No test waits on time:
 * each waits for a file to change, or for the clearing process to end, with a generous bound.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/in-process.js';

const VALUE = 'clip-value-7f3a9c';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXP';

/** Resolves once `check` holds, polling; fails after `ms` (a bound, not a wait for time to pass). */
async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The live processes whose command line names `tool` (the clearing process gets its paste and clear commands there), with their argv. */
function clearingProcesses(tool: string): Array<{ pid: number; argv: string[] }> {
  const found: Array<{ pid: number; argv: string[] }> = [];
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').slice(0, -1);
    } catch {
      continue;
    }
    if (argv.some((arg) => arg.includes(tool))) found.push({ pid: Number(name), argv });
  }
  return found;
}

describe('--clip', () => {
  let store: TempStore;
  let bot: string;
  let bin: string;
  let clip: string;
  let calls: string;
  let env: NodeJS.ProcessEnv;

  /** The reads (credential.get and totp.generate lines) in the bot's audit log. */
  const reads = async (): Promise<number> =>
    (JSON.parse((await store.owner(['audit', '--json', '-a', 'bot'])).stdout) as Array<{ action: string }>).filter((e) => e.action === 'credential.get' || e.action === 'totp.generate').length;
  const logged = (): string[] => (existsSync(calls) ? readFileSync(calls, 'utf8').split('\n').filter(Boolean) : []);

  beforeEach(async () => {
    store = new TempStore();
    await store.init();
    bot = await store.provision('bot');
    await store.owner(['credential', 'set', 'API_KEY=-', '--agent', 'bot'], { input: VALUE });
    await store.owner(['credential', 'add', 'GITHUB', '--type', 'login', '--username', 'octo', '--totp-stdin', '--agent', 'bot'], { input: TOTP_SECRET });
    bin = join(store.root, 'bin');
    mkdirSync(bin);
    clip = join(store.root, 'clipboard');
    calls = join(store.root, 'calls');
    // -in: the clipboard becomes stdin; -out: print it. Each call logs its arguments, its
    // parent's pid (the clearing process, on -out) and whether a token was in its environment.
    const fake = `#!/bin/sh\nprintf '%s ppid=%s token=%s\\n' "$*" "$PPID" "\${AGENT_VAULT_TOKEN:+yes}" >> '${calls}'\ncase "$*" in\n  *-in*) cat > '${clip}' ;;\n  *-out*) cat '${clip}' ;;\nesac\n`;
    writeFileSync(join(bin, 'xclip'), fake);
    chmodSync(join(bin, 'xclip'), 0o755);
    env = { PATH: `${bin}:/usr/bin:/bin`, DISPLAY: ':99' };
  });
  afterEach(() => store.cleanup());

  it('copies through the tool on stdin only, prints nothing, still audits the read, and clears after --clip-timeout', async () => {
    const result = await store.agent(bot, ['credential', 'get', 'API_KEY', '--clip', '--clip-timeout', '1s'], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('copied the value of API_KEY to the clipboard (xclip); clears in 1 s\n');
    expect(readFileSync(clip, 'utf8')).toBe(VALUE);
    await until(() => readFileSync(clip, 'utf8') === '', 'the clipboard to be cleared');
    const log = logged();
    expect(log[0]).toMatch(/^-selection clipboard -in ppid=\d+ token=$/);
    expect(log.some((l) => l.startsWith('-selection clipboard -out'))).toBe(true);
    expect(log.join('\n')).not.toContain(VALUE);
    const audit = await store.owner(['audit', '--json', '--agent', 'bot', '--key', 'API_KEY']);
    expect((JSON.parse(audit.stdout) as Array<{ action: string }>).map((e) => e.action)).toContain('credential.get');
  });

  it('clears after 45 s when no --clip-timeout is given: the clearing process is started with that wait, and no value', async () => {
    const result = await store.agent(bot, ['credential', 'get', 'API_KEY', '--clip'], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('copied the value of API_KEY to the clipboard (xclip); clears in 45 s\n');
    const clearing = clearingProcesses(join(bin, 'xclip'));
    expect(clearing).toHaveLength(1);
    const [{ pid, argv }] = clearing as [{ pid: number; argv: string[] }];
    try {
      // node --input-type=commonjs -e SCRIPT <ms> <paste> <clear>
      expect(argv[argv.indexOf('-e') + 2]).toBe('45000');
      expect(argv.join(' ')).not.toContain(VALUE);
    } finally {
      process.kill(pid, 'SIGKILL');
    }
    expect(readFileSync(clip, 'utf8')).toBe(VALUE);
  });

  it('leaves the clipboard alone when it no longer holds what was copied', async () => {
    const result = await store.agent(bot, ['credential', 'get', 'API_KEY', '--clip', '--clip-timeout', '3'], { env });
    expect(result.code).toBe(0);
    writeFileSync(clip, 'something the user copied since');
    await until(() => logged().some((l) => l.includes('-out')), 'the clipboard to be read back');
    const clearer = Number(/ppid=(\d+)/.exec(logged().find((l) => l.includes('-out'))!)![1]);
    await until(() => !alive(clearer), 'the clearing process to end');
    expect(readFileSync(clip, 'utf8')).toBe('something the user copied since');
    expect(logged().filter((l) => l.includes('-in'))).toHaveLength(1);
  });

  it('copies a TOTP code, or a field, and never clears with --clip-timeout 0', async () => {
    const totp = await store.agent(bot, ['totp', 'GITHUB', '--clip', '--clip-timeout', '0', '--json'], { env });
    expect(totp.code).toBe(0);
    expect(JSON.parse(totp.stdout)).toEqual({ copied: true, via: 'xclip', clears_in: null });
    expect(readFileSync(clip, 'utf8')).toMatch(/^\d{6}$/);
    const field = await store.agent(bot, ['credential', 'get', 'GITHUB', '--field', 'username', '--clip', '--clip-timeout', '0'], { env });
    expect(field.code).toBe(0);
    expect(field.stderr).toContain('not cleared: --clip-timeout 0');
    expect(readFileSync(clip, 'utf8')).toBe('octo');
    expect(logged().filter((l) => l.includes('-out'))).toEqual([]);
  });

  it.each([
    ['wl-copy', { WAYLAND_DISPLAY: 'wayland-9' }, { 'wl-copy': 'case "$*" in *--clear*) : > "$CLIP" ;; *) cat > "$CLIP" ;; esac', 'wl-paste': 'cat "$CLIP"' }],
    ['xsel', { DISPLAY: ':99' }, { xsel: 'case "$*" in *--input*) cat > "$CLIP" ;; *--output*) cat "$CLIP" ;; *--clear*) : > "$CLIP" ;; esac' }],
  ])('copies and clears through %s', async (tool, display, scripts) => {
    const own = join(store.root, `bin-${tool}`);
    mkdirSync(own);
    for (const [name, body] of Object.entries(scripts)) {
      writeFileSync(join(own, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(own, name), 0o755);
    }
    const result = await store.agent(bot, ['credential', 'get', 'API_KEY', '--clip', '--clip-timeout', '1'], { env: { PATH: `${own}:/usr/bin:/bin`, CLIP: clip, ...display } });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`(${tool}); clears in 1 s`);
    expect(readFileSync(clip, 'utf8')).toBe(VALUE);
    await until(() => readFileSync(clip, 'utf8') === '', 'the clipboard to be cleared');
  });

  it('refuses off a terminal with no clipboard tool (exit 2, naming one to install), copying nothing and reading nothing', async () => {
    const readsBefore = await reads();
    const result = await store.agent(bot, ['credential', 'get', 'API_KEY', '--clip'], { env: { PATH: join(store.root, 'empty') } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('xclip');
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toContain(VALUE);
    expect(await reads()).toBe(readsBefore);
  });

  it('refuses a bad --clip-timeout, or one without --clip (exit 2)', async () => {
    for (const args of [['credential', 'get', 'API_KEY'], ['totp', 'GITHUB']]) {
      const alone = await store.agent(bot, [...args, '--clip-timeout', '10s'], { env });
      expect(alone.code).toBe(2);
      expect(alone.stdout).toBe('');
    }
    const readsBefore = await reads();
    for (const bad of ['-1', 'soon', '1.5s', '25d', '86401']) {
      for (const args of [['credential', 'get', 'API_KEY'], ['totp', 'GITHUB']]) {
        const result = await store.agent(bot, [...args, '--clip', '--clip-timeout', bad], { env });
        expect(result.code, `${args[0]} --clip-timeout ${bad}`).toBe(2);
        expect(existsSync(clip)).toBe(false);
      }
    }
    // Refused before any value is read: no read in the log.
    expect(await reads()).toBe(readsBefore);
  });

  it('sends OSC 52 when stdout is a terminal and no tool is there, not cleared, wrapped for tmux', async () => {
    const plain = await store.agent(bot, ['credential', 'get', 'API_KEY', '--clip'], { env: { PATH: join(store.root, 'empty') }, tty: true });
    expect(plain.code).toBe(0);
    expect(plain.stdout).toBe(`\x1b]52;c;${Buffer.from(VALUE).toString('base64')}\x07`);
    expect(plain.stderr).toContain('(OSC 52); not cleared');
    const tmux = await store.agent(bot, ['credential', 'get', 'API_KEY', '--clip'], { env: { PATH: join(store.root, 'empty'), TMUX: '/tmp/tmux-0/default,1,0' }, tty: true });
    expect(tmux.stdout).toBe(`\x1bPtmux;\x1b\x1b]52;c;${Buffer.from(VALUE).toString('base64')}\x07\x1b\\`);
  });
});
