/**
 * Private PostgreSQL clusters for tests: `initdb` into a temp dir (as the `postgres`
 * user when the tests run as root: the server refuses to run as root), listening on a
 * Unix socket in that dir only (`listen_addresses=''`), never on a TCP port. Logins are
 * trusted but for the role `pw_user`, which needs the password `pw-secret` (the tests of
 * a bad password). Where the binaries are missing, the PostgreSQL tests skip and say
 * `skipped: no PostgreSQL`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The role whose login needs a password, and that password (a test value, nothing real). */
export const PASSWORD_ROLE = { user: 'pw_user', password: 'pw-secret' };

/** The database every test store lives in (each in a schema of its own). */
export const TEST_DATABASE = 'agent_vault_test';

/** The directory of initdb, pg_ctl and postgres: on $PATH, or Debian's /usr/lib/postgresql/<major>/bin. */
export function postgresBinDir(): string | undefined {
  // pg_ctl on $PATH may be a link into the directory that also has psql: follow it.
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, 'pg_ctl')) && existsSync(join(dir, 'initdb'))) return dirname(realpathSync(join(dir, 'pg_ctl')));
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const majors = readdirSync(base).filter((d) => existsSync(join(base, d, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? undefined : join(base, majors[0], 'bin');
}

/** A running cluster: where its socket is, and how to stop or kill it. */
export interface Cluster {
  root: string;
  /** The directory of the Unix socket, as `host=` of a URL. */
  socketDir: string;
  binDir: string;
  dataDir: string;
  /** Whether commands must run as the `postgres` user. */
  asPostgres: boolean;
}

/** Runs a PostgreSQL binary, as the postgres user when we are root. */
export function runPgBinary(cluster: Pick<Cluster, 'binDir' | 'asPostgres'>, name: string, args: string[]): string {
  const bin = join(cluster.binDir, name);
  const [command, argv] = cluster.asPostgres ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const result = spawnSync(command, argv, { encoding: 'utf8', cwd: '/' });
  if (result.status !== 0) throw new Error(`${name} ${args.join(' ')} failed: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** Starts a new private cluster and creates the test database and the password role. */
export function startCluster(): Cluster {
  const binDir = postgresBinDir();
  if (!binDir) throw new Error('no PostgreSQL binaries');
  const asPostgres = process.getuid?.() === 0;
  const root = mkdtempSync(join(tmpdir(), 'agent-vault-pg-'));
  const dataDir = join(root, 'data');
  if (asPostgres) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(root, uid, gid);
  }
  const cluster: Cluster = { root, socketDir: root, binDir, dataDir, asPostgres };
  runPgBinary(cluster, 'initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  writeFileSync(join(dataDir, 'pg_hba.conf'), `local all ${PASSWORD_ROLE.user} scram-sha-256\nlocal all all trust\n`);
  appendFileSync(join(dataDir, 'postgresql.conf'), `listen_addresses = ''\nunix_socket_directories = '${root}'\nmax_connections = 300\nfsync = off\nfull_page_writes = off\n`);
  startServer(cluster);
  psql(cluster, 'postgres', `CREATE DATABASE ${TEST_DATABASE}`);
  psql(cluster, 'postgres', `CREATE ROLE ${PASSWORD_ROLE.user} LOGIN PASSWORD '${PASSWORD_ROLE.password}'`);
  return cluster;
}

/** Starts (again) the server of a cluster, waiting until it accepts connections. */
export function startServer(cluster: Cluster): void {
  runPgBinary(cluster, 'pg_ctl', ['-D', cluster.dataDir, '-l', join(cluster.root, 'server.log'), '-w', '-t', '60', 'start']);
}

/** Stops the server: `fast`, or `immediate` (every server process killed, as a crash). */
export function stopServer(cluster: Cluster, mode: 'fast' | 'immediate' = 'fast'): void {
  runPgBinary(cluster, 'pg_ctl', ['-D', cluster.dataDir, '-m', mode, '-w', 'stop']);
}

/** Runs SQL as the superuser (or `user`) and returns psql's unaligned output; a failing statement throws. */
export function psql(cluster: Cluster, database: string, sql: string, user = 'postgres'): string {
  return runPgBinary(cluster, 'psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', cluster.socketDir, '-U', user, '-d', database, '-c', sql]).trim();
}

/** Stops the server and removes the cluster. */
export function removeCluster(cluster: Cluster): void {
  try {
    stopServer(cluster, 'immediate');
  } finally {
    rmSync(cluster.root, { recursive: true, force: true });
  }
}

const warned = { done: false };

/** True when PostgreSQL is not installed, for `describe.skipIf`; says `skipped: no PostgreSQL` once per file. */
export function skipWithoutPostgres(): boolean {
  if (postgresBinDir() !== undefined) return false;
  if (!warned.done) console.warn('skipped: no PostgreSQL');
  warned.done = true;
  return true;
}

/** The cluster of this run (test/helpers/postgres-setup.ts), or undefined without PostgreSQL. */
export async function runCluster(): Promise<Cluster | undefined> {
  const { inject } = await import('vitest');
  return inject('agentVaultPg') ?? undefined;
}

/** The schema a test store's URL names. */
export function schemaOf(url: string): string {
  const schema = new URL(url).searchParams.get('schema');
  if (!schema) throw new Error(`no schema in ${url}`);
  return schema;
}
