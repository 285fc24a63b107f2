// npm run bench: the goal rows of issue 19 in one table. Start-up of the hot commands
// against `node -e 0`, as medians over interleaved rounds (each round runs every case
// once, so a slow moment of the machine weighs on all alike), their ratio to Node's own
// start-up from the same rounds, the peak resident memory of one run, and each row's
// goal, met or not. Where installed, `pass show` and `keepassxc-cli show` run in the
// same rounds, over stores this script builds in a temp dir.
//
//   BENCH_RUNS=N          rounds (default 30; 8 with BENCH_QUICK)
//   BENCH_QUICK=1         fewer rounds, no 100,000-credential row, audit verify over 20,000 lines
//   BENCH_AUDIT_LINES=N   lines of the audit verify row (default 1,000,000)
//   BENCH_COMPARE=<dir>   a built checkout of another commit: its rows for the same cases, labelled, in the same rounds
import { spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const HERE = import.meta.dirname;
const QUICK = process.env.BENCH_QUICK === '1';
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 8 : 30));
const AUDIT_LINES = Number(process.env.BENCH_AUDIT_LINES ?? (QUICK ? 20_000 : 1_000_000));
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const PASSPHRASE = 'bench passphrase';
const onPath = (name) => (process.env.PATH ?? '').split(':').find((dir) => dir && existsSync(join(dir, name)));

const root = mkdtempSync(join(tmpdir(), 'agent-vault-bench-'));
// Stores are filled on a RAM disk where there is one (every credential written is an
// fsync'd audit line), then copied to `root`, on the disk a user's store is on.
const scratch = existsSync('/dev/shm') ? mkdtempSync('/dev/shm/agent-vault-bench-') : root;
const passFile = join(root, 'pass');
writeFileSync(passFile, `${PASSPHRASE}\n`, { mode: 0o600 });
const baseEnv = { PATH: process.env.PATH, HOME: root, XDG_CONFIG_HOME: join(root, 'config'), XDG_CACHE_HOME: join(root, 'cache') };
const notes = [];

function run(command, args, env = {}, input) {
  const result = spawnSync(command, args, { env: { ...baseEnv, ...env }, input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}): ${result.stderr}`);
  return result.stdout;
}

/** A checkout whose build is benchmarked: this one, or BENCH_COMPARE's. */
function checkout(dir, label) {
  const commit = spawnSync('git', ['-C', dir, 'log', '-1', '--format=%h'], { encoding: 'utf8' }).stdout?.trim();
  if (!existsSync(join(dir, 'dist', 'cli.cjs'))) throw new Error(`${dir} is not built: run npm run build there`);
  return { dir, bin: join(dir, 'bin', 'agent-vault.cjs'), label: `${label} ${commit || basename(dir)}` };
}

const builds = [checkout(resolve(HERE, '..'), 'this')];
if (process.env.BENCH_COMPARE) builds.push(checkout(resolve(process.env.BENCH_COMPARE), 'compare'));
const labelled = builds.length > 1;

/** Fills the stores of one build: agents of 10, 10,000 and (without BENCH_QUICK) 100,000 credentials, a TOTP, an agent for the audit log. */
async function setUpStores(build, index) {
  const built = join(scratch, `store-${index}`);
  const env = { AGENT_VAULT_HOME: built, AGENT_VAULT_PASSPHRASE_FILE: passFile };
  const cli = (args, input) => run(process.execPath, [build.bin, ...args], env, input);
  cli(['init']);
  const { openVault } = await import(pathToFileURL(join(build.dir, 'dist', 'index.js')).href);
  const sizes = { small: 10, big: 10_000, ...(QUICK ? {} : { huge: 100_000 }) };
  const tokens = {};
  for (const [agent, count] of Object.entries(sizes)) {
    tokens[agent] = cli(['provision', agent]).trim();
    const values = {};
    for (let i = 0; i < count; i++) values[`KEY_${String(i).padStart(5, '0')}`] = `value-${i}-${'x'.repeat(40)}`;
    const started = Date.now();
    // One batch through the library: one vault write (and one audit line per key).
    await openVault({ store: built, passphrase: PASSPHRASE, agent, env: {} }).set(values);
    console.error(`  ${build.label}: ${agent}, ${count} credentials in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  tokens.auditor = cli(['provision', 'auditor']).trim();
  const help = cli(['--help']);
  const has = (name) => new RegExp(`^  ${name}\\b`, 'm').test(help);
  let totp = false;
  if (has('totp')) {
    cli(['credential', 'add', 'TOTP', '--type', 'login', '--totp-stdin', '--agent', 'small'], 'JBSWY3DPEHPK3PXP\n');
    totp = true;
  }
  const store = join(root, `store-${index}`);
  if (built !== store) {
    cpSync(built, store, { recursive: true, preserveTimestamps: true });
    rmSync(built, { recursive: true, force: true });
  }
  const kdf = /^kdf: (\$argon2id\$\S+)$/m.exec(readFileSync(join(store, 'store'), 'latin1'))?.[1];
  return { store, tokens, totp, generate: has('generate'), kdf };
}

