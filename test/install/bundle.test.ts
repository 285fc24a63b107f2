/**
 * The e2e tests spawn dist/cli.cjs, so it must be what the sources bundle to now: the
 * e2e project's global setup (test/helpers/bundle-setup.ts) rebuilds it, and this fails
 * if it did not.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

it('dist/cli.cjs and the bundles beside it (the fast forms, the bare generate, import parsers, broker certificates, pg driver, MCP SDK) are what the sources bundle to now', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agent-vault-bundle-'));
  try {
    const result = spawnSync(process.execPath, ['scripts/bundle.mjs', join(dir, 'cli.cjs')], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    // The fast forms' bundles, the parsers of import and export, the broker's certificate code, the pg driver and the MCP SDK are bundled beside it.
    for (const name of ['cli.cjs', 'fast.cjs', 'generate.cjs', 'import-parsers.cjs', 'broker-certificates.cjs', 'pg-driver.cjs', 'mcp-sdk.cjs', 'strength.cjs']) {
      expect(readFileSync(resolve(ROOT, 'dist', name)).equals(readFileSync(join(dir, name))), `dist/${name} is stale`).toBe(true);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('dist/mcp-sdk.cjs holds the SDK and the tools but no copy of app/ (its functions are the CLI bundle\'s, handed in)', () => {
  const chunk = readFileSync(resolve(ROOT, 'dist/mcp-sdk.cjs'), 'utf8');
  expect(chunk).toContain('vault_status');
  expect(chunk).toContain('StdioServerTransport = class');
  expect(chunk).not.toMatch(/function (findCredential|listVault|openSession|readGrantedCredential)\b/);
  expect(chunk).not.toMatch(/class (VaultError|Session|AuditRecorder)\b/);
  const cli = readFileSync(resolve(ROOT, 'dist/cli.cjs'), 'utf8');
  expect(cli).not.toContain('StdioServerTransport = class');
});

it('dist/strength.cjs holds zxcvbn and its dictionaries; dist/cli.cjs only loads it, so no other command pays for them', () => {
  const chunk = readFileSync(resolve(ROOT, 'dist/strength.cjs'), 'utf8');
  expect(chunk).toContain('ZxcvbnFactory');
  const cli = readFileSync(resolve(ROOT, 'dist/cli.cjs'), 'utf8');
  expect(cli).not.toContain('ZxcvbnFactory');
  expect(cli).not.toMatch(/require\(["']\.\/strength\.cjs["']\)/);
  expect(cli).toMatch(/__agentVaultLazyImport\(["']\.\/strength\.cjs["']\)/);
});

it('dist/fast.cjs holds the fast forms without commander or the command tree, which stay in dist/cli.cjs', () => {
  const fast = readFileSync(resolve(ROOT, 'dist/fast.cjs'), 'utf8');
  expect(fast).toContain('function fastMain(');
  expect(fast).not.toMatch(/function buildProgram\(|class _Command extends/);
  const cli = readFileSync(resolve(ROOT, 'dist/cli.cjs'), 'utf8');
  expect(cli).toMatch(/function buildProgram\(/);
  expect(cli).toMatch(/class _Command extends/);
});

it('dist/generate.cjs holds a bare generate without the backends, the vault format, the session or the other fast forms, which dist/fast.cjs has', () => {
  const generate = readFileSync(resolve(ROOT, 'dist/generate.cjs'), 'utf8');
  const fast = readFileSync(resolve(ROOT, 'dist/fast.cjs'), 'utf8');
  for (const both of ['function fastMain(', 'function generatePassword(', 'function runBareGenerate(']) {
    expect(generate).toContain(both);
    expect(fast).toContain(both);
  }
  for (const storeCode of [/function openVault\(/, /function openStore\(/, /function openSession\(/, /function runGet\(/, /function runList\(/, /function runTotp\(/, /\bDirectoryBackend = class\b/, /\bSession = class\b/]) {
    expect(fast).toMatch(storeCode);
    expect(generate).not.toMatch(storeCode);
  }
  expect(generate).not.toMatch(/function buildProgram\(|class _Command extends/);
  // Its size is the point: a fifth of dist/fast.cjs or less.
  expect(generate.length * 5).toBeLessThan(fast.length);
});

it("loading dist/pg-driver.cjs does not load undici (pg's Cloudflare check made a fetch Response at load)", () => {
  const script = "require('./dist/pg-driver.cjs'); console.log(process.moduleLoadList.filter((m) => m.includes('undici')).length)";
  const result = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.stdout.trim()).toBe('0');
  // The check itself is what loads it, where there is no navigator (Node 20).
  const fetching = spawnSync(process.execPath, ['-e', "new Response(null); console.log(process.moduleLoadList.filter((m) => m.includes('undici')).length)"], { encoding: 'utf8' });
  expect(Number(fetching.stdout.trim())).toBeGreaterThan(0);
});
