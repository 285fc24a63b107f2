// node bench/vault-size.mjs [path/to/agent-vault.cjs]: the part of a token `credential get`
// (and of a `credential set`) that grows with the vault, at 10, 10,000 and 100,000
// credentials: medians of interleaved runs as ratios to `node -e 0`, and peak RSS.
// Give another build's bin (e.g. the old main's) to compare the same inputs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const BIN = resolve(process.argv[2] ?? resolve(import.meta.dirname, '../bin/agent-vault.cjs'));
const dist = (path) => import(pathToFileURL(resolve(BIN, '../../dist', path)).href);
const { openSession } = await dist('app/open-session.js');
const { createCredential } = await dist('core/credential.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const SIZES = (process.env.BENCH_SIZES ?? '10,10000,100000').split(',').map(Number);
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

const root = mkdtempSync(join(tmpdir(), 'agent-vault-size-'));
const store = join(root, 'store');
const env = { PATH: process.env.PATH, HOME: root, AGENT_VAULT_HOME: store, XDG_CONFIG_HOME: join(root, 'config') };
const run = (argv, extra = {}) => spawnSync(argv[0], argv.slice(1), { env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
const cli = (args, extra) => {
  const r = run([process.execPath, BIN, ...args], extra);
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

const pass = { AGENT_VAULT_PASSPHRASE: 'bench passphrase' };
cli(['init'], pass);
const cases = [['node -e 0', [process.execPath, '-e', '0'], {}]];
for (const size of SIZES) {
  const agent = `v${size}`;
  const tokenFile = join(root, `${agent}.token`);
  writeFileSync(tokenFile, cli(['provision', agent], pass), { mode: 0o600 });
  // Pushed in one write (the programmatic `set` looks up each key, quadratic at 100,000).
  const session = await openSession({ store, passphrase: 'bench passphrase' });
  const now = new Date().toISOString();
  await session.modify(agent, ({ payload }) => {
    for (let i = 0; i < size; i++) payload.credentials.push(createCredential(`KEY_${String(i).padStart(6, '0')}`, 'api_key', { fields: { value: `value-${i}-${'x'.repeat(40)}` } }, now));
  });
  const t = { AGENT_VAULT_TOKEN_FILE: tokenFile };
  cases.push([`get at ${size}`, [process.execPath, BIN, 'credential', 'get', `KEY_${String(size - 1).padStart(6, '0')}`], t]);
  if (size >= 10000) cases.push([`set at ${size}`, [process.execPath, BIN, 'credential', 'set', 'NEW_KEY=-'], t]);
}

const time = (argv, extra) => {
  const start = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { env: { ...env, ...extra }, input: 'v\n', stdio: ['pipe', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
};
const times = cases.map(() => []);
for (let round = 0; round < RUNS + 1; round++) cases.forEach(([, argv, extra], i) => round > 0 && times[i].push(time(argv, extra)));
const median = (t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)];
const base = median(times[0]);
for (const [i, [name, argv, extra]] of cases.entries()) {
  const ms = median(times[i]);
  let rss = '';
  if (TIME) {
    const r = spawnSync(TIME, ['-f', '%M', ...argv], { env: { ...env, ...extra }, input: 'v\n', encoding: 'utf8' });
    rss = `${(Number(r.stderr.trim().split('\n').at(-1)) / 1024).toFixed(0)} MiB`;
  }
  console.log(`${name.padEnd(14)} ${ms.toFixed(1).padStart(7)} ms ${(ms / base).toFixed(2).padStart(6)}x ${rss}`);
}
rmSync(root, { recursive: true, force: true });
