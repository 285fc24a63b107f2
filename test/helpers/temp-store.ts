/**
 * A temporary store for tests: its directory, a passphrase file and an environment that
 * keeps every path inside it; `owner` runs with the passphrase file, `agent` with a
 * token. How a command runs (spawned or in process) is the subclass's `run`.
 *
 * With AGENT_VAULT_TEST_BACKEND=postgres (the `*-pg` projects of vitest.config.ts) the
 * store is a schema of its own in the run's private PostgreSQL cluster
 * (postgres-setup.ts) instead, and AGENT_VAULT_HOME is its `postgres://` URL: the same
 * test files then prove every command on both backends.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { TEST_DATABASE } from './postgres.js';

/** Which backend the temp stores of this run use. */
export const TEST_BACKEND: 'directory' | 'postgres' = process.env.AGENT_VAULT_TEST_BACKEND === 'postgres' ? 'postgres' : 'directory';

/** A `postgres://` URL of a new, empty store (a schema of its own) in the run's cluster. */
export function newPostgresStoreUrl(): string {
  const cluster = inject('agentVaultPg');
  if (!cluster) throw new Error('no PostgreSQL cluster for this run: run the test in a project with test/helpers/postgres-setup.ts');
  return `postgres:///${TEST_DATABASE}?host=${cluster.socketDir}&schema=t_${randomBytes(8).toString('hex')}`;
}

/**
 * Every file under a store directory, as text (latin1, so any byte survives), one file
 * after another: where a secret value must never appear in the clear.
 */
export function storeText(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => readFileSync(path, 'latin1'))
    .join('\n');
}

export const PASSPHRASE = 'correct horse battery staple';
/** The cheapest Argon2id cost init accepts, so tests stay fast. */
export const CHEAP_KDF = ['--kdf-memory', '1', '--kdf-iterations', '1', '--kdf-parallelism', '1'];

export abstract class TempStoreBase<O extends { env?: NodeJS.ProcessEnv }, R extends { code: number | null; stdout: string; stderr: string }> {
  readonly root: string;
  readonly dir: string;
  readonly passphraseFile: string;
  readonly env: NodeJS.ProcessEnv;
  /** The store's `postgres://` URL when the run's backend is PostgreSQL. */
  readonly url: string | undefined;

  constructor(options: { backend?: 'directory' | 'postgres' } = {}) {
    this.root = mkdtempSync(join(tmpdir(), 'agent-vault-test-'));
    this.dir = join(this.root, 'store');
    this.passphraseFile = join(this.root, 'passphrase');
    writeFileSync(this.passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    this.env = {
      HOME: join(this.root, 'home'),
      AGENT_VAULT_HOME: this.dir,
      XDG_CONFIG_HOME: join(this.root, 'config'),
      XDG_DATA_HOME: join(this.root, 'data'),
      XDG_CACHE_HOME: join(this.root, 'cache'),
    };
    if ((options.backend ?? TEST_BACKEND) === 'postgres') {
      this.url = newPostgresStoreUrl();
      this.env.AGENT_VAULT_HOME = this.url;
      this.env.PGUSER = 'postgres';
    }
  }

  /** Where the store is: its URL, or its directory. */
  get location(): string {
    return this.url ?? this.dir;
  }

  /** Runs the CLI against this store with no credentials in the environment. */
  abstract run(args: string[], options?: O): Promise<R>;

  /** Runs as the owner (passphrase from a file). */
  owner(args: string[], options: O = {} as O): Promise<R> {
    return this.run(args, { ...options, env: { AGENT_VAULT_PASSPHRASE_FILE: this.passphraseFile, ...options.env } });
  }

  /** Runs as an agent with `token`. */
  agent(token: string, args: string[], options: O = {} as O): Promise<R> {
    return this.run(args, { ...options, env: { AGENT_VAULT_TOKEN: token, ...options.env } });
  }

  /** Initialises the store at the cheapest Argon2id cost, through init's own flags. */
  async init(): Promise<void> {
    const result = await this.owner(['init', ...CHEAP_KDF]);
    if (result.code !== 0) throw new Error(`init failed: ${result.stderr}`);
  }

  /** A new store (of the class it is called on), initialised, with `agent` provisioned: the store and the agent's token. */
  static async withAgent<S extends TempStoreBase<{ env?: NodeJS.ProcessEnv }, { code: number | null; stdout: string; stderr: string }>>(
    this: new () => S,
    agent = 'bot',
  ): Promise<{ store: S; token: string }> {
    const store = new this();
    await store.init();
    return { store, token: await store.provision(agent) };
  }

  /** Provisions `agent` and returns its token. */
  async provision(agent: string): Promise<string> {
    const result = await this.owner(['provision', agent]);
    if (result.code !== 0) throw new Error(`provision failed: ${result.stderr}`);
    return result.stdout.trim();
  }

  /** Removes the store and everything else the test wrote under its root. */
  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
