/**
 * `read av://…` and `inject`: one value, or a template whose every reference is
 * resolved before anything is written; reads audited as `credential get` reads.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/in-process.js';

const API = 'inject-api-value-41c2';
const PASSWORD = 'inject-login-pw-9e7f';
const GRANTED = 'inject-granted-0b3d';

describe('read and inject', () => {
  let store: TempStore;
  let bot1: string;

  const auditActions = async (agent: string, key: string): Promise<string[]> => {
    const result = await store.owner(['audit', '--json', '--agent', agent, '--key', key]);
    expect(result.code).toBe(0);
    return (JSON.parse(result.stdout) as Array<{ action: string }>).map((e) => e.action);
  };

  beforeEach(async () => {
    store = new TempStore();
    await store.init();
    bot1 = await store.provision('bot1');
    await store.provision('bot2');
    await store.owner(['credential', 'set', 'API_KEY=-', '--agent', 'bot1'], { input: API });
    await store.owner(['credential', 'add', 'DATABASE', '--type', 'login', '--username', 'app', '--password-stdin', '--agent', 'bot1'], { input: PASSWORD });
    await store.owner(['credential', 'set', 'SHARED=-', '--agent', 'bot2'], { input: GRANTED });
    await store.owner(['grant', 'SHARED', '--to', 'bot1', '--agent', 'bot2']);
  });
  afterEach(() => store.cleanup());

  describe('read', () => {
    it('prints the main secret or a field, with a newline unless -n, as the owner or with a token', async () => {
      expect(await store.owner(['read', 'av://bot1/API_KEY'])).toMatchObject({ code: 0, stdout: `${API}\n` });
      expect(await store.agent(bot1, ['read', 'av://bot1/DATABASE/username', '-n'])).toMatchObject({ code: 0, stdout: 'app' });
      expect(await store.agent(bot1, ['read', 'av://bot1/DATABASE/password'])).toMatchObject({ code: 0, stdout: `${PASSWORD}\n` });
      expect(await store.agent(bot1, ['read', 'av://bot2/SHARED'])).toMatchObject({ code: 0, stdout: `${GRANTED}\n` });
      const json = await store.agent(bot1, ['read', 'av://bot1/DATABASE/password', '--json']);
      expect(JSON.parse(json.stdout)).toEqual({ reference: 'av://bot1/DATABASE/password', agent: 'bot1', key: 'DATABASE', field: 'password', value: PASSWORD });
      expect(await auditActions('bot1', 'DATABASE')).toContain('credential.get');
    });

    it.each([
      ['no scheme', 'bot1/API_KEY', 2],
      ['another scheme', 'op://bot1/API_KEY', 2],
      ['no key', 'av://bot1', 2],
      ['a lower-case key', 'av://bot1/api_key', 2],
      ['too many parts', 'av://bot1/DATABASE/password/x', 2],
      ['a value pasted instead', 'sk-live-pasted-by-mistake', 2],
      ['an unknown key', 'av://bot1/MISSING', 3],
      ['an unknown agent', 'av://nobody/API_KEY', 3],
      ['a field the type lacks', 'av://bot1/DATABASE/cvv', 3],
      ['a field left empty', 'av://bot1/DATABASE/notes', 3],
    ])('refuses %s', async (_what, reference, code) => {
      const result = await store.owner(['read', reference]);
      expect(result.code).toBe(code);
      expect(result.stdout).toBe('');
      if (code === 3) expect(result.stderr).toMatch(/MISSING|nobody|CVV|notes/i);
      else expect(result.stderr).not.toContain(reference);
    });

    it("refuses an agent another vault's credential that was not granted (exit 5), and a TOTP secret without --reveal", async () => {
      await store.owner(['credential', 'set', 'SECRET=-', '--agent', 'bot2'], { input: 'not-granted-value' });
      const denied = await store.agent(bot1, ['read', 'av://bot2/SECRET']);
      expect(denied.code).toBe(5);
      expect(denied.stdout).toBe('');
      await store.owner(['credential', 'update', 'DATABASE', '--totp-stdin', '--agent', 'bot1'], { input: 'JBSWY3DPEHPK3PXP' });
      const seed = await store.agent(bot1, ['read', 'av://bot1/DATABASE/totp']);
      expect(seed.code).toBe(2);
      expect(seed.stderr).not.toContain('JBSWY3DPEHPK3PXP');
      const revealed = await store.agent(bot1, ['read', 'av://bot1/DATABASE/totp', '--reveal']);
      expect(revealed.code).toBe(0);
      expect(revealed.stdout).toContain('JBSWY3DPEHPK3PXP');
      expect(await auditActions('bot1', 'DATABASE')).toContain('credential.reveal');
    });
  });

  describe('inject', () => {
    const TEMPLATE = 'user: {{ av://bot1/DATABASE/username }}\npassword: {{av://bot1/DATABASE/password}}\nkey: {{   av://bot1/API_KEY }}\nshared: {{ av://bot2/SHARED }}\nhelm: {{ .Values.name }}\n';
    const RENDERED = `user: app\npassword: ${PASSWORD}\nkey: ${API}\nshared: ${GRANTED}\nhelm: {{ .Values.name }}\n`;

    it('renders stdin to stdout, spaces inside the braces optional, other {{ }} untouched', async () => {
      const result = await store.agent(bot1, ['inject'], { input: TEMPLATE });
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(RENDERED);
      const json = await store.agent(bot1, ['inject', '--json'], { input: TEMPLATE });
      expect(JSON.parse(json.stdout)).toEqual({ output: null, references: 4, text: RENDERED });
      expect(await auditActions('bot1', 'API_KEY')).toContain('credential.get');
    });

    it('writes -o as a new 0600 file, and refuses to replace one without --force', async () => {
      const template = join(store.root, 'config.tpl');
      const out = join(store.root, 'config.yml');
      writeFileSync(template, TEMPLATE);
      const first = await store.owner(['inject', '-i', template, '-o', out, '--agent', 'bot1']);
      expect(first.code).toBe(0);
      expect(first.stdout).toBe('');
      expect(first.stderr).toContain(`wrote ${out} (4 references resolved)`);
      expect(readFileSync(out, 'utf8')).toBe(RENDERED);
      expect(statSync(out).mode & 0o777).toBe(0o600);

      writeFileSync(out, 'old contents\n');
      chmodSync(out, 0o644);
      const again = await store.owner(['inject', '-i', template, '-o', out]);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain('already exists');
      expect(readFileSync(out, 'utf8')).toBe('old contents\n');
      const forced = await store.owner(['inject', '-i', template, '-o', out, '--force', '--json']);
      expect(forced.code).toBe(0);
      expect(JSON.parse(forced.stdout)).toEqual({ output: out, references: 4 });
      expect(readFileSync(out, 'utf8')).toBe(RENDERED);
      expect(statSync(out).mode & 0o777).toBe(0o600);
      expect(readdirSync(store.root).filter((n) => n.startsWith('.config.yml'))).toEqual([]);
    });

    it('refuses a link at the output path without --force, and never writes through it', async () => {
      const target = join(store.root, 'elsewhere');
      writeFileSync(target, 'untouched\n');
      const out = join(store.root, 'linked.yml');
      symlinkSync(target, out);
      const result = await store.owner(['inject', '-o', out], { input: TEMPLATE });
      expect(result.code).toBe(2);
      expect(readFileSync(target, 'utf8')).toBe('untouched\n');
    });

    it('refuses a link at the output path with --force too (exit 6), before any value is read', async () => {
      const target = join(store.root, 'elsewhere-forced');
      writeFileSync(target, 'untouched\n');
      const out = join(store.root, 'linked-forced.yml');
      symlinkSync(target, out);
      const result = await store.owner(['inject', '-o', out, '--force'], { input: TEMPLATE });
      expect(result.code).toBe(6);
      expect(readFileSync(target, 'utf8')).toBe('untouched\n');
      expect(await auditActions('bot1', 'API_KEY')).not.toContain('credential.get');
    });

    it.each([
      ['a malformed reference', 'a: {{ av://bot1/lower }}\n', 2, 'line 1'],
      ['an unknown key', 'a: {{ av://bot1/API_KEY }}\nb: {{ av://bot1/MISSING }}\n', 3, 'MISSING'],
      ['an unknown agent', 'a: {{ av://bot1/API_KEY }}\nb: {{ av://ghost/API_KEY }}\n', 3, 'ghost'],
      ['an unknown field', 'a: {{ av://bot1/API_KEY }}\nb: {{ av://bot1/DATABASE/pin }}\n', 3, 'av://bot1/DATABASE/pin'],
      ['a TOTP secret without --reveal', 'a: {{ av://bot1/API_KEY }}\nb: {{ av://bot1/DATABASE/totp }}\n', 2, 'TOTP secret'],
    ])('writes nothing for %s, naming it', async (_what, template, code, named) => {
      const out = join(store.root, 'out.yml');
      const result = await store.owner(['inject', '-o', out], { input: template });
      expect(result.code).toBe(code);
      expect(result.stderr).toContain(named);
      expect(result.stderr).not.toContain(API);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(store.root).filter((n) => n.includes('out.yml'))).toEqual([]);
      const toStdout = await store.owner(['inject'], { input: template });
      expect(toStdout.code).toBe(code);
      expect(toStdout.stdout).toBe('');
    });

    it('passes a template without references through, with no passphrase or token', async () => {
      const result = await store.run(['inject'], { input: 'plain: {{ .Values.x }}\n' });
      expect(result).toMatchObject({ code: 0, stdout: 'plain: {{ .Values.x }}\n' });
    });

    it('refuses an unreadable or missing template, an output in no directory, --force without -o, and a terminal on stdin (exit 2)', async () => {
      // A template that exists but cannot be read: a directory (EISDIR) for every user,
      // and a file of mode 0 (EACCES) where the mode binds, which it does not for root.
      const directory = join(store.root, 'directory.tpl');
      mkdirSync(directory);
      const unreadable = [[directory, 'EISDIR']];
      if (process.getuid?.() !== 0) {
        const template = join(store.root, 'secret.tpl');
        writeFileSync(template, TEMPLATE);
        chmodSync(template, 0o000);
        unreadable.push([template, 'EACCES']);
      }
      for (const [template, code] of unreadable) {
        const result = await store.owner(['inject', '-i', template!]);
        expect(result, template).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining(`cannot read template ${template}: ${code}`) });
      }
      const missing = await store.owner(['inject', '-i', join(store.root, 'nope.tpl')]);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('no such file');
      expect((await store.owner(['inject', '--force'], { input: TEMPLATE })).code).toBe(2);
      const intoNowhere = await store.owner(['inject', '-o', join(store.root, 'no-such-dir', 'out.yml')], { input: TEMPLATE });
      expect(intoNowhere.code).toBe(2);
      expect(intoNowhere.stderr).toContain('nothing was written');
      const onTerminal = await store.owner(['inject'], { tty: true });
      expect(onTerminal.code).toBe(2);
      expect(onTerminal.stderr).toContain('-i TEMPLATE');
      const binary = join(store.root, 'binary.tpl');
      writeFileSync(binary, Buffer.from([0xff, 0xfe, 0x00]));
      expect((await store.owner(['inject', '-i', binary])).code).toBe(2);
    });
  });
});
