/**
 * A temporary store for tests: its directory, a passphrase file and an environment that
 * keeps every path inside it; `owner` runs with the passphrase file, `agent` with a
 * token. How a command runs (spawned or in process) is the subclass's `run`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PASSPHRASE = 'correct horse battery staple';
/** The cheapest Argon2id cost init accepts, so tests stay fast. */
export const CHEAP_KDF = ['--kdf-memory', '1', '--kdf-iterations', '1', '--kdf-parallelism', '1'];

export abstract class TempStoreBase<O extends { env?: NodeJS.ProcessEnv }, R extends { code: number | null; stdout: string; stderr: string }> {
  readonly root: string;
  readonly dir: string;
  readonly passphraseFile: string;
  readonly env: NodeJS.ProcessEnv;

  constructor() {
    this.root = mkdtempSync(join(tmpdir(), 'agent-vault-test-'));
    this.dir = join(this.root, 'store');
    this.passphraseFile = join(this.root, 'passphrase');
    writeFileSync(this.passphraseFile, `${PASSPHRASE}\n`, { mode: 0o600 });
    this.env = {
      HOME: join(this.root, 'home'),
      AGENT_VAULT_HOME: this.dir,
      XDG_CONFIG_HOME: join(this.root, 'config'),
      XDG_DATA_HOME: join(this.root, 'data'),
    };
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
