/**
 * README's first command, in a temporary prefix: the tarball `npm pack` makes installs
 * globally and leaves `agent-vault` callable, with its man page, from a copy that does
 * not point back at this checkout. Installing a tarball must not run `prepare` (the
 * build): it would fail there, where neither tsc nor esbuild is installed.
 *
 * Slow (npm resolves the dependencies; from its cache when it can), so this is the one
 * test that installs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { skipWithout } from '../helpers/tools.js';

const ROOT = resolve(import.meta.dirname, '../..');
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe.skipIf(skipWithout('npm'))('npm install -g of the packed tarball', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agent-vault-install-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('puts agent-vault on the prefix\'s PATH, with its man page, as a copy', () => {
    // The bundle is already built (the e2e set-up): pack what is there, as README does after npm install.
    const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' });
    expect(pack.status, pack.stderr).toBe(0);
    const tarball = join(dir, pack.stdout.trim().split('\n').at(-1)!);
    const prefix = join(dir, 'prefix');
    const env = { ...process.env, npm_config_prefix: prefix, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
    const install = spawnSync('npm', ['install', '--global', '--prefer-offline', tarball], { cwd: dir, encoding: 'utf8', env, timeout: 300_000 });
    expect(install.status, install.stderr).toBe(0);

    const bin = join(prefix, 'bin', 'agent-vault');
    const run = spawnSync(bin, ['--version'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: dir } });
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });

    const installed = join(prefix, 'lib', 'node_modules', 'agent-vault');
    // A copy, not npm link's symlink to this checkout; and no sources: nothing was built there.
    expect(lstatSync(installed).isSymbolicLink()).toBe(false);
    expect(existsSync(join(installed, 'src'))).toBe(false);
    expect(existsSync(join(prefix, 'share', 'man', 'man1', 'agent-vault.1'))).toBe(true);
  });
});
