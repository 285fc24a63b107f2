// node bench/vault-size.mjs [bin…]: the part of a token `credential get` (and of a
// `credential set`) that grows with the vault, at 10, 10,000 and 100,000 credentials:
// medians of interleaved runs as ratios to `node -e 0`, and peak RSS. Each bin (default:
// this checkout's; e.g. add the old main's bin/agent-vault.cjs) gets its own store made
// by its own build, and all of them run interleaved in the same rounds, so they compare.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const BINS = (process.argv.length > 2 ? process.argv.slice(2) : [resolve(import.meta.dirname, '../bin/agent-vault.cjs')]).map((bin) => resolve(bin));
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const SIZES = (process.env.BENCH_SIZES ?? '10,10000,100000').split(',').map(Number);
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const root = mkdtempSync(join(tmpdir(), 'agent-vault-size-'));

const cases = [['node -e 0', [process.execPath, '-e', '0'], {}]];
for (const [b, BIN] of BINS.entries()) {
  const dist = (path) => import(pathToFileURL(resolve(BIN, '../../dist', path)).href);
  const { openSession } = await dist('app/open-session.js');
  const { createCredential } = await dist('core/credential.js');
  const store = join(root, `store${b}`);
  const env = { PATH: process.env.PATH, HOME: root, AGENT_VAULT_HOME: store, XDG_CONFIG_HOME: join(root, 'config') };
  const cli = (args) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...env, AGENT_VAULT_PASSPHRASE: 'bench passphrase' }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  cli(['init']);
  for (const size of SIZES) {
    const agent = `v${size}`;
    const tokenFile = join(root, `${b}-${agent}.token`);
    writeFileSync(tokenFile, cli(['provision', agent]), { mode: 0o600 });
    // Pushed in one write (the programmatic `set` looks up each key, quadratic at 100,000).
    const session = await openSession({ store, passphrase: 'bench passphrase' });
    const now = new Date().toISOString();
    await session.modify(agent, ({ payload }) => {
      for (let i = 0; i < size; i++) payload.credentials.push(createCredential(`KEY_${String(i).padStart(6, '0')}`, 'api_key', { fields: { value: `value-${i}-${'x'.repeat(40)}` } }, now));
    });
    const t = { ...env, AGENT_VAULT_TOKEN_FILE: tokenFile };
    const tag = BINS.length > 1 ? ` [${b}]` : '';
    cases.push([`get at ${size}${tag}`, [process.execPath, BIN, 'credential', 'get', `KEY_${String(size - 1).padStart(6, '0')}`], t]);
    if (size >= 10000) cases.push([`set at ${size}${tag}`, [process.execPath, BIN, 'credential', 'set', 'NEW_KEY=-'], t]);
  }
}

const time = (argv, env) => {
  const start = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { env, input: 'v\n', stdio: ['pipe', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
};
const times = cases.map(() => []);
for (let round = 0; round < RUNS + 1; round++) cases.forEach(([, argv, env], i) => round > 0 && times[i].push(time(argv, env)));
const median = (t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)];
const base = median(times[0]);
BINS.forEach((bin, b) => console.log(`[${b}] ${bin}`));
for (const [i, [name, argv, env]] of cases.entries()) {
  const ms = median(times[i]);
  let rss = '';
  if (TIME) {
    const r = spawnSync(TIME, ['-f', '%M', ...argv], { env, input: 'v\n', encoding: 'utf8' });
    rss = `${(Number(r.stderr.trim().split('\n').at(-1)) / 1024).toFixed(0)} MiB`;
  }
  console.log(`${name.padEnd(18)} ${ms.toFixed(1).padStart(8)} ms ${(ms / base).toFixed(2).padStart(6)}x ${rss}`);
}
rmSync(root, { recursive: true, force: true });
