/**
 * The V8 code caches of the CLI bundles, dist/fast.cjs and dist/generate.cjs (the fast
 * forms, loaded first) and dist/cli.cjs (bin/load-bundle.cjs, scripts/code-cache.cjs): each build's
 * cache is taken by the Node that built it; a missing, foreign, stale or
 * broken cache, or one V8 rejects for its flags, changes nothing a user sees (same
 * output, nothing on stderr); the CLI never writes one; and every lazily loaded module
 * still loads from code compiled through vm.Script.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TempStore } from '../helpers/cli.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** A copy of the package's bin/, dist/ bundles and package.json, using this checkout's node_modules. */
function copyPackage(): string {
  const dir = mkdtempSync(join(tmpdir(), 'agent-vault-cache-'));
  cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  for (const file of readdirSync(join(ROOT, 'dist')).filter((f) => f.endsWith('.cjs') || f.endsWith('.cache'))) cpSync(join(ROOT, 'dist', file), join(dir, 'dist', file));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** What V8 said of the cache of `bundle` in `dir`: "false" taken, "true" rejected, "undefined" none was given. */
function cacheVerdict(dir: string, bundle: string, nodeFlags: string[] = []): string {
  const script = `console.log(String(require(${JSON.stringify(join(dir, 'bin/load-bundle.cjs'))}).compileBundle(${JSON.stringify(join(dir, 'dist', bundle))}).cachedDataRejected))`;
  const result = spawnSync(process.execPath, [...nodeFlags, '-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  expect(result.stderr).toBe('');
  return result.stdout.trim();
}

let store: TempStore;
let token: string;

beforeAll(async () => {
  ({ store, token } = await TempStore.withAgent());
  expect((await store.agent(token, ['credential', 'set', 'K=-'], { input: 'the value' })).code).toBe(0);
});
afterAll(() => store.cleanup());

describe.each(['fast.cjs', 'generate.cjs', 'cli.cjs'])('the code cache of dist/%s', (bundle) => {
  const cacheFile = (dir: string): string => join(dir, 'dist', `${bundle}.cache`);
  const good = (): Buffer => readFileSync(cacheFile(ROOT));

  it('is made by the build and taken by the Node that made it', () => {
    expect(cacheVerdict(ROOT, bundle)).toBe('false');
    expect(good().subarray(0, good().indexOf(10)).toString()).toContain(`"node":"${process.version}"`);
  });

  const header = (text: string): string => text.slice(0, text.indexOf('\n'));
  const BROKEN: Array<[string, (dir: string) => void, string]> = [
    ['missing', (dir) => rmSync(cacheFile(dir)), 'undefined'],
    ['made by another Node', (dir) => writeFileSync(cacheFile(dir), Buffer.from(good().toString('latin1').replace(`"node":"${process.version}"`, '"node":"v0.0.1"'), 'latin1')), 'undefined'],
    [
      'made for another build of the bundle',
      (dir) => {
        const file = join(dir, 'dist', bundle);
        const text = readFileSync(file, 'utf8');
        const line = header(text);
        writeFileSync(file, `${line.slice(0, -1)}${line.endsWith('0') ? '1' : '0'}${text.slice(line.length)}`);
      },
      'undefined',
    ],
    ['without its header line', (dir) => writeFileSync(cacheFile(dir), good().subarray(good().indexOf(10) + 1)), 'undefined'],
    ['garbage after a right header', (dir) => writeFileSync(cacheFile(dir), Buffer.concat([good().subarray(0, good().indexOf(10) + 1), Buffer.alloc(4096, 0x5a)])), 'true'],
    ['cut short', (dir) => writeFileSync(cacheFile(dir), good().subarray(0, Math.floor(good().length / 2))), 'true'],
  ];

  it.each(BROKEN)('%s: is not used, and the CLI works with nothing on stderr', async (_name, breakIt, verdict) => {
    const dir = copyPackage();
    try {
      breakIt(dir);
      expect(cacheVerdict(dir, bundle)).toBe(verdict);
      const bin = join(dir, 'bin/agent-vault.cjs');
      expect(await store.agent(token, ['credential', 'get', 'K'], { bin })).toMatchObject({ code: 0, stdout: 'the value\n', stderr: '' });
      expect(await store.agent(token, ['credential', 'list'], { bin })).toMatchObject({ code: 0, stderr: '' });
      // dist/generate.cjs, then through commander (an option the bare form does not take).
      for (const args of [['generate'], ['generate', '--length', '12']]) {
        const generated = await store.run(args, { bin });
        expect(generated).toMatchObject({ code: 0, stderr: '' });
        expect(generated.stdout).toMatch(args.length === 1 ? /^\S{24}\n$/ : /^\S{12}\n$/);
      }
      // Through commander: dist/cli.cjs, whose cache the fast forms never load.
      expect(await store.agent(token, ['credential', 'get', 'K', '--quiet'], { bin })).toMatchObject({ code: 0, stdout: 'the value\n', stderr: '' });
      const version = await store.run(['--version'], { bin });
      expect(version).toMatchObject({ code: 0, stderr: '' });
      expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejected by V8 for other flags, compiles the bundle as without it', () => {
    expect(cacheVerdict(ROOT, bundle, ['--no-opt'])).toBe('true');
    for (const args of [['credential', 'get', 'K'], ['credential', 'get', 'K', '--quiet'], ['generate', '--json']]) {
      const result = spawnSync(process.execPath, ['--no-opt', join(ROOT, 'bin/agent-vault.cjs'), ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, ...store.env, AGENT_VAULT_TOKEN: token } });
      expect(result).toMatchObject({ status: 0, stdout: args[0] === 'generate' ? expect.stringContaining('"entropy_bits"') : 'the value\n', stderr: '' });
    }
  });
});

describe('the code caches', () => {
  it('is never written by the CLI', async () => {
    const dir = copyPackage();
    try {
      for (const bundle of ['fast.cjs', 'generate.cjs', 'cli.cjs']) rmSync(join(dir, 'dist', `${bundle}.cache`));
      const before = readdirSync(join(dir, 'dist')).sort();
      const bin = join(dir, 'bin/agent-vault.cjs');
      for (const args of [['credential', 'get', 'K'], ['totp', 'K'], ['generate'], ['--version'], ['credential', 'list'], ['credential', 'get', 'K', '--quiet'], ['status']]) await store.agent(token, args, { bin });
      expect(readdirSync(join(dir, 'dist')).sort()).toEqual(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('lazy modules under the code cache', () => {
  // The prompts (@inquirer/prompts), tables (cli-table3), the MCP SDK and the broker's
  // certificates are loaded by the pty, tty, mcp and broker suites through the same bin.
  it('loads argon2 for the owner', async () => {
    expect(await store.owner(['credential', 'get', 'K', '-a', 'bot'])).toMatchObject({ code: 0, stdout: 'the value\n', stderr: '' });
  });

  it('loads the import parsers', async () => {
    const file = join(store.root, 'import.env');
    writeFileSync(file, 'IMPORTED=1\n');
    const result = await store.owner(['-a', 'bot', 'import', 'dotenv', file]);
    expect(result.code, result.stderr).toBe(0);
    expect((await store.agent(token, ['credential', 'get', 'IMPORTED'])).stdout).toBe('1\n');
  });

  it('loads the pg driver for a postgres:// store', async () => {
    const result = await store.run(['--store', 'postgres://nobody@127.0.0.1:1/none', 'status']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('cannot be reached');
    expect(result.stderr).not.toContain('ERR_VM_DYNAMIC_IMPORT');
  });

  it('loads conf for the settings', async () => {
    expect((await store.run(['config', 'set', 'default-agent', 'bot'])).code).toBe(0);
    expect(await store.agent(token, ['config', 'get', 'default-agent'])).toMatchObject({ code: 0, stdout: 'bot\n' });
  });

  it('loads age for a backup', async () => {
    const pass = join(store.root, 'backup.pass');
    writeFileSync(pass, 'backup passphrase\n', { mode: 0o600 });
    const file = join(store.root, 'store.age');
    const made = await store.owner(['backup', file, '--backup-passphrase-file', pass]);
    expect(made.code, made.stderr).toBe(0);
    expect(readFileSync(file).subarray(0, 21).toString()).toBe('age-encryption.org/v1');
  });
});