/**
 * A private PostgreSQL cluster on a Unix socket (as the tests start one: initdb into a
 * temp dir, as the postgres user when run as root), for the PostgreSQL rows; undefined
 * where PostgreSQL is not installed.
 */
function startPostgres() {
  const found = onPath('pg_ctl');
  const debian = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').map((v) => join('/usr/lib/postgresql', v, 'bin')).find((d) => existsSync(join(d, 'pg_ctl'))) : undefined;
  const binDir = found ? dirname(realpathSync(join(found, 'pg_ctl'))) : debian;
  if (!binDir) return undefined;
  const asRoot = process.getuid?.() === 0;
  const pgRoot = mkdtempSync(join(tmpdir(), 'agent-vault-bench-pg-'));
  const pg = (name, args) => {
    const [command, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(binDir, name), ...args]] : [join(binDir, name), args];
    const result = spawnSync(command, argv, { encoding: 'utf8', cwd: '/' });
    if (result.status !== 0) throw new Error(`${name} failed: ${result.stderr}`);
  };
  if (asRoot) {
    const id = (flag) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
    chownSync(pgRoot, id('-u'), id('-g'));
  }
  const data = join(pgRoot, 'data');
  pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync']);
  appendFileSync(join(data, 'postgresql.conf'), `listen_addresses = ''\nunix_socket_directories = '${pgRoot}'\n`);
  pg('pg_ctl', ['-D', data, '-l', join(pgRoot, 'log'), '-w', 'start']);
  return {
    database: (name) => (pg('createdb', ['-h', pgRoot, '-U', 'postgres', name]), `postgres:///${name}?host=${pgRoot}`),
    stop: () => (pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']), rmSync(pgRoot, { recursive: true, force: true })),
  };
}

/** A PostgreSQL store of 10 credentials for one build; the environment of its token. */
function setUpPostgres(postgres, build, index) {
  const onPg = { AGENT_VAULT_HOME: postgres.database(`bench_${index}`), PGUSER: 'postgres' };
  run(process.execPath, [build.bin, 'init'], { ...onPg, AGENT_VAULT_PASSPHRASE_FILE: passFile });
  const token = run(process.execPath, [build.bin, 'provision', 'small'], { ...onPg, AGENT_VAULT_PASSPHRASE_FILE: passFile }).trim();
  for (let i = 0; i < 10; i++) run(process.execPath, [build.bin, 'credential', 'set', `KEY_${String(i).padStart(5, '0')}=-`], { ...onPg, AGENT_VAULT_TOKEN: token }, `value-${i}-${'x'.repeat(40)}`);
  return { ...onPg, AGENT_VAULT_TOKEN: token };
}

/**
 * pass over a gpg key without a passphrase in a private GNUPGHOME: 10 entries with
 * `pass insert -m`; 10,000 the same way where that takes under a minute, else each
 * entry encrypted as pass does (`gpg -e -r <id>` into <name>.gpg) by one gpg --multifile.
 */
