// npm run bench: start-up and memory of the hot commands against `node -e 0`.
// Prints a table of medians over BENCH_RUNS interleaved rounds (default 30) and their ratio to Node's
// own start-up, plus the peak resident memory of one run (from /usr/bin/time, if present).
import { spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { openVault } from '../dist/index.js';

const BIN = resolve(import.meta.dirname, '../bin/agent-vault.cjs');
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

const root = mkdtempSync(join(tmpdir(), 'agent-vault-bench-'));
const store = join(root, 'store');
const passFile = join(root, 'pass');
writeFileSync(passFile, 'bench passphrase\n', { mode: 0o600 });
const baseEnv = { PATH: process.env.PATH, HOME: root, AGENT_VAULT_HOME: store, XDG_CONFIG_HOME: join(root, 'config') };

function cli(args, env = {}, input) {
  const result = spawnSync(process.execPath, [BIN, ...args], { env: { ...baseEnv, ...env }, input, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`agent-vault ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** One run's wall time in ms. */
function timeOnce(argv, env) {
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0], argv.slice(1), { env: { ...baseEnv, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr}`);
  return ms;
}

/**
 * Median and p90 wall times in ms of every case, from interleaved runs: each round runs
 * every case once, so a slow moment of the machine weighs on all cases alike and the
 * ratios to `node -e 0` stay fair. Two rounds of warm-up are not counted.
 */
function measureInterleaved(cases) {
  const times = cases.map(() => []);
  for (let round = 0; round < RUNS + 2; round++) {
    cases.forEach(([, argv, env], i) => {
      const ms = timeOnce(argv, env);
      if (round >= 2) times[i].push(ms);
    });
  }
  return times.map((t) => {
    t.sort((a, b) => a - b);
    return { median: t[Math.floor(t.length / 2)], p90: t[Math.floor(t.length * 0.9)] };
  });
}

/** Peak resident set size in MiB of one run. */
function peakMemory(argv, env) {
  if (!TIME) return undefined;
  const result = spawnSync(TIME, ['-f', '%M', ...argv], { env: { ...baseEnv, ...env }, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const kib = Number(result.stderr.trim().split('\n').at(-1));
  return Number.isFinite(kib) ? kib / 1024 : undefined;
}

console.error('setting up a store with vaults of 10 and 10,000 credentials…');
cli(['init'], { AGENT_VAULT_PASSPHRASE_FILE: passFile });
const smallToken = cli(['provision', 'small'], { AGENT_VAULT_PASSPHRASE_FILE: passFile }).trim();
const bigToken = cli(['provision', 'big'], { AGENT_VAULT_PASSPHRASE_FILE: passFile }).trim();
const fill = (agent, count) => {
  const values = {};
  for (let i = 0; i < count; i++) values[`KEY_${String(i).padStart(5, '0')}`] = `value-${i}-${'x'.repeat(40)}`;
  return openVault({ store, passphrase: 'bench passphrase', agent }).set(values);
};
await fill('small', 10);
await fill('big', 10_000);
const help = cli(['--help']);
const hasCommand = (name) => new RegExp(`^  ${name}\\b`, 'm').test(help);
if (hasCommand('totp')) {
  cli(['credential', 'add', 'TOTP', '--type', 'login', '--totp-stdin', '--agent', 'small'], { AGENT_VAULT_PASSPHRASE_FILE: passFile }, 'JBSWY3DPEHPK3PXP\n');
}

/**
 * A private PostgreSQL cluster on a Unix socket (as the tests start one: initdb into a
 * temp dir, as the postgres user when run as root), for the PostgreSQL row; undefined
 * where PostgreSQL is not installed.
 */
function startPostgres() {
  const onPath = (process.env.PATH ?? '').split(':').find((dir) => dir && existsSync(join(dir, 'pg_ctl')));
  const debian = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').map((v) => join('/usr/lib/postgresql', v, 'bin')).find((d) => existsSync(join(d, 'pg_ctl'))) : undefined;
  const binDir = onPath ? dirname(realpathSync(join(onPath, 'pg_ctl'))) : debian;
  if (!binDir) return undefined;
  const asRoot = process.getuid?.() === 0;
  const pgRoot = mkdtempSync(join(tmpdir(), 'agent-vault-bench-pg-'));
  const run = (name, args) => {
    const [command, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(binDir, name), ...args]] : [join(binDir, name), args];
    const result = spawnSync(command, argv, { encoding: 'utf8', cwd: '/' });
    if (result.status !== 0) throw new Error(`${name} failed: ${result.stderr}`);
  };
  if (asRoot) {
    const id = (flag) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
    chownSync(pgRoot, id('-u'), id('-g'));
  }
  const data = join(pgRoot, 'data');
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync']);
  appendFileSync(join(data, 'postgresql.conf'), `listen_addresses = ''\nunix_socket_directories = '${pgRoot}'\n`);
  run('pg_ctl', ['-D', data, '-l', join(pgRoot, 'log'), '-w', 'start']);
  run('createdb', ['-h', pgRoot, '-U', 'postgres', 'bench']);
  return { url: `postgres:///bench?host=${pgRoot}`, stop: () => (run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']), rmSync(pgRoot, { recursive: true, force: true })) };
}

const postgres = startPostgres();
let pgEnv;
if (postgres) {
  console.error('setting up a PostgreSQL store (Unix socket) with a vault of 10 credentials…');
  const onPg = { AGENT_VAULT_HOME: postgres.url, PGUSER: 'postgres', XDG_CACHE_HOME: join(root, 'cache') };
  cli(['init'], { ...onPg, AGENT_VAULT_PASSPHRASE_FILE: passFile });
  const pgToken = cli(['provision', 'small'], { ...onPg, AGENT_VAULT_PASSPHRASE_FILE: passFile }).trim();
  for (let i = 0; i < 10; i++) cli(['credential', 'set', `KEY_${String(i).padStart(5, '0')}=-`], { ...onPg, AGENT_VAULT_TOKEN: pgToken }, `value-${i}-${'x'.repeat(40)}`);
  pgEnv = { ...onPg, AGENT_VAULT_TOKEN: pgToken };
} else console.error('no PostgreSQL: the PostgreSQL row is left out');

const node = ['node', '-e', '0'];
const av = (...args) => [process.execPath, BIN, ...args];
const cases = [
  ['node -e 0 (baseline)', node, {}],
  ['agent-vault --version', av('--version'), {}],
  ['get, token, 10 creds', av('credential', 'get', 'KEY_00005'), { AGENT_VAULT_TOKEN: smallToken }],
  ['get, token, 10k creds', av('credential', 'get', 'KEY_05000'), { AGENT_VAULT_TOKEN: bigToken }],
  ...(pgEnv ? [['get, token, 10 creds, postgres (socket)', av('credential', 'get', 'KEY_00005'), pgEnv]] : []),
  ['list, token, 10k creds', av('credential', 'list'), { AGENT_VAULT_TOKEN: bigToken }],
  ['get, owner (argon2id 64 MiB)', av('credential', 'get', 'KEY_00005', '--agent', 'small'), { AGENT_VAULT_PASSPHRASE_FILE: passFile }],
  ['set, token, 10 creds', av('credential', 'set', 'BENCH=value'), { AGENT_VAULT_TOKEN: smallToken }],
];
if (hasCommand('totp')) cases.push(['totp, token', av('totp', 'TOTP'), { AGENT_VAULT_TOKEN: smallToken }]);
if (hasCommand('generate')) cases.push(['generate', av('generate'), {}]);

const measured = measureInterleaved(cases);
const baseline = measured[0].median;
const rows = cases.map(([name, argv, env], i) => {
  const { median, p90 } = measured[i];
  return [name, median.toFixed(1), p90.toFixed(1), (median / baseline).toFixed(2), peakMemory(argv, env)?.toFixed(1) ?? 'n/a'];
});
rmSync(root, { recursive: true, force: true });
postgres?.stop();

const header = ['case', 'median ms', 'p90 ms', 'x node', 'peak MiB'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log(`${RUNS} interleaved rounds, node ${process.version}`);
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of rows) console.log(line(row));

// The audit log: how long `audit verify` takes over 100,000 lines (bench/audit-verify.mjs).
const verify = spawnSync(process.execPath, [resolve(import.meta.dirname, 'audit-verify.mjs')], { encoding: 'utf8' });
console.log(verify.status === 0 ? verify.stdout.trim() : `audit verify bench failed: ${verify.stderr}`);