function setUpPass() {
  for (const tool of ['pass', 'gpg']) if (!onPath(tool)) return { skipped: `skipped: no ${tool}` };
  const gnupg = join(scratch, 'gnupg');
  mkdirSync(gnupg, { mode: 0o700 });
  const id = 'bench@agent-vault.invalid';
  const gpgEnv = { GNUPGHOME: gnupg };
  run('gpg', ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', '--quick-gen-key', `agent-vault bench <${id}>`, 'default', 'default', 'never'], gpgEnv);
  const stores = {};
  for (const [name, count] of [['small', 10], ['big', 10_000]]) {
    const dir = join(root, `pass-${name}`);
    const env = { ...gpgEnv, PASSWORD_STORE_DIR: dir };
    run('pass', ['init', id], env);
    const started = Date.now();
    let i = 0;
    for (; i < count && (i < 10 || Date.now() - started < (i / count) * 60_000); i++) {
      run('pass', ['insert', '-m', `KEY_${String(i).padStart(5, '0')}`], env, `value-${i}-${'x'.repeat(40)}\n`);
    }
    if (i < count) {
      for (let j = i; j < count; j++) writeFileSync(join(dir, `KEY_${String(j).padStart(5, '0')}`), `value-${j}-${'x'.repeat(40)}\n`, { mode: 0o600 });
      const names = Array.from({ length: count - i }, (_, k) => join(dir, `KEY_${String(i + k).padStart(5, '0')}`));
      for (let k = 0; k < names.length; k += 1000) run('gpg', ['--batch', '--yes', '--quiet', '--trust-model', 'always', '-r', id, '--multifile', '--encrypt', ...names.slice(k, k + 1000)], gpgEnv);
      for (const plain of names) rmSync(plain);
      notes.push(`pass, ${count} entries: ${i} by pass insert -m, the rest by gpg --multifile --encrypt (pass insert would have taken over a minute)`);
    }
    stores[name] = env;
  }
  return { stores, stop: () => spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...baseEnv, ...gpgEnv } }) };
}

/**
 * KeePassXC databases of 10 and 10,000 entries, written by kdbxweb with Argon2id at the
 * store's parameters (keepassxc-cli db-create has no Argon2id option), read by
 * `keepassxc-cli show` with the password on stdin.
 */
async function setUpKeepass(kdf) {
  if (!onPath('keepassxc-cli')) return { skipped: 'skipped: no keepassxc-cli' };
  const [, memoryKiB, passes, lanes] = /m=(\d+),t=(\d+),p=(\d+)/.exec(kdf).map(Number);
  const { default: kdbxweb } = await import('kdbxweb');
  const { default: argon2 } = await import('argon2');
  kdbxweb.CryptoEngine.setArgon2Impl(async (pw, salt, memory, iterations, length, parallelism, type, version) => {
    const out = await argon2.hash(Buffer.from(pw), { raw: true, salt: Buffer.from(salt), memoryCost: memory, timeCost: iterations, parallelism, hashLength: length, type: type === 0 ? argon2.argon2d : argon2.argon2id, version });
    return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength);
  });
  const files = {};
  for (const [name, count] of [['small', 10], ['big', 10_000]]) {
    const db = kdbxweb.Kdbx.create(new kdbxweb.Credentials(kdbxweb.ProtectedValue.fromString(PASSPHRASE)), 'bench');
    db.setKdf(kdbxweb.Consts.KdfId.Argon2id);
    const { UInt64, UInt32 } = kdbxweb.VarDictionary.ValueType;
    db.header.kdfParameters.set('M', UInt64, kdbxweb.Int64.from(memoryKiB * 1024));
    db.header.kdfParameters.set('I', UInt64, kdbxweb.Int64.from(passes));
    db.header.kdfParameters.set('P', UInt32, lanes);
    const group = db.getDefaultGroup();
    for (let i = 0; i < count; i++) {
      const entry = db.createEntry(group);
      entry.fields.set('Title', `KEY_${String(i).padStart(5, '0')}`);
      entry.fields.set('Password', kdbxweb.ProtectedValue.fromString(`value-${i}-${'x'.repeat(40)}`));
    }
    files[name] = join(root, `keepass-${name}.kdbx`);
    writeFileSync(files[name], Buffer.from(await db.save()));
  }
  notes.push(`keepassxc-cli: Argon2id m=${memoryKiB} KiB, t=${passes}, p=${lanes}, written by kdbxweb (agent-vault's store: ${kdf.split('$').slice(0, 4).join('$')})`);
  return { files };
}

/** One run's wall time in ms; its output goes to a pipe, as when a script captures it. */
function timeOnce({ argv, env, input }) {
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0], argv.slice(1), { env: { ...baseEnv, ...env }, input, stdio: 'pipe', maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr}`);
  return ms;
}

/** Median and p90 wall times of every case, from interleaved rounds; two rounds of warm-up are not counted. */
function measureInterleaved(cases) {
  const times = cases.map(() => []);
  for (let round = 0; round < RUNS + 2; round++) {
    cases.forEach((c, i) => {
      const ms = timeOnce(c);
      if (round >= 2) times[i].push(ms);
    });
    process.stderr.write(`\r  round ${round + 1} of ${RUNS + 2}`);
  }
  process.stderr.write('\n');
  return times.map((t) => {
    t.sort((a, b) => a - b);
    return { median: t[Math.floor(t.length / 2)], p90: t[Math.floor(t.length * 0.9)] };
  });
}

/**
 * Peak resident set size in MiB of one run, and its wall time: /usr/bin/time where
 * present, else (for a Node script) bench/peak-rss.mjs's maxRSS, else undefined.
 */
function peakRun({ argv, env, input }) {
  const options = { env: { ...baseEnv, ...env }, input, stdio: ['pipe', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 28 };
  const start = process.hrtime.bigint();
  let mib;
  if (TIME) {
    const result = spawnSync(TIME, ['-f', '%M', ...argv], options);
    const kib = Number(result.stderr.trim().split('\n').at(-1));
    if (result.status === 0 && Number.isFinite(kib)) mib = kib / 1024;
  } else if (argv[0] === process.execPath) {
    const file = join(root, 'rss');
    const result = spawnSync(argv[0], [join(HERE, 'peak-rss.mjs'), ...argv.slice(1)], { ...options, env: { ...options.env, AGENT_VAULT_BENCH_RSS_FILE: file } });
    if (result.status === 0 && existsSync(file)) mib = Number(readFileSync(file, 'utf8')) / 1024;
  }
  return { mib, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

console.error(`setting up stores (${scratch === root ? 'on disk' : 'filled in /dev/shm, copied to disk'})…`);
const setups = [];
for (const [i, build] of builds.entries()) setups.push(await setUpStores(build, i));
const postgres = startPostgres();
if (!postgres) notes.push('PostgreSQL rows: skipped: no PostgreSQL');
const pgEnvs = postgres ? builds.map((b, i) => setUpPostgres(postgres, b, i)) : [];
const kdf = setups[0].kdf;
const passSetup = setUpPass();
const keepass = await setUpKeepass(kdf);

const node = { name: 'node -e 0 (baseline)', argv: [process.execPath, '-e', '0'], env: {} };
const cases = [node];
builds.forEach((build, i) => {
  const { store, tokens, totp, generate } = setups[i];
  const tag = labelled ? ` [${build.label}]` : '';
  const av = (...args) => [process.execPath, build.bin, ...args];
  const token = (agent) => ({ AGENT_VAULT_HOME: store, AGENT_VAULT_TOKEN: tokens[agent] });
  const add = (name, argv, env, goal) => cases.push({ name: `${name}${tag}`, argv, env, goal, build: i, key: name });
  add('agent-vault --version', av('--version'), {}, { ratio: 1.2 });
  add('get, token, 10 creds', av('credential', 'get', 'KEY_00005'), token('small'), { ratio: 1.3 });
  add('get, token, 10k creds', av('credential', 'get', 'KEY_05000'), token('big'), { ratio: 1.5 });
  if (tokens.huge) add('get, token, 100k creds', av('credential', 'get', 'KEY_50000'), token('huge'), { ratio: 2.5, mib: 80 });
  if (pgEnvs[i]) add('get, token, 10 creds, postgres (socket)', av('credential', 'get', 'KEY_00005'), pgEnvs[i]);
  add('list, token, 10k creds', av('credential', 'list'), token('big'), { ratio: 2.5 });
  if (generate) add('generate', av('generate'), {}, { ratio: 1.3 });
  if (totp) add('totp, token', av('totp', 'TOTP'), token('small'), { ratio: 1.3 });
  add('set, token, 10 creds', av('credential', 'set', 'BENCH=value'), token('small'));
  add('set, token, 10k creds', av('credential', 'set', 'BENCH=value'), token('big'));
  if (tokens.huge) add('set, token, 100k creds', av('credential', 'set', 'BENCH=value'), token('huge'), { mib: 150 });
  add('get, owner (argon2id)', av('credential', 'get', 'KEY_00005', '--agent', 'small'), { AGENT_VAULT_HOME: store, AGENT_VAULT_PASSPHRASE_FILE: passFile }, { owner: true });
});
if (kdf) cases.push({ name: 'argon2id alone in node (store params)', argv: [process.execPath, join(HERE, 'argon2-alone.mjs'), kdf], env: {}, key: 'argon2' });
const skippedRows = [];
for (const [name, size] of [['small', 10], ['big', 10_000]]) {
  const label = `${size === 10 ? '10' : '10k'} entries`;
  if (passSetup.stores) cases.push({ name: `pass show, ${label}`, argv: ['pass', 'show', size === 10 ? 'KEY_00005' : 'KEY_05000'], env: passSetup.stores[name] });
  else skippedRows.push([`pass show, ${label}`, passSetup.skipped]);
  if (keepass.files) cases.push({ name: `keepassxc-cli show, ${label}`, argv: ['keepassxc-cli', 'show', '-q', '-a', 'Password', keepass.files[name], size === 10 ? 'KEY_00005' : 'KEY_05000'], env: {}, input: `${PASSPHRASE}\n` });
  else skippedRows.push([`keepassxc-cli show, ${label}`, keepass.skipped]);
}

console.error(`${cases.length} cases, ${RUNS} interleaved rounds…`);
const measured = measureInterleaved(cases);
const baseline = measured[0].median;
const peaks = cases.map((c) => peakRun(c).mib);

/** The goal of a row as text, and whether it is met. */
function judge(c, i) {
  const { median } = measured[i];
  if (c.goal?.owner) {
    // No more than Argon2id alone plus the token path's overhead over Node's start-up.
    const argon = cases.findIndex((x) => x.key === 'argon2');
    const tokenGet = cases.findIndex((x) => x.key === 'get, token, 10 creds' && x.build === c.build);
    if (argon < 0 || tokenGet < 0) return ['', ''];
    const limit = measured[argon].median + (measured[tokenGet].median - baseline);
    return [`≤ ${limit.toFixed(0)} ms (argon2 + token overhead)`, median <= limit ? 'met' : 'not met'];
  }
  if (!c.goal) return ['', ''];
  const parts = [];
  let met = true;
  if (c.goal.ratio !== undefined) {
    parts.push(`≤ ${c.goal.ratio}×`);
    met &&= median / baseline <= c.goal.ratio;
  }
  if (c.goal.mib !== undefined) {
    parts.push(`≤ ${c.goal.mib} MiB`);
    met &&= peaks[i] !== undefined && peaks[i] <= c.goal.mib;
  }
  return [parts.join(', '), met ? 'met' : 'not met'];
}

const rows = cases.map((c, i) => {
  const { median, p90 } = measured[i];
  return [c.name, median.toFixed(1), p90.toFixed(1), (median / baseline).toFixed(2), peaks[i]?.toFixed(1) ?? 'n/a', ...judge(c, i)];
});
for (const [name, why] of skippedRows) rows.push([name, why, '', '', '', '', '']);

// audit verify over a long log: an agent's real log grown with its own key, verified once per build.
builds.forEach((build, i) => {
  const { store, tokens } = setups[i];
  const tokenFile = join(root, `auditor-token-${i}`);
  writeFileSync(tokenFile, tokens.auditor, { mode: 0o600 });
  console.error(`  ${build.label}: an audit log of ${AUDIT_LINES} lines…`);
  run(process.execPath, [join(HERE, 'audit-verify.mjs'), build.dir, store, 'auditor', tokenFile, String(AUDIT_LINES)]);
  const { mib, ms } = peakRun({ argv: [process.execPath, build.bin, 'audit', 'verify'], env: { AGENT_VAULT_HOME: store, AGENT_VAULT_TOKEN: tokens.auditor } });
  const full = AUDIT_LINES >= 1_000_000;
  const met = ms <= 10_000 && mib !== undefined && mib <= 100;
  rows.push([`audit verify, ${AUDIT_LINES.toLocaleString('en')} lines${labelled ? ` [${build.label}]` : ''}`, ms.toFixed(0), '', '', mib?.toFixed(1) ?? 'n/a', full ? '≤ 10 s, ≤ 100 MiB' : '(goal at 1,000,000)', full ? (met ? 'met' : 'not met') : '']);
});

rmSync(root, { recursive: true, force: true });
if (scratch !== root) rmSync(scratch, { recursive: true, force: true });
postgres?.stop();
passSetup.stop?.();

const header = ['case', 'median ms', 'p90 ms', 'x node', 'peak MiB', 'goal', 'met'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => (i === 0 || i >= 5 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
console.log(`${RUNS} interleaved rounds, node ${process.version}, ${cpus().length} CPUs, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}; peak memory ${TIME ? 'from /usr/bin/time' : 'from process.resourceUsage() where the case is Node'}`);
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of rows) console.log(line(row));
for (const note of notes) console.log(`note: ${note}`);
